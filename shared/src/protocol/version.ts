/** Protocol major version: bumped only for incompatible changes to topics or envelopes. */
export const PROTOCOL_VERSION = 1 as const;
