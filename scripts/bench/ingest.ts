/**
 * Uplink ingest benchmark.
 *
 *   npm run bench -- ingest        (env: BENCH_AGENTS, BENCH_CAMERAS, BENCH_PERIOD_MS, BENCH_SECONDS,
 *                                   BENCH_OUTAGE_MESSAGES, BENCH_CLIP_BUDGET)
 *
 * 1. M simulated agents with K cameras each send a health sample every T: sustained messages per
 *    second stored in SQLite and p50/p99 latency from publish to committed (queryable), through
 *    the aggregator (embedded aedes + batched ingest + the domain's listeners), then the same load
 *    through Debian's Mosquitto as reference broker with the same ingest and listeners subscribed
 *    behind it (in this process; Mosquitto in its own). The load generator is a child process.
 *    Note the two paths differ in what an agent's PUBACK means: the aggregator acknowledges after
 *    the commit (so a lost message is redelivered), Mosquitto when it has the message.
 * 2. Outbox drain: an agent that produced N messages during an outage, then the aggregator comes
 *    back: messages per second until the outbox is empty.
 * 3. Clip throughput under a byte budget, as a fraction of the budget.
 * 4. Bytes on the uplink (issue 17): TCP bytes the agent wrote per clip byte while sending a clip
 *    (goal <= 1.03), against protocol v1's base64-in-JSON chunks for the same clip (computed in
 *    the same run: the measured MQTT framing plus v1's payloads); bytes per camera of a health
 *    sample, v2's compact table against v1's JSON objects.
 *
 * BENCH_ONLY=wire runs only 3 and 4 (the load and drain parts take minutes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createHash } from 'node:crypto';
import { CLIP_CHUNK_BYTES, createLogger, encodeMessage, makeMessage, topicFor, type BodyOf, type Message } from '@camfleet/shared';
import { AggregatorConfigSchema } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';
import { openDatabase } from '../../aggregator/src/db/database.ts';
import { FleetStore } from '../../aggregator/src/fleet/store.ts';
import { Ingest } from '../../aggregator/src/ingest/ingest.ts';
import { createDomainServices } from '../../aggregator/src/services.ts';
import { startTestUplink } from '../../test/uplink/agent-support.ts';
import { freePort } from '../../test/support/ports.ts';
import { waitFor } from '../../test/support/wait.ts';

const M = Number(process.env.BENCH_AGENTS ?? 100);
const K = Number(process.env.BENCH_CAMERAS ?? 8);
const T = Number(process.env.BENCH_PERIOD_MS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const OUTAGE_MESSAGES = Number(process.env.BENCH_OUTAGE_MESSAGES ?? 20_000);
const CLIP_BUDGET = Number(process.env.BENCH_CLIP_BUDGET ?? 1024 * 1024);
const logger = createLogger('bench', { level: 'error' });
const work = process.argv[2] === '--load' ? '' : mkdtempSync(join(tmpdir(), 'camfleet-bench-ingest-'));

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

function config(dataDir: string, mqttPort = 0) {
  return AggregatorConfigSchema.parse({
    dataDir,
    mqtt: { host: '127.0.0.1', port: mqttPort, publishRatePerSecond: 100_000, publishBurst: 100_000 },
    http: { host: '127.0.0.1', port: 0 },
    uplink: process.env.BENCH_BATCH_DELAY_MS ? { batchMaxDelayMs: Number(process.env.BENCH_BATCH_DELAY_MS) } : {},
  });
}

function site(agg: RunningAggregator): string {
  agg.db.prepare("INSERT OR IGNORE INTO areas (id, parent_id, name, kind) VALUES ('hn', NULL, 'Ha Noi', 'city')").run();
  agg.db.prepare("INSERT OR IGNORE INTO orgs (id, name, kind, area_id) VALUES ('o', 'Org', 'ward', 'hn')").run();
  agg.db.prepare("INSERT OR IGNORE INTO sites (id, name, org_id, area_id, created_at) VALUES ('bench', 'Bench', 'o', 'hn', ?)").run(new Date().toISOString());
  return 'bench';
}

interface LoadResult {
  offered: number;
  stored: number;
  seconds: number;
  latencies: number[];
}

/**
 * The load generator runs in its own process (this file with --load), so its timers do not
 * compete with the broker under test in one event loop. It prints the number of messages offered.
 */
