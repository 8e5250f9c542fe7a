/**
 * A fleet simulator: many lightweight agents in one process, speaking the real protocol over
 * real MQTT (the `mqtt` client the agent uses): client id = username = agent id, the 'online'
 * status after SUBACK of the commands topic, 'offline' as last will, health samples and events
 * from an outbox with increasing seq that deletes a message only on its PUBACK and re-sends
 * everything still pending after a reconnect (the real agent's outbox semantics, in memory).
 *
 * Brokers: each agent gets the list of broker URLs rotated by its index, so agents spread over
 * nodes and fail over to the next node when theirs dies.
 *
 * It records what the centre acknowledged (`acked`: agent -> seqs) so a test can check that
 * every acknowledged message is stored exactly once.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createHash } from 'node:crypto';
import { encodeMessage, makeMessage, topicFor, TOPICS, type MessageType, type BodyOf, type TopicName } from '@camfleet/shared';

/** The topic each outbox message type travels on. */
const TOPIC_OF: Partial<Record<MessageType, TopicName>> = { health: 'health', event: 'events', 'clip.offer': 'clipOffer', 'clip.chunk': 'clipChunk' };

export interface SimAgentSpec {
  id: string;
  secret: string;
  cameras: number;
}

export interface FleetOptions {
  agents: SimAgentSpec[];
  brokerUrls: string[];
  /** Mean seconds between health samples per agent (jittered +-50%). */
  healthEverySeconds: number;
  /** One event every this many health samples (0: none). */
  eventEvery?: number;
  /** Agents connecting per second (a real fleet does not all dial in the same millisecond). */
  connectPerSecond?: number;
  onCommand?: (agentId: string, payload: Buffer) => void;
}

interface Pending {
  seq: number;
  topic: string;
  payload: Buffer;
  inFlight: boolean;
  /** When it entered the outbox (latency to PUBACK is measured from here). */
  at: number;
  /** De-duplicated by (agent, seq) at the centre (clip chunks are not: clip_chunks is). */
  dedup: boolean;
}

export class SimAgent {
  client?: MqttClient;
  seq = 0;
  readonly pending = new Map<number, Pending>();
  readonly acked = new Set<number>();
  connects = 0;
  refused = 0;
  /** Clips offered, by id: their bytes until the centre says done. */
  readonly clips = new Map<string, { bytes: Buffer; chunkBytes: number; done: boolean; chunksSent: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    readonly spec: SimAgentSpec,
    private readonly fleet: Fleet,
  ) {}

  connect(urls: string[]): void {
    const servers = urls.map((u) => {
      const x = new URL(u);
      return { host: x.hostname, port: Number(x.port) };
    });
    const c = mqtt.connect({
      servers,
      clientId: this.spec.id,
      username: this.spec.id,
      password: this.spec.secret,
      clean: true,
      keepalive: 30,
      // Generous and jittered: a first login costs the centre a scrypt (then a keyed hash), and on
      // a loaded machine a 10 s connect timeout makes clients give up and reconnect while their
      // first attempt is still being authenticated: a storm of duplicate-id takeovers.
      reconnectPeriod: 2000 + Math.floor(Math.random() * 3000),
      connectTimeout: 60_000,
      protocolVersion: 4,
      will: { topic: topicFor('status', this.spec.id), payload: encodeMessage(makeMessage('status', this.spec.id, 0, { state: 'offline', reason: 'will' })), qos: 1, retain: false },
    });
    this.client = c;
    c.on('connect', () => {
      this.connects++;
      this.fleet.connected.add(this.spec.id);
      c.subscribe(topicFor('commands', this.spec.id), { qos: 1 }, (err) => {
        if (err) return;
        // State topics carry seq 0: they are not outbox messages (latest wins).
        c.publish(topicFor('status', this.spec.id), encodeMessage(makeMessage('status', this.spec.id, 0, { state: 'online' })), { qos: 1 });
        for (const p of this.pending.values()) p.inFlight = false;
        // Like the real agent: a clip not yet confirmed 'done' is offered again after a
        // reconnect (the centre answers with what it still needs, or 'done'): a 'done' sent
        // while this agent was moving to another broker node is not lost for good.
        for (const [clipId, clip] of this.clips) if (!clip.done) this.offerClip(clipId, clip.bytes, clip.chunkBytes);
        this.flush();
      });
    });
    c.on('close', () => this.fleet.connected.delete(this.spec.id));
    c.on('error', (err) => {
      if ((err as { code?: number }).code === 5 || /Not authorized|Bad User Name/i.test(err.message)) this.refused++;
    });
    c.on('message', (_t, payload) => {
      this.onCommand(payload);
      this.fleet.options.onCommand?.(this.spec.id, payload);
    });
  }

  start(): void {
    const every = this.fleet.options.healthEverySeconds * 1000;
    const tick = () => {
      this.sample();
      this.timer = setTimeout(tick, every * (0.5 + Math.random()));
    };
    this.timer = setTimeout(tick, Math.random() * every);
  }

  stopPublishing(): void {
    clearTimeout(this.timer);
  }

