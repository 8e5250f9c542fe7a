/**
 * The sender's order and budget, without sockets: a fake publish records what goes on the wire
 * and acknowledges when told. Replies and events before offers, offers before health, clip
 * chunks only when nothing else waits; an event added mid-transfer overtakes the clip.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, encodeMessage, isFrame, makeMessage, readFrame, type BodyOf } from '@camfleet/shared';
import { TokenBucket } from '@camfleet/shared/token-bucket';
import { openAgentDb } from '../../src/storage/db.ts';
import { UPLINK_MIGRATIONS } from '../../src/uplink/schema.ts';
import { Outbox } from '../../src/uplink/outbox.ts';
import { ClipUploader } from '../../src/uplink/clips.ts';
import { UplinkSender } from '../../src/uplink/sender.ts';
import { SeqCounter } from '../../src/uplink/seq.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const logger = createLogger('test', { level: 'silent' });
const tick = () => new Promise((r) => setImmediate(r));

function setup(bandwidth = 0) {
  const dir = tempDir();
  const db = openAgentDb(dir.path, UPLINK_MIGRATIONS);
  const outbox = new Outbox(db, 'site-a-1', new SeqCounter(join(dir.path, 'seq.json')), { maxMessages: 1000, maxBytes: 1 << 30 }, logger);
  const clips = new ClipUploader(db, outbox, logger, 1024);
  const wire: Array<{ what: string; ack: () => void }> = [];
  const sender = new UplinkSender({
    agentId: 'site-a-1',
    outbox,
    clips,
    bandwidthBytesPerSecond: bandwidth,
    maxInFlight: 10,
    maxChunksInFlight: 1,
    connected: () => true,
    publish: (topic, payload) =>
      new Promise<void>((resolve) => {
        // Chunks are binary frames (header, then raw bytes); everything else here is JSON.
        const m = (isFrame(payload) ? (readFrame(payload) as { envelope: unknown }).envelope : JSON.parse(payload.toString())) as { type: string; body: { eventId?: string; index?: number } };
        if (m.type === 'clip.chunk') assert.ok(isFrame(payload), 'clip chunks travel as binary frames');
        wire.push({ what: m.type === 'clip.chunk' ? `chunk${m.body.index}` : m.body.eventId ? `event:${m.body.eventId}` : m.type, ack: resolve });
      }),
    encodeChunk: (body: BodyOf<'clip.chunk'>) => encodeMessage(makeMessage('clip.chunk', 'site-a-1', 0, body)),
    logger,
  });
  outbox.onAdded(() => sender.kick());
  clips.onChanged(() => sender.kick());
  return { dir, db, outbox, clips, sender, wire };
}

const event = (id: string) => ({ eventId: id, kind: 'object' as const, startedAt: new Date().toISOString(), data: {} });

test('events and replies first, then offers, then health, then clip chunks; an event overtakes a running clip', async () => {
  const { dir, db, outbox, clips, sender, wire } = setup();
  const file = join(dir.path, 'clip.mp4');
  writeFileSync(file, Buffer.alloc(4096, 7)); // 4 chunks of 1 KiB
  await clips.offer(file, { clipId: 'c1', cameraId: 'cam1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z', segmentHashes: [] });
  outbox.add('health', { sampledAt: new Date().toISOString(), cameras: [] });
  outbox.add('event', event('e1'));
  outbox.add('reply', { commandId: 'x', ok: true });
  clips.need('c1', [0, 1, 2, 3], false);
  await tick();
  // Everything waiting goes in order of urgency; the clip's first chunk only once nothing else waits.
  assert.equal(wire.map((w) => w.what), ['event:e1', 'reply', 'clip.offer', 'health', 'chunk0']);
  for (const w of wire.slice(0, 4)) w.ack();
  await tick();
  assert.is(wire.length, 5, 'one chunk in flight at a time');

  // An event produced mid-transfer goes out at once, ahead of the next chunk.
  outbox.add('event', event('urgent'));
  await tick();
  assert.equal(wire.map((w) => w.what).slice(5), ['event:urgent']);
  wire[4]!.ack();
  wire[5]!.ack();
  await tick();
  await tick();
  assert.equal(wire.map((w) => w.what).slice(6), ['chunk1']);
  for (let i = 6; i < 9; i++) {
    wire[i]!.ack();
    await tick();
    await tick();
  }
  assert.equal(wire.map((w) => w.what).slice(6), ['chunk1', 'chunk2', 'chunk3']);
  wire[8]!.ack();
  await tick();
  assert.is(outbox.stats().messages, 0, 'acknowledged messages are gone from the outbox');
  sender.stop();
  db.close();
  dir.cleanup();
});

test('the token bucket lets a message through when not in debt and makes the debt wait', () => {
  const bucket = new TokenBucket(1000, 1000, 0);
  assert.ok(bucket.takeWithDebt(3000, 0), 'a message larger than the bucket still goes');
  assert.not.ok(bucket.takeWithDebt(10, 0), 'then the debt blocks');
  assert.is(bucket.msUntilNonNegative(0), 2000);
  assert.ok(bucket.takeWithDebt(10, 2000));
  const limiter = new TokenBucket(5, 5, 0);
  let granted = 0;
  for (let i = 0; i < 20; i++) if (limiter.tryTake(1, 0)) granted++;
  assert.is(granted, 5);
  assert.ok(limiter.tryTake(1, 200), 'one more token after 200 ms at 5/s');
});

test('with a byte budget the sender waits instead of sending everything at once', async () => {
  const { dir, db, outbox, sender, wire } = setup(2000);
  for (let i = 0; i < 20; i++) outbox.add('event', event(`e${i}`));
  await tick();
  const firstBurst = wire.length;
  assert.ok(firstBurst < 20, `only about one second of budget goes out at once (${firstBurst} of 20)`);
  assert.ok(firstBurst >= 1);
  sender.stop();
  db.close();
  dir.cleanup();
});

test.run();