async function generateLoad(url: string, agents: Array<{ agentId: string; password?: string }>): Promise<number> {
  const clients: MqttClient[] = await Promise.all(
    agents.map((a) => mqtt.connectAsync(url, { clientId: a.agentId, username: a.password ? a.agentId : undefined, password: a.password, reconnectPeriod: 0 })),
  );
  let offered = 0;
  process.stdout.write(`started ${Date.now()}\n`);
  const cameras = Array.from({ length: K }, (_, c) => ({ cameraId: `cam${c}`, online: true, recording: true, fps: 15, bitrateKbps: 2048 }));
  const intervals = await Promise.all(
    clients.map((client, i) => {
      const agentId = agents[i]!.agentId;
      let seq = 0;
      // Spread the agents over the period so the load is even.
      return new Promise<NodeJS.Timeout>((resolve) =>
        setTimeout(() => {
          resolve(
            setInterval(() => {
              offered++;
              client.publish(topicFor('health', agentId), encodeMessage(makeMessage('health', agentId, ++seq, { sampledAt: new Date().toISOString(), cameras })), { qos: 1 });
            }, T),
          );
        }, (i * T) / clients.length),
      );
    }),
  );
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const t of intervals) clearInterval(t);
  await Promise.all(clients.map((c) => c.endAsync()));
  return offered;
}

/** Runs the generator in a child process; resolves when everything it offered is stored. */
async function runLoad(url: string, agents: Array<{ agentId: string; password?: string }>, storedCount: () => number): Promise<Omit<LoadResult, 'latencies'>> {
  const base = storedCount();
  const agentsFile = join(work, `agents-${Date.now()}.json`);
  writeFileSync(agentsFile, JSON.stringify(agents), { mode: 0o600 });
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--load', url, agentsFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const offered = Number(/offered (\d+)/.exec(out)?.[1]);
  const started = Number(/started (\d+)/.exec(out)?.[1]);
  await waitFor('all stored', () => storedCount() - base >= offered, { timeoutMs: 120_000, intervalMs: 5 });
  const seconds = (Date.now() - started) / 1000;
  return { offered, stored: storedCount() - base, seconds };
}

async function benchAggregator(): Promise<LoadResult> {
  const agg = await startAggregator(config(join(work, 'agg-load')), logger);
  const siteId = site(agg);
  const agents = Array.from({ length: M }, () => {
    const { token } = agg.uplink.enrollment.createToken(siteId, 600);
    const e = agg.uplink.enrollment.enroll(token);
    return { agentId: e.agentId, password: e.password };
  });
  const latencies: number[] = [];
  agg.ingest.onCommitted('health', (m) => latencies.push(Date.now() - Date.parse(m.ts)));
  const count = agg.db.prepare('SELECT COUNT(DISTINCT agent_id || seq) FROM camera_health_samples').pluck();
  let stored = 0;
  agg.ingest.onCommitted('health', () => stored++);
  const r = await runLoad(`mqtt://127.0.0.1:${agg.mqttPort}`, agents, () => stored);
  const inDb = count.get() as number;
  await agg.close();
  if (inDb !== r.stored) throw new Error(`aggregator: ${inDb} samples in SQLite, ${r.stored} committed`);
  return { ...r, latencies };
}

async function benchMosquitto(): Promise<LoadResult> {
  const port = await freePort();
  const conf = join(work, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 100\nmax_queued_messages 100000\n`);
  const broker: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  try {
    await waitFor('mosquitto up', () => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 }).then((c) => c.endAsync().then(() => true), () => false), { timeoutMs: 20_000 });
    // The same ingest (decode, validate, batch, de-duplicate, commit) behind the external broker.
    const db = openDatabase(join(work, 'mosq', 'aggregator.db'));
    const ingest = new Ingest(new FleetStore(db), logger, { db });
    // With the same domain listeners (alerts, inventory) as the aggregator, so only the broker differs.
    const domain = createDomainServices(db, { ingest, logger });
    const latencies: number[] = [];
    let stored = 0;
    ingest.onCommitted('health', (m: Message) => {
      latencies.push(Date.now() - Date.parse(m.ts));
      stored++;
    });
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'ingest', clean: true, reconnectPeriod: 0 });
    sub.on('message', (topic, payload) => {
      const agentId = topic.split('/')[3]!;
      void ingest.handle(agentId, topic, payload);
    });
    await sub.subscribeAsync('camfleet/v1/agents/+/health', { qos: 1 });
    const agents = Array.from({ length: M }, (_, i) => ({ agentId: `mosq-agent-${i}` }));
    const r = await runLoad(`mqtt://127.0.0.1:${port}`, agents, () => stored);
    await sub.endAsync(true);
    ingest.close();
    domain.close();
    db.close();
    return { ...r, latencies };
  } finally {
    broker.kill('SIGTERM');
  }
}

