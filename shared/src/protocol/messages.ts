/**
 * Envelope and message bodies of protocol v2 (and v1, still read). One zod schema per message
 * type; topics.ts says which types may appear on which topic; frame.ts how bytes travel.
 */
import { z } from 'zod';
import { PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, unsupportedVersionDetail, type ProtocolVersion } from './version.ts';
import { attachBytes, encodeFrame, isFrame, readFrame, splitAttachment } from './frame.ts';
import { HEALTH_COLUMNS, compactHealth, expandHealth, isCompactHealth } from './compact-health.ts';
import { CameraReport } from './camera.ts';
import { TOPICS, isValidAgentId, type TopicName } from './topics.ts';

/** Largest MQTT payload either side accepts (a v1 256 KiB clip chunk in base64 fits with room). */
export const MAX_PAYLOAD_BYTES = 512 * 1024;
export const CLIP_CHUNK_BYTES = 256 * 1024;

const isoTime = z.string().datetime({ offset: true });
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const id = z.string().min(1).max(128);

export const StatusBody = z.object({
  state: z.enum(['online', 'offline']),
  reason: z.string().max(200).optional(),
});

export const HeartbeatBody = z.object({
  version: z.string(),
  build: z.string(),
  startedAt: isoTime,
  uptimeS: z.number().nonnegative(),
  cameraCount: z.number().int().nonnegative(),
  cpuPercent: z.number().nonnegative().optional(),
  memRssBytes: z.number().nonnegative().optional(),
  /** Proportional set size of the agent and its ffmpeg children (shared libraries counted once). */
  pssBytes: z.number().nonnegative().optional(),
  disk: z.object({ totalBytes: z.number().nonnegative(), freeBytes: z.number().nonnegative() }).optional(),
  clockOffsetMs: z.number().optional(),
  temperatureC: z.number().optional(),
  outboxPending: z.number().int().nonnegative().optional(),
});

export const CamerasBody = z.object({ cameras: z.array(CameraReport).max(1000) });

