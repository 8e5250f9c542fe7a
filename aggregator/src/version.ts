/** Kept equal to aggregator/package.json's version (a test checks). */
export const AGGREGATOR_VERSION = '0.1.0';