async function benchDrain(): Promise<{ messages: number; seconds: number }> {
  const dataDir = join(work, 'agg-drain');
  let agg = await startAggregator(config(dataDir), logger);
  const port = agg.mqttPort;
  const { token } = agg.uplink.enrollment.createToken(site(agg), 600);
  const e = agg.uplink.enrollment.enroll(token);
  await agg.close();
  // The agent works through an outage: its outbox fills.
  const agent = startTestUplink({
    dataDir: join(work, 'agent-drain'),
    credentials: { agentId: e.agentId, password: e.password, mqttUrl: `mqtt://127.0.0.1:${port}` },
    maxMessagesPerSecond: 0,
    maxInFlight: 256,
    outboxMaxMessages: OUTAGE_MESSAGES * 2,
  });
  for (let i = 0; i < OUTAGE_MESSAGES; i++) {
    if (i % 4 === 0) await agent.uplink.publish('event', { eventId: `e${i}`, kind: 'object', cameraId: 'cam1', startedAt: new Date().toISOString(), data: { i } });
    else await agent.uplink.publish('health', { sampledAt: new Date().toISOString(), cameras: [{ cameraId: 'cam1', online: true, recording: true }] });
  }
  const messages = agent.uplink.outbox.stats().messages;
  agg = await startAggregator(config(dataDir, port), logger);
  const started = performance.now();
  await waitFor('outbox drained', () => agent.uplink.outbox.stats().messages === 0, { timeoutMs: 300_000, intervalMs: 20 });
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  await agg.close();
  return { messages, seconds };
}

/** Payload bytes of a clip's chunks in protocol v2 (frames) and v1 (base64 in JSON). */
function chunkPayloads(agentId: string, clip: Buffer): { v2: number; v1: number; chunks: number } {
  let v2 = 0;
  let v1 = 0;
  let chunks = 0;
  for (let at = 0, index = 0; at < clip.length; at += CLIP_CHUNK_BYTES, index++) {
    const data = clip.subarray(at, at + CLIP_CHUNK_BYTES);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const m = makeMessage('clip.chunk', agentId, 1_000_000 + index, { clipId: 'bench', index, sha256, data });
    v2 += encodeMessage(m).length;
    v1 += encodeMessage({ ...m, v: 1 }).length;
    chunks++;
  }
  return { v2, v1, chunks };
}

/** Bytes per camera of one health sample of `k` cameras, v2 (compact) and v1 (objects), payload only and with MQTT framing. */
function healthBytes(agentId: string, k: number): { v2: number; v1: number; v2Framed: number; v1Framed: number } {
  const body: BodyOf<'health'> = {
    sampledAt: new Date().toISOString(),
    cameras: Array.from({ length: k }, (_, c) => ({
      cameraId: `cam-${c + 1}`,
      online: true,
      recording: true,
      fps: 15,
      bitrateKbps: 2048 + c,
      lastSegmentAt: new Date(Date.now() - 2000).toISOString(),
      gapsLastHour: 0,
      bytesStored: 12_345_678_901 + c,
      chainHead: createHash('sha256').update(String(c)).digest('hex'),
    })),
  };
  const m = makeMessage('health', agentId, 1, body);
  const v2 = encodeMessage(m).length;
  const v1 = encodeMessage({ ...m, v: 1 }).length;
  // MQTT PUBLISH QoS 1: fixed header (1 + remaining-length bytes), topic (2 + length), packet id (2); PUBACK back (4).
  const framing = (payload: number) => 1 + (payload + 60 < 128 ? 1 : payload + 60 < 16384 ? 2 : 3) + 2 + Buffer.byteLength(topicFor('health', agentId)) + 2;
  return { v2: v2 / k, v1: v1 / k, v2Framed: (v2 + framing(v2)) / k, v1Framed: (v1 + framing(v1)) / k };
}