export const CameraHealth = z.object({
  cameraId: id,
  online: z.boolean(),
  recording: z.boolean(),
  fps: z.number().nonnegative().optional(),
  bitrateKbps: z.number().nonnegative().optional(),
  lastSegmentAt: isoTime.optional(),
  gapsLastHour: z.number().int().nonnegative().optional(),
  bytesStored: z.number().nonnegative().optional(),
  /**
   * The link hash of the camera's newest segment index row. The centre keeps it, so footage can
   * later be shown to belong to the history it saw (`camfleet-agent verify --anchor <link>`).
   */
  chainHead: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type CameraHealth = z.infer<typeof CameraHealth>;

/** The compact health table (compact-health.ts) must know every field of CameraHealth. */
{
  const missing = Object.keys(CameraHealth.shape).filter((k) => !(HEALTH_COLUMNS as readonly string[]).includes(k));
  if (missing.length) throw new Error(`compact-health.ts HEALTH_COLUMNS lacks ${missing.join(', ')}`);
}

export const HealthBody = z.object({
  sampledAt: isoTime,
  cameras: z.array(CameraHealth).max(1000),
  /** Set when the outbox merged several samples into this one during an outage. */
  coalesced: z.number().int().positive().optional(),
});

export const EventKind = z.enum([
  'object',
  'tamper',
  'sound',
  'camera.offline',
  'camera.online',
  'recording.gap',
  'retention.loss',
  'disk.full',
]);
export type EventKind = z.infer<typeof EventKind>;

export const EventBody = z.object({
  eventId: id,
  kind: EventKind,
  cameraId: id.optional(),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  /** Kind-specific details (class, score, box, peak dBFS, gap cause, ...). */
  data: z.record(z.string(), z.unknown()).default({}),
  /**
   * JPEG snapshot for object and tamper events. Base64 in memory (what detection produces and the
   * centre's store reads); on the wire in v2 the raw bytes after the frame header (frame.ts).
   */
  snapshotJpegBase64: z.string().max(300_000).optional(),
});

export const ClipOfferBody = z.object({
  clipId: id,
  cameraId: id,
  from: isoTime,
  to: isoTime,
  bytes: z.number().int().nonnegative(),
  sha256: sha256Hex,
  chunkBytes: z.number().int().positive(),
  chunks: z.number().int().nonnegative(),
  segmentHashes: z.array(sha256Hex).max(10_000),
  reason: z.string().max(200).optional(),
  commandId: id.optional(),
  eventId: id.optional(),
});

/**
 * One clip chunk. `data` holds the bytes (v2: the raw bytes of the frame after its header); v1
 * agents send `dataBase64` instead, which decodeMessage turns into `data`, so a reader only ever
 * sees `data` on a decoded chunk.
 */
export const ClipChunkBody = z
  .object({
    clipId: id,
    index: z.number().int().nonnegative(),
    sha256: sha256Hex,
    data: z
      .custom<Buffer>((v) => Buffer.isBuffer(v), 'expected bytes')
      .refine((b) => b.length <= CLIP_CHUNK_BYTES, `more than ${CLIP_CHUNK_BYTES} bytes`)
      .optional(),
    dataBase64: z.string().max(Math.ceil((CLIP_CHUNK_BYTES * 4) / 3) + 4).optional(),
  })
  .refine((c) => (c.data === undefined) !== (c.dataBase64 === undefined), 'a chunk has either data or dataBase64');

export const ReplyBody = z.object({
  commandId: id,
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const CommandName = z.enum([
  'clip.request',
  'clip.need',
  'clip.cancel',
  'snapshot',
  'reprobe',
  'config.apply',
  'sharing.update',
  // Live view (shared/src/protocol/live.ts): the agent dials out to the centre's relay.
  'live.start',
  'live.stop',
]);
export type CommandName = z.infer<typeof CommandName>;

export const CommandBody = z.object({
  commandId: id,
  name: CommandName,
  args: z.record(z.string(), z.unknown()).default({}),
  expiresAt: isoTime.optional(),
});

export const BODIES = {
  status: StatusBody,
  heartbeat: HeartbeatBody,
  cameras: CamerasBody,
  health: HealthBody,
  event: EventBody,
  'clip.offer': ClipOfferBody,
  'clip.chunk': ClipChunkBody,
  reply: ReplyBody,
  command: CommandBody,
} as const;
export type MessageType = keyof typeof BODIES;
export type BodyOf<T extends MessageType> = z.infer<(typeof BODIES)[T]>;

export const Envelope = z.object({
  v: z.union(SUPPORTED_PROTOCOL_VERSIONS.map((v) => z.literal(v)) as [z.ZodLiteral<1>, z.ZodLiteral<2>]),
  id: z.string().uuid(),
  agentId: z.string().refine(isValidAgentId, 'invalid agent id'),
  seq: z.number().int().nonnegative(),
  ts: isoTime,
  type: z.string(),
  body: z.unknown(),
});

export interface Message<T extends MessageType = MessageType> {
  /** PROTOCOL_VERSION when made here; 1 on messages from (or commands to) a v1 agent. */
  v: ProtocolVersion;
  id: string;
  agentId: string;
  seq: number;
  ts: string;
  type: T;
  body: BodyOf<T>;
}

export function makeMessage<T extends MessageType>(
  type: T,
  agentId: string,
  seq: number,
  body: BodyOf<T>,
  now: Date = new Date(),
): Message<T> {
  return { v: PROTOCOL_VERSION, id: crypto.randomUUID(), agentId, seq, ts: now.toISOString(), type, body };
}

/**
 * The payload of a message: JSON, or (v2) a binary frame when the message carries bytes (a clip
 * chunk, an event snapshot, a snapshot reply). A v1 message is always JSON, with bytes in base64,
 * as a v1 reader expects.
 */
export function encodeMessage(message: Message): Buffer {
  if (message.v === 1) {
    // v1 readers know a chunk's bytes only as dataBase64.
    let m: Message = message;
    if (m.type === 'clip.chunk') {
      const { data, ...rest } = m.body as BodyOf<'clip.chunk'>;
      if (data) m = { ...m, body: { ...rest, dataBase64: data.toString('base64') } };
    }
    return Buffer.from(JSON.stringify(m, (_k, v) => (isSerializedBuffer(v) ? Buffer.from(v.data).toString('base64') : v)));
  }
  const split = splitAttachment(message);
  if (split) return encodeFrame(split.header, split.bytes);
  if (message.type === 'health') return Buffer.from(JSON.stringify({ ...message, body: compactHealth(message.body as BodyOf<'health'>) }));
  return Buffer.from(JSON.stringify(message));
}

/**
 * A payload made here re-encoded for a reader of protocol `v` (the centre answering a v1 agent):
 * same message, that envelope version, that version's encoding. Payloads this code cannot read
 * are returned unchanged.
 */
export function encodeForVersion(payload: Buffer, v: ProtocolVersion): Buffer {
  if (v === PROTOCOL_VERSION) return payload;
  let message: Message;
  if (isFrame(payload)) {
    const frame = readFrame(payload);
    if (!frame.ok) return payload;
    const env = frame.envelope as Message;
    const placed = attachBytes(env.type, env.body, frame.bytes);
    if (!placed.ok) return payload;
    message = { ...env, body: placed.body } as Message;
  } else {
    try {
      message = JSON.parse(payload.toString());
    } catch {
      return payload;
    }
  }
  return encodeMessage({ ...message, v });
}

/** What JSON.stringify makes of a Buffer (its toJSON), to turn into base64 for a v1 reader. */
function isSerializedBuffer(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return !!v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

export type DecodeError =
  | 'too-large'
  | 'not-json'
  | 'bad-frame'
  | 'bad-envelope'
  | 'unsupported-version'
  | 'agent-mismatch'
  | 'type-not-allowed'
  | 'bad-body';

export type DecodeResult =
  | { ok: true; message: Message }
  | { ok: false; error: DecodeError; detail: string };

/**
 * Validates a payload received on `topic` of agent `topicAgentId`. Never throws: hostile input
 * gets a reason code that the caller counts and logs.
 */
export function decodeMessage(topic: TopicName, topicAgentId: string, payload: Buffer | string): DecodeResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, error: 'too-large', detail: `${size} bytes` };
  let raw: unknown;
  let attached: Buffer | undefined;
  const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (isFrame(buf)) {
    const frame = readFrame(buf);
    if (!frame.ok) return { ok: false, error: 'bad-frame', detail: frame.detail };
    raw = frame.envelope;
    attached = frame.bytes;
  } else {
    try {
      raw = JSON.parse(buf.toString());
    } catch {
      return { ok: false, error: 'not-json', detail: 'payload is neither JSON nor a camfleet frame' };
    }
  }
  const v = raw && typeof raw === 'object' && 'v' in raw ? (raw as { v: unknown }).v : undefined;
  if (v !== undefined && !(SUPPORTED_PROTOCOL_VERSIONS as readonly unknown[]).includes(v)) {
    return { ok: false, error: 'unsupported-version', detail: unsupportedVersionDetail(v) };
  }
  if (attached && v === 1) return { ok: false, error: 'bad-frame', detail: 'protocol v1 has no binary frames' };
  const env = Envelope.safeParse(raw);
  if (!env.success) return { ok: false, error: 'bad-envelope', detail: summarizeIssues(env.error) };
  if (env.data.agentId !== topicAgentId) {
    return { ok: false, error: 'agent-mismatch', detail: `${env.data.agentId} on ${topicAgentId}'s topic` };
  }
  const allowed: readonly string[] = TOPICS[topic].types;
  if (!allowed.includes(env.data.type)) {
    return { ok: false, error: 'type-not-allowed', detail: `${env.data.type} on ${topic}` };
  }
  let rawBody = env.data.body;
  if (attached) {
    const placed = attachBytes(env.data.type, rawBody, attached);
    if (!placed.ok) return { ok: false, error: 'bad-frame', detail: placed.detail };
    rawBody = placed.body;
  }
  if (env.data.type === 'health' && env.data.v >= 2 && isCompactHealth(rawBody)) {
    const expanded = expandHealth(rawBody);
    if (!expanded.ok) return { ok: false, error: 'bad-body', detail: expanded.detail };
    rawBody = expanded.body;
  }
  const schema = BODIES[env.data.type as MessageType];
  const body = schema.safeParse(rawBody);
  if (!body.success) return { ok: false, error: 'bad-body', detail: summarizeIssues(body.error) };
  let decoded = body.data;
  // A v1 chunk's base64 becomes bytes here, so readers handle one form.
  if (env.data.type === 'clip.chunk') {
    const c = decoded as z.infer<typeof ClipChunkBody>;
    if (c.dataBase64 !== undefined) {
      const { dataBase64, ...rest } = c;
      decoded = { ...rest, data: Buffer.from(dataBase64, 'base64') };
    }
  }
  return { ok: true, message: { ...env.data, type: env.data.type as MessageType, body: decoded } as Message };
}

export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
