/**
 * Envelope and message bodies of protocol v1. One zod schema per message type; topics.ts says
 * which types may appear on which topic.
 */
import { z } from 'zod';
import { PROTOCOL_VERSION } from './version.ts';
import { CameraReport } from './camera.ts';
import { TOPICS, isValidAgentId, type TopicName } from './topics.ts';

/** Largest MQTT payload either side accepts (a 256 KiB clip chunk in base64 fits with room). */
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
  /** JPEG snapshot, base64, for object and tamper events. */
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

export const ClipChunkBody = z.object({
  clipId: id,
  index: z.number().int().nonnegative(),
  sha256: sha256Hex,
  dataBase64: z.string().max(Math.ceil((CLIP_CHUNK_BYTES * 4) / 3) + 4),
});

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
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().uuid(),
  agentId: z.string().refine(isValidAgentId, 'invalid agent id'),
  seq: z.number().int().nonnegative(),
  ts: isoTime,
  type: z.string(),
  body: z.unknown(),
});

export interface Message<T extends MessageType = MessageType> {
  v: typeof PROTOCOL_VERSION;
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

export function encodeMessage(message: Message): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export type DecodeError =
  | 'too-large'
  | 'not-json'
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
  try {
    raw = JSON.parse(payload.toString());
  } catch {
    return { ok: false, error: 'not-json', detail: 'payload is not JSON' };
  }
  if (raw && typeof raw === 'object' && 'v' in raw && (raw as { v: unknown }).v !== PROTOCOL_VERSION) {
    return { ok: false, error: 'unsupported-version', detail: `v=${String((raw as { v: unknown }).v)}` };
  }
  const env = Envelope.safeParse(raw);
  if (!env.success) return { ok: false, error: 'bad-envelope', detail: summarizeIssues(env.error) };
  if (env.data.agentId !== topicAgentId) {
    return { ok: false, error: 'agent-mismatch', detail: `${env.data.agentId} on ${topicAgentId}'s topic` };
  }
  const allowed: readonly string[] = TOPICS[topic].types;
  if (!allowed.includes(env.data.type)) {
    return { ok: false, error: 'type-not-allowed', detail: `${env.data.type} on ${topic}` };
  }
  const schema = BODIES[env.data.type as MessageType];
  const body = schema.safeParse(env.data.body);
  if (!body.success) return { ok: false, error: 'bad-body', detail: summarizeIssues(body.error) };
  return { ok: true, message: { ...env.data, type: env.data.type as MessageType, body: body.data } as Message };
}

export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
