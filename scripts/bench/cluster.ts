/**
 * `npm run bench -- cluster`: the clustered MQTT tier against the embedded single node, in one run.
 *
 *   env: BENCH_AGENTS (default 2000), BENCH_CAMERAS (5), BENCH_RATE (target messages/s, 1000),
 *        BENCH_SECONDS (per phase, 30), BENCH_SKIP_EMBEDDED=1
 *
 * Both sides get the same simulated fleet (test/fleet-sim: real MQTT, outbox that deletes on
 * PUBACK) and the same store (one SQLite file, (agent, seq) de-duplication in the transaction).
 * - embedded: aedes (broker/broker.ts) in this process; the PUBACK waits for the commit.
 * - cluster: 3 RabbitMQ nodes (quorum ingest queue), 2 consumer processes that commit then ack;
 *   the PUBACK means "in the quorum queue on a majority of nodes"; "stored" comes after.
 * Figures: seconds to connect all agents (every connect authenticated: HTTP auth backend in the
 * cluster), acknowledged messages/s, p50/p99 outbox->PUBACK, p50/p99 of the age of a message when
 * stored is not measured separately; memory per connection (process RSS delta embedded; RabbitMQ's
 * own total per node / its connections), then the cluster again while one node is killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pino from 'pino';
import { parseTopic, TOPICS } from '@camfleet/shared';
import { startBroker } from '../../aggregator/src/broker/broker.ts';
import { AuthBackend, startAuthBackend } from '../../aggregator/src/transport/auth-backend.ts';
import { startRabbitTransport } from '../../aggregator/src/transport/rabbitmq.ts';
import { startRabbitCluster } from '../../test/support/rabbitmq.ts';
import { startChild, type Child } from '../../test/support/processes.ts';
import { Fleet } from '../../test/fleet-sim/fleet.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 2000);
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const logger = pino({ level: 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'cf-bench-cluster-'));
const secrets = new Map(Array.from({ length: AGENTS }, (_, i) => [`bench-${i}`, randomBytes(16).toString('hex')]));

interface Figures {
  connectS: number;
  msgPerS: number;
  p50: number;
  p99: number;
  bytesPerConn: number;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function newFleet(urls: string[]): Fleet {
  return new Fleet({
    agents: [...secrets].map(([id, secret]) => ({ id, secret, cameras: CAMERAS })),
    brokerUrls: urls,
    healthEverySeconds: AGENTS / RATE,
    connectPerSecond: 200,
  });
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Connect, then measure SECONDS of steady load. */
async function drive(f: Fleet, during?: () => Promise<void>): Promise<Omit<Figures, 'bytesPerConn'>> {
  const t0 = Date.now();
  await f.start();
  await until(`all ${AGENTS} agents connected (${f.connected.size})`, () => f.connected.size === AGENTS, 600_000);
  const connectS = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  f.latencies = [];
  const a0 = f.ackedCount;
  const s0 = Date.now();
  const extra = during?.();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  await extra;
  const msgPerS = (f.ackedCount - a0) / ((Date.now() - s0) / 1000);
  return { connectS, msgPerS, p50: pct(f.latencies, 50), p99: pct(f.latencies, 99) };
}

function openStore(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS stored (agent_id TEXT NOT NULL, seq INTEGER NOT NULL, instance INTEGER NOT NULL, PRIMARY KEY (agent_id, seq))');
  const ins = db.prepare('INSERT OR IGNORE INTO stored (agent_id, seq, instance) VALUES (?, ?, 0)');
  return { db, store: db.transaction((rows: Array<[string, number]>) => rows.forEach((r) => ins.run(...r))) };
}

async function embedded(): Promise<Figures> {
  const { db, store } = openStore(join(dir, 'embedded.sqlite'));
  // Batched like ingest: a commit every 5 ms or 500 messages; each PUBACK waits for its commit.
  let batch: Array<{ row: [string, number]; done: () => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const b = batch;
    batch = [];
    store(b.map((x) => x.row));
    b.forEach((x) => x.done());
  };
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    logger,
    publishRatePerSecond: 1000,
    publishBurst: 2000,
    verifyAgent: (id, pw) => secrets.get(id) === pw,
    onAgentMessage: (agentId, topic, payload) => {
      const parsed = parseTopic(topic);
      if (!parsed || !TOPICS[parsed.name].outbox) return;
      const seq = (JSON.parse(payload.toString()) as { seq: number }).seq;
      return new Promise<void>((done) => {
        batch.push({ row: [agentId, seq], done });
        if (batch.length >= 500) flush();
        else timer ??= setTimeout(flush, 5);
      });
    },
  });
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const f = newFleet([`mqtt://127.0.0.1:${broker.port}`]);
  // The simulated agents live in this process too: their own memory is measured apart below.
  const r = await drive(f);
  const rssAll = process.memoryUsage().rss;
  await f.close();
  await broker.close();
  db.close();
  return { ...r, bytesPerConn: (rssAll - rss0) / AGENTS };
}

