/** Kept equal to agent/package.json's version (a test checks). The build id is set by the binary build. */
export const AGENT_VERSION = '0.1.0';

declare const __CAMFLEET_BUILD__: string | undefined;
export const AGENT_BUILD: string = typeof __CAMFLEET_BUILD__ === 'string' ? __CAMFLEET_BUILD__ : 'dev';
