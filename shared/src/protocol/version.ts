/**
 * Protocol major version: bumped for incompatible changes to topics or envelopes.
 *
 * v2 (this one): messages that carry bytes (clip chunks, event snapshots, snapshot replies)
 * travel as binary frames (frame.ts) instead of base64 inside JSON. Everything else is as in v1.
 */
export const PROTOCOL_VERSION = 2 as const;

/**
 * Versions this code reads. A v1 agent (JSON only, base64 clip chunks and snapshots) is still
 * understood; the centre answers it in v1 (commands never carry bytes, so v1 commands are the same
 * JSON with `v: 1`). Anything else is refused with `unsupported-version` and a message saying
 * which side to upgrade.
 */
export const SUPPORTED_PROTOCOL_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/**
 * The topic tree's version (`camfleet/v1/...`). It did not change with protocol v2: the topics,
 * their directions and the broker's ACL are the same, so v1 and v2 agents share one tree and the
 * envelope's `v` says how to read a payload.
 */
export const TOPIC_TREE_VERSION = 1 as const;

/** Why a payload of protocol `v` is not read here, in words an operator can act on. */
export function unsupportedVersionDetail(v: unknown): string {
  const supported = `v${SUPPORTED_PROTOCOL_VERSIONS[0]}–v${SUPPORTED_PROTOCOL_VERSIONS[SUPPORTED_PROTOCOL_VERSIONS.length - 1]}`;
  if (typeof v === 'number' && v > PROTOCOL_VERSION) return `protocol v${v} is newer than this side (reads ${supported}): upgrade this side`;
  return `protocol v=${String(v)} is not one this side reads (${supported}): upgrade the sender`;
}