  private sample(): void {
    const now = new Date();
    const cameras = Array.from({ length: this.spec.cameras }, (_, i) => ({
      cameraId: `${this.spec.id}-cam${i}`,
      online: true,
      recording: true,
      fps: 15,
      bitrateKbps: 2048,
      lastSegmentAt: now.toISOString(),
      gapsLastHour: 0,
    }));
    this.enqueue('health', { sampledAt: now.toISOString(), cameras });
    const every = this.fleet.options.eventEvery ?? 0;
    if (every > 0 && this.seq % every === 0) {
      this.enqueue('event', {
        eventId: `${this.spec.id}-e${this.seq}`,
        kind: 'object',
        cameraId: `${this.spec.id}-cam0`,
        startedAt: now.toISOString(),
        data: { class: 'motorbike', score: 0.8 },
      });
    }
  }

  /** Offers a clip: the centre answers with clip.need commands, the agent sends those chunks. */
  offerClip(clipId: string, bytes: Buffer, chunkBytes = 64 * 1024): void {
    const known = this.clips.get(clipId);
    this.clips.set(clipId, { bytes, chunkBytes, done: false, chunksSent: known?.chunksSent ?? 0 });
    const now = new Date().toISOString();
    this.enqueue('clip.offer', {
      clipId,
      cameraId: `${this.spec.id}-cam0`,
      from: now,
      to: now,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      chunkBytes,
      chunks: Math.ceil(bytes.length / chunkBytes),
      segmentHashes: [],
      reason: 'fleet-sim',
    });
  }

  private onCommand(payload: Buffer): void {
    let cmd: { body?: { name?: string; args?: { clipId?: string; missing?: number[]; done?: boolean } } };
    try {
      cmd = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (cmd.body?.name !== 'clip.need') return;
    const { clipId, missing = [], done } = cmd.body.args ?? {};
    const clip = clipId ? this.clips.get(clipId) : undefined;
    if (!clip || !clipId) return;
    if (done) {
      clip.done = true;
      return;
    }
    for (const index of missing) {
      const data = clip.bytes.subarray(index * clip.chunkBytes, (index + 1) * clip.chunkBytes);
      this.enqueue('clip.chunk', { clipId, index, sha256: createHash('sha256').update(data).digest('hex'), data: Buffer.from(data) });
      clip.chunksSent++;
    }
  }

  enqueue<T extends MessageType>(type: T, body: BodyOf<T>): void {
    const seq = ++this.seq;
    const topicName = TOPIC_OF[type];
    if (!topicName) throw new Error(`fleet-sim: no outbox topic for ${type}`);
    const topic = topicFor(topicName, this.spec.id);
    this.pending.set(seq, { seq, topic, payload: encodeMessage(makeMessage(type, this.spec.id, seq, body)), inFlight: false, at: Date.now(), dedup: TOPICS[topicName].outbox });
    this.fleet.enqueued++;
    this.flush();
  }

  /** Publishes what is pending; a message leaves the outbox only on its PUBACK. */
  private flush(): void {
    const c = this.client;
    if (!c?.connected) return;
    for (const p of this.pending.values()) {
      if (p.inFlight) continue;
      p.inFlight = true;
      c.publish(p.topic, p.payload, { qos: 1 }, (err) => {
        if (err) {
          p.inFlight = false;
          return;
        }
        this.pending.delete(p.seq);
        // `acked` lists what the centre must have recorded by (agent, seq); chunks count as
        // delivered through their clip's completion instead.
        if (p.dedup) this.acked.add(p.seq);
        this.fleet.ackedCount++;
        this.fleet.latencies.push(Date.now() - p.at);
      });
    }
  }

  async close(): Promise<void> {
    this.stopPublishing();
    await new Promise<void>((r) => (this.client ? this.client.end(true, {}, () => r()) : r()));
  }
}

export class Fleet {
  readonly agents: SimAgent[];
  readonly connected = new Set<string>();
  enqueued = 0;
  ackedCount = 0;
  /** Outbox-to-PUBACK milliseconds of every acknowledged message (benchmarks read and reset it). */
  latencies: number[] = [];

  constructor(readonly options: FleetOptions) {
    this.agents = options.agents.map((a) => new SimAgent(a, this));
  }

  /** Connects every agent (paced) and starts their samples. */
  async start(): Promise<void> {
    const rate = this.options.connectPerSecond ?? 200;
    const urls = this.options.brokerUrls;
    for (let i = 0; i < this.agents.length; i++) {
      const rotated = urls.map((_, k) => urls[(i + k) % urls.length]!);
      this.agents[i]!.connect(rotated);
      this.agents[i]!.start();
      if ((i + 1) % Math.max(1, Math.floor(rate / 10)) === 0) await new Promise((r) => setTimeout(r, 100));
    }
  }

  stopPublishing(): void {
    for (const a of this.agents) a.stopPublishing();
  }

  pendingCount(): number {
    let n = 0;
    for (const a of this.agents) n += a.pending.size;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.close()));
  }
}