async function benchClip(): Promise<{ bytes: number; wireBytes: number; seconds: number; tcpBytes: number; v1TcpBytes: number; chunks: number }> {
  const agg = await startAggregator(config(join(work, 'agg-clip')), logger);
  const { token } = agg.uplink.enrollment.createToken(site(agg), 600);
  const e = agg.uplink.enrollment.enroll(token);
  const agent = startTestUplink({
    dataDir: join(work, 'agent-clip'),
    credentials: { agentId: e.agentId, password: e.password, mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}` },
    bandwidthBytesPerSecond: CLIP_BUDGET,
  });
  await waitFor('connected', () => agent.uplink.connected && agg.broker.connectedAgents().includes(e.agentId));
  const bytes = 32 * 256 * 1024;
  const file = join(work, 'clip.mp4');
  const clip = randomBytes(bytes);
  writeFileSync(file, clip);
  // Start with an empty bucket's worth of idle time behind us, as in steady state.
  const sentBefore = agent.uplink.sender.counters.bytesSent;
  // What the agent's TCP socket wrote (MQTT framing, the offer, heartbeats and pings included).
  const socket = () => (agent.uplink.client.stream as { bytesWritten?: number }).bytesWritten ?? NaN;
  const tcpBefore = socket();
  const started = performance.now();
  await agent.uplink.offerClip(file, { clipId: 'bench', cameraId: 'cam1', from: new Date(0).toISOString(), to: new Date(60_000).toISOString(), segmentHashes: [] });
  await waitFor('clip complete', () => agg.uplink.clips.get(e.agentId, 'bench')?.state === 'complete', { timeoutMs: 300_000, intervalMs: 20 });
  const seconds = (performance.now() - started) / 1000;
  const wireBytes = agent.uplink.sender.counters.bytesSent - sentBefore;
  const tcpBytes = socket() - tcpBefore;
  // v1 in the same run: the measured bytes with each v2 chunk payload swapped for its v1 form.
  const payloads = chunkPayloads(e.agentId, clip);
  const v1TcpBytes = tcpBytes - payloads.v2 + payloads.v1;
  await agent.close();
  await agg.close();
  return { bytes, wireBytes, seconds, tcpBytes, v1TcpBytes, chunks: payloads.chunks };
}

function report(name: string, r: LoadResult): { rate: number; p99: number } {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rate = r.stored / r.seconds;
  const p99 = percentile(sorted, 99);
  console.log(
    `${name.padEnd(32)} ${r.stored} samples (${r.stored * K} camera rows) in ${r.seconds.toFixed(1)} s: ` +
      `${rate.toFixed(0)} msg/s stored; publish->committed p50 ${percentile(sorted, 50)} ms, p99 ${p99} ms, max ${sorted[sorted.length - 1]} ms`,
  );
  return { rate, p99 };
}

if (process.argv[2] === '--load') {
  const agents = JSON.parse(readFileSync(process.argv[4]!, 'utf8')) as Array<{ agentId: string; password?: string }>;
  const offered = await generateLoad(process.argv[3]!, agents);
  process.stdout.write(`offered ${offered}\n`);
  process.exit(0);
}

async function wireReport(): Promise<void> {
  const clip = await benchClip();
  const payloadRate = clip.bytes / clip.seconds;
  console.log(
    `clip ${(clip.bytes / 1024 / 1024).toFixed(1)} MiB under a ${(CLIP_BUDGET / 1024).toFixed(0)} KiB/s budget: ${clip.seconds.toFixed(1)} s, ` +
      `clip bytes ${(payloadRate / 1024).toFixed(0)} KiB/s = ${((payloadRate / CLIP_BUDGET) * 100).toFixed(0)}% of the budget`,
  );
  console.log(
    `wire bytes per clip byte (agent TCP bytes written / clip bytes, ${clip.chunks} chunks of 256 KiB): v2 ${(clip.tcpBytes / clip.bytes).toFixed(4)} (goal <= 1.03); ` +
      `v1 base64 in JSON, same run ${(clip.v1TcpBytes / clip.bytes).toFixed(4)}; ratio v2/v1 ${(clip.tcpBytes / clip.v1TcpBytes).toFixed(3)}`,
  );
  for (const k of [1, 8, 32]) {
    const h = healthBytes('bench-agent-1', k);
    console.log(
      `health sample, ${String(k).padStart(2)} camera(s): bytes per camera v2 compact ${h.v2.toFixed(0)} (${h.v2Framed.toFixed(0)} with MQTT framing), ` +
        `v1 objects ${h.v1.toFixed(0)} (${h.v1Framed.toFixed(0)}); ratio v2/v1 ${(h.v2Framed / h.v1Framed).toFixed(2)}`,
    );
  }
}

if (process.env.BENCH_ONLY === 'wire') {
  try {
    await wireReport();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

try {
  console.log(`load: ${M} agents x ${K} cameras, health every ${T} ms (${((M * 1000) / T).toFixed(0)} msg/s offered) for ${SECONDS} s`);
  const ours = report('aggregator (aedes + ingest)', await benchAggregator());
  const ref = report('reference (mosquitto + ingest)', await benchMosquitto());
  console.log(`ratio aggregator/mosquitto: throughput ${(ours.rate / ref.rate).toFixed(2)}, p99 latency ${(ours.p99 / ref.p99).toFixed(2)}`);

  const drain = await benchDrain();
  console.log(`outbox drain after outage: ${drain.messages} messages in ${drain.seconds.toFixed(1)} s = ${(drain.messages / drain.seconds).toFixed(0)} msg/s (agent message-rate cap lifted; the default cap is 200 msg/s)`);

  await wireReport();
} finally {
  rmSync(work, { recursive: true, force: true });
}