async function cluster(): Promise<{ steady: Figures; nodeKilled: Omit<Figures, 'bytesPerConn'>; clusterUpS: number; memPerNode: string[] }> {
  const backend = new AuthBackend({ secret: 'bench', verifyAgent: (id, pw) => secrets.get(id) === pw, isAgentActive: (id) => secrets.has(id), ratePerSecond: 100_000, logger });
  const auth = await startAuthBackend(backend);
  const t0 = Date.now();
  const c = await startRabbitCluster({ dir: join(dir, 'rabbit'), authBackendUrl: `http://127.0.0.1:${auth.port}/internal/rabbitmq/bench`, log: (l) => console.log(`  ${l}`) });
  const clusterUpS = (Date.now() - t0) / 1000;
  const consumers: Child[] = [];
  try {
    const admin = await startRabbitTransport({ amqpUrls: c.amqpUrls, consume: false, onAgentMessage: () => {}, logger });
    const file = join(dir, 'cluster.sqlite');
    openStore(file).db.close();
    for (let i = 0; i < 2; i++) consumers.push(startChild(process.execPath, ['--import', 'tsx', 'test/cluster/consumer.ts', file, ...c.amqpUrls.slice(i), ...c.amqpUrls.slice(0, i)]));
    await until('consumers ready', () => consumers.every((x) => x.output().includes('ready')), 60_000);
    const f = newFleet(c.mqttUrls);
    const steady = await drive(f);
    const memPerNode: string[] = [];
    let bytes = 0;
    for (let i = 0; i < c.nodes.length; i++) {
      const st = await c.ctl(i, ['status', '--formatter', 'json']);
      const conns = await c.ctl(i, ['list_connections', '--local', 'name', '--formatter', 'json']).catch(() => ({ stdout: '[]' }));
      let total = NaN;
      let n = NaN;
      try {
        total = Number((JSON.parse(st.stdout) as { memory?: { total?: { rss?: number; allocated?: number } } }).memory?.total?.rss ?? NaN);
        n = (JSON.parse(conns.stdout) as unknown[]).length;
      } catch {}
      bytes += total;
      memPerNode.push(`node ${i}: ${(total / 2 ** 20).toFixed(0)} MiB for ${n} connections (${((total / Math.max(1, n)) / 1024).toFixed(0)} KiB each, including the node's base)`);
    }
    // The same load while one node is killed (its agents reconnect to the others).
    f.latencies = [];
    const a0 = f.ackedCount;
    const s0 = Date.now();
    await c.killNode(2);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const nodeKilled = { connectS: NaN, msgPerS: (f.ackedCount - a0) / ((Date.now() - s0) / 1000), p50: pct(f.latencies, 50), p99: pct(f.latencies, 99) };
    await f.close();
    await admin.close();
    return { steady: { ...steady, bytesPerConn: bytes / AGENTS }, nodeKilled, clusterUpS, memPerNode };
  } finally {
    consumers.forEach((x) => x.kill('SIGKILL'));
    await Promise.all(consumers.map((x) => x.exited));
    await c.stop();
    await auth.close();
  }
}

async function main() {
  console.log(`bench cluster: ${AGENTS} agents x ${CAMERAS} cameras, target ${RATE} msg/s, ${SECONDS} s per phase`);
  const e = process.env.BENCH_SKIP_EMBEDDED ? undefined : await embedded();
  if (e) console.log(`embedded (aedes, ack after commit): connect ${e.connectS.toFixed(1)} s, ${e.msgPerS.toFixed(0)} msg/s, outbox->PUBACK p50 ${e.p50} ms p99 ${e.p99} ms, ~${(e.bytesPerConn / 1024).toFixed(1)} KiB per agent (broker and simulated agent together)`);
  const c = await cluster();
  const s = c.steady;
  console.log(`cluster up (3 nodes, joined): ${c.clusterUpS.toFixed(0)} s`);
  console.log(`cluster (RabbitMQ x3, quorum queue, 2 consumers): connect ${s.connectS.toFixed(1)} s, ${s.msgPerS.toFixed(0)} msg/s, outbox->PUBACK p50 ${s.p50} ms p99 ${s.p99} ms`);
  for (const m of c.memPerNode) console.log(`  ${m}`);
  console.log(`cluster while node 2 is killed: ${c.nodeKilled.msgPerS.toFixed(0)} msg/s, p50 ${c.nodeKilled.p50} ms p99 ${c.nodeKilled.p99} ms`);
  if (e) {
    console.log(`ratios cluster/embedded: connect time ${(s.connectS / e.connectS).toFixed(2)}x, throughput ${(s.msgPerS / e.msgPerS).toFixed(2)}x, p99 ${(s.p99 / e.p99).toFixed(2)}x`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
