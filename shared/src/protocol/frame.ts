/**
 * Binary frames of protocol v2: a message that carries bytes (a clip chunk, an event's JPEG
 * snapshot, a snapshot command's reply) travels as a small JSON header followed by the raw bytes,
 * instead of the bytes in base64 inside the JSON (33 % more on a metered 4G uplink).
 *
 *   offset 0   0x00            frame marker (a JSON payload never starts with NUL)
 *   offset 1   0x02            frame layout version (= protocol version that introduced it)
 *   offset 2   uint32 BE       header length H
 *   offset 6   H bytes         the JSON envelope, with the attached field left out of its body
 *   offset 6+H the rest        the attached bytes
 *
 * Which body field receives the bytes is fixed per message type (ATTACHMENTS), never named by the
 * sender, so a frame cannot place bytes anywhere else in a message.
 */

/** Bytes before the header: marker, layout version, header length. */
export const FRAME_PREFIX_BYTES = 6;
export const FRAME_MARKER = 0x00;
export const FRAME_LAYOUT = 0x02;

export interface AttachmentSlot {
  /** Path of the body field that holds the bytes in memory. */
  path: readonly string[];
  /**
   * How that field holds them in memory: a Buffer, or a base64 string for fields whose readers
   * (detection events, the snapshot command's result) have always used base64. Either way the
   * wire carries the raw bytes.
   */
  as: 'buffer' | 'base64';
}

/** Message types that may carry an attachment, and where it goes in their body. */
export const ATTACHMENTS: Readonly<Record<string, readonly AttachmentSlot[]>> = {
  // v1's `dataBase64` is accepted from callers that still build chunks that way.
  'clip.chunk': [
    { path: ['data'], as: 'buffer' },
    { path: ['dataBase64'], as: 'base64' },
  ],
  event: [{ path: ['snapshotJpegBase64'], as: 'base64' }],
  reply: [{ path: ['result', 'jpegBase64'], as: 'base64' }],
};

export function isFrame(payload: Buffer): boolean {
  return payload.length >= FRAME_PREFIX_BYTES && payload[0] === FRAME_MARKER;
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A copy of `obj` without the field at `path` (the containers on the way are copied, not mutated). */
function withoutPath(obj: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  const copy = { ...obj };
  if (rest.length === 0) delete copy[head!];
  else copy[head!] = withoutPath(copy[head!] as Record<string, unknown>, rest);
  return copy;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw new Error(`attachment path ${path.join('.')}: ${key} is not an object`);
    cur = next as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/**
 * The message's attachment, if its type has a slot and the body fills it: the bytes and the
 * envelope with that field taken out. Undefined when there is nothing to attach (plain JSON).
 */
export function splitAttachment(message: { type: string; body: unknown }): { header: Record<string, unknown>; bytes: Buffer } | undefined {
  for (const slot of ATTACHMENTS[message.type] ?? []) {
    const value = getPath(message.body, slot.path);
    if (value === undefined) continue;
    let bytes: Buffer;
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    else if (typeof value === 'string' && slot.as === 'base64') bytes = Buffer.from(value, 'base64');
    else continue;
    const header = { ...(message as Record<string, unknown>), body: withoutPath(message.body as Record<string, unknown>, slot.path) };
    return { header, bytes };
  }
  return undefined;
}

export function encodeFrame(header: Record<string, unknown>, bytes: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  prefix[0] = FRAME_MARKER;
  prefix[1] = FRAME_LAYOUT;
  prefix.writeUInt32BE(json.length, 2);
  return Buffer.concat([prefix, json, bytes]);
}

export type FrameResult = { ok: true; envelope: unknown; bytes: Buffer } | { ok: false; detail: string };

/** Splits a frame into its parsed JSON header and its bytes (not yet placed in the body). */
export function readFrame(payload: Buffer): FrameResult {
  if (!isFrame(payload)) return { ok: false, detail: 'not a frame' };
  if (payload[1] !== FRAME_LAYOUT) return { ok: false, detail: `frame layout ${payload[1]} (this side reads ${FRAME_LAYOUT})` };
  const headerBytes = payload.readUInt32BE(2);
  if (FRAME_PREFIX_BYTES + headerBytes > payload.length) return { ok: false, detail: `header of ${headerBytes} bytes overruns a ${payload.length}-byte frame` };
  let envelope: unknown;
  try {
    envelope = JSON.parse(payload.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerBytes).toString('utf8'));
  } catch {
    return { ok: false, detail: 'frame header is not JSON' };
  }
  return { ok: true, envelope, bytes: payload.subarray(FRAME_PREFIX_BYTES + headerBytes) };
}

/**
 * Puts a frame's bytes into the body of its (validated) envelope, at the first slot of its type
 * (Buffer or base64 as the slot says). Refuses a type with no slot and a body that already fills
 * the slot (two sources for one field).
 */
export function attachBytes(type: string, body: unknown, bytes: Buffer): { ok: true; body: unknown } | { ok: false; detail: string } {
  const slot = ATTACHMENTS[type]?.[0];
  if (!slot) return { ok: false, detail: `${type} carries no attached bytes` };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, detail: 'frame body is not an object' };
  for (const s of ATTACHMENTS[type]!) {
    if (getPath(body, s.path) !== undefined) return { ok: false, detail: `${s.path.join('.')} is both in the header and attached` };
  }
  const copy = structuredClone(body) as Record<string, unknown>;
  try {
    setPath(copy, slot.path, slot.as === 'buffer' ? Buffer.from(bytes) : bytes.toString('base64'));
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
  return { ok: true, body: copy };
}
