/**
 * Store-and-forward through an outage: the aggregator is stopped while the agent keeps
 * producing (and is itself restarted meanwhile); the aggregator comes back on the same ports
 * and data dir. Every event and health sample must then be stored exactly once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { encodeMessage, makeMessage, topicFor } from '@camfleet/shared';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { enrollAgent, startTestAggregator, startTestUplink } from './support.ts';

/**
 * How long the centre stays down: the issue asks for an outage of minutes. This is the
 * scenario's length, not a wait for something to happen (those are all waitFor below).
 */
const OUTAGE_MS = Number(process.env.CAMFLEET_OUTAGE_TEST_MS ?? 120_000);
/** One event and one health sample this often while the centre is down. */
const PRODUCE_EVERY_MS = 50;

test('aggregator down, agent producing and restarting: afterwards everything is stored exactly once', async () => {
  const aggDir = tempDir();
  const agentDir = join(aggDir.path, 'agent');
  let agg = await startTestAggregator(join(aggDir.path, 'agg'));
  const creds = enrollAgent(agg);
  const ports = { mqtt: { port: agg.mqttPort }, http: { port: agg.httpPort } };
  let agent = startTestUplink({ dataDir: agentDir, credentials: creds });
  let produced = 0;
  const produce = async () => {
    const i = produced++;
    await agent.uplink.publish('event', { eventId: `ev-${i}`, kind: 'object', cameraId: 'cam1', startedAt: new Date().toISOString(), data: { i } });
    await agent.uplink.publish('health', { sampledAt: new Date().toISOString(), cameras: [{ cameraId: 'cam1', online: true, recording: true, fps: i }] });
  };
  const storedEvents = () => agg.db.prepare('SELECT COUNT(*) FROM agent_events').pluck().get() as number;
  try {
    await waitFor('agent connected', () => agent.uplink.connected);
    for (let i = 0; i < 50; i++) await produce();
    await waitFor('first 50 stored', () => storedEvents() === 50);

    // Keep producing while the aggregator goes away: some messages are in flight at that moment.
    let producer = setInterval(() => void produce(), PRODUCE_EVERY_MS);
    const downSince = Date.now();
    await agg.close();
    await waitFor('agent notices the outage', () => !agent.uplink.connected);
    await sleep(Math.max(0, OUTAGE_MS / 2 - (Date.now() - downSince)));
    await waitFor('a backlog builds up', () => agent.uplink.outbox.stats().messages >= 200);

    // The agent restarts in the middle of the outage; its outbox is on disk.
    clearInterval(producer);
    await agent.close();
    const backlog = (() => {
      const reopened = startTestUplink({ dataDir: agentDir, credentials: creds });
      agent = reopened;
      return reopened.uplink.outbox.stats().messages;
    })();
    assert.ok(backlog >= 200, `backlog survived the restart (${backlog})`);
    producer = setInterval(() => void produce(), PRODUCE_EVERY_MS);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
    clearInterval(producer);
    for (let i = 0; i < 50; i++) await produce();

    // The aggregator comes back on the same ports and data.
    agg = await startTestAggregator(join(aggDir.path, 'agg'), ports);
    await waitFor('outbox drained', () => agent.uplink.outbox.stats().messages === 0, { timeoutMs: 90_000 });
    await waitFor('all events stored', () => storedEvents() === produced, { timeoutMs: 30_000 });

    const events = agg.db.prepare('SELECT event_id, COUNT(*) AS n FROM agent_events GROUP BY event_id').all() as Array<{ event_id: string; n: number }>;
    assert.is(events.length, produced);
    assert.ok(events.every((e) => e.n === 1));
    const expected = new Set(Array.from({ length: produced }, (_, i) => `ev-${i}`));
    assert.ok(events.every((e) => expected.has(e.event_id)));
    const health = agg.db.prepare('SELECT COUNT(*) AS rows, COUNT(DISTINCT seq) AS seqs FROM camera_health_samples').get() as { rows: number; seqs: number };
    assert.equal(health, { rows: produced, seqs: produced }, 'one health row per sample, none twice');

    // A redelivery (a PUBACK lost on the way) is recognised by (agentId, seq) and not stored again.
    const again = makeMessage('event', creds.agentId, 1, { eventId: 'ev-0', kind: 'object', cameraId: 'cam1', startedAt: new Date().toISOString(), data: {} });
    const seen = agg.db.prepare('SELECT seq FROM agent_events WHERE event_id = ?').pluck().get('ev-0') as number;
    const before = agg.ingest.counters.duplicates;
    await agg.ingest.handle(creds.agentId, topicFor('events', creds.agentId), encodeMessage({ ...again, seq: seen }));
    assert.is(agg.ingest.counters.duplicates, before + 1);
    assert.is(storedEvents(), produced);
  } finally {
    await agent.close();
    await agg.close();
    aggDir.cleanup();
  }
});

test.run();
