/**
 * The durable outbox on its own: ordering by urgency, deletion on acknowledgement only,
 * survival across a reopen, and the bound (health coalesced, events never dropped).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createLogger, type Message } from '@camfleet/shared';
import { openAgentDb } from '../../src/storage/db.ts';
import { UPLINK_MIGRATIONS } from '../../src/uplink/schema.ts';
import { Outbox, coalesceHealth } from '../../src/uplink/outbox.ts';
import { SeqCounter } from '../../src/uplink/seq.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const logger = createLogger('test', { level: 'silent' });

function open(dir: string, policy = { maxMessages: 1000, maxBytes: 10 * 1024 * 1024 }) {
  const db = openAgentDb(dir, UPLINK_MIGRATIONS);
  return { db, outbox: new Outbox(db, 'site-a-1', new SeqCounter(join(dir, 'seq.json')), policy, logger) };
}

const health = (cam: string, online: boolean, at: string) => ({ sampledAt: at, cameras: [{ cameraId: cam, online, recording: online }] });
const event = (id: string) => ({ eventId: id, kind: 'tamper' as const, startedAt: new Date().toISOString(), data: {} });

test('replies and events go before offers, offers before health; ack deletes; a reopen keeps the rest', () => {
  const dir = tempDir();
  const { db, outbox } = open(dir.path);
  outbox.add('health', health('cam1', true, '2026-01-01T00:00:00Z'));
  outbox.add('event', event('e1'));
  outbox.add('reply', { commandId: 'c1', ok: true });
  const order = outbox.next(10).map((r) => r.type);
  assert.equal(order, ['event', 'reply', 'health']);
  const first = outbox.next(1)[0]!;
  outbox.inFlight.add(first.seq);
  assert.equal(outbox.next(10).map((r) => r.type), ['reply', 'health'], 'in-flight rows are not offered twice');
  outbox.ack(first.seq);
  assert.equal(outbox.stats().messages, 2);
  db.close();

  const again = open(dir.path);
  assert.equal(again.outbox.next(10).map((r) => r.type), ['reply', 'health']);
  const seqs = again.outbox.next(10).map((r) => r.seq);
  again.outbox.add('event', event('e2'));
  const newest = again.outbox.next(10).find((r) => r.type === 'event')!;
  assert.ok(newest.seq > Math.max(...seqs), 'seqs never repeat after a restart');
  again.db.close();
  dir.cleanup();
});

test('over its bound the outbox merges old health samples and keeps every event', () => {
  const dir = tempDir();
  const { db, outbox } = open(dir.path, { maxMessages: 20, maxBytes: 10 * 1024 * 1024 });
  for (let i = 0; i < 50; i++) {
    outbox.add('event', event(`e${i}`));
    outbox.add('health', health(`cam${i % 3}`, i % 2 === 0, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()));
  }
  const rows = outbox.next(1000);
  const events = rows.filter((r) => r.type === 'event');
  const healthRows = rows.filter((r) => r.type === 'health').map((r) => (JSON.parse(r.payload.toString()) as Message<'health'>).body);
  assert.is(events.length, 50, 'no event dropped even past the bound');
  assert.ok(healthRows.length <= 2, `health coalesced (${healthRows.length} rows left)`);
  const represented = healthRows.reduce((n, h) => n + (h.coalesced ?? 1), 0);
  assert.is(represented, 50, 'the merged samples say how many samples they stand for');
  db.close();
  dir.cleanup();
});

test('coalescing keeps the latest state per camera', () => {
  const merged = coalesceHealth([
    health('cam1', true, '2026-01-01T00:00:00Z'),
    { ...health('cam2', true, '2026-01-01T00:00:10Z'), coalesced: 3 },
    health('cam1', false, '2026-01-01T00:00:20Z'),
  ]);
  assert.is(merged.sampledAt, '2026-01-01T00:00:20Z');
  assert.is(merged.coalesced, 5);
  assert.equal(
    merged.cameras.map((c) => [c.cameraId, c.online]),
    [
      ['cam1', false],
      ['cam2', true],
    ],
  );
});

test.run();
