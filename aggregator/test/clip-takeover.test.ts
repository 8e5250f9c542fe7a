/**
 * Hole 2 of issue 13: content addressing must never let one agent complete a clip offer from
 * another agent's stored footage without sending the bytes (that would re-home another site's
 * footage under its own camera). In-process: the real ingest and clip service, no broker.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { encodeMessage, makeMessage, topicFor, createLogger, type Message } from '@camfleet/shared';
import { openDatabase } from '../src/db/database.ts';
import { FleetStore } from '../src/fleet/store.ts';
import { Ingest } from '../src/ingest/ingest.ts';
import { CommandService } from '../src/commands/commands.ts';
import { ClipService } from '../src/clips/clips.ts';
import { tempDir } from '../../test/support/tmp.ts';

function centre() {
  const dir = tempDir();
  const db = openDatabase(':memory:');
  const logger = createLogger('test', { level: 'silent' });
  const ingest = new Ingest(new FleetStore(db), logger);
  const sent: Array<{ topic: string; body: Record<string, unknown> }> = [];
  const commands = new CommandService(db, async (topic, payload) => {
    sent.push({ topic, body: JSON.parse(payload.toString()).body });
  }, logger);
  const clips = new ClipService(db, ingest, commands, logger, { dataDir: dir.path, maxClipBytes: 1 << 20, needRetryMs: 60_000, isConnected: () => true });
  const seq = new Map<string, number>();
  const next = (agentId: string) => {
    const n = (seq.get(agentId) ?? 0) + 1;
    seq.set(agentId, n);
    return n;
  };
  const offer = (agentId: string, clipId: string, data: Buffer, cameraId = 'cam-1') =>
    ingest.handle(agentId, topicFor('clipOffer', agentId), encodeMessage(makeMessage('clip.offer', agentId, next(agentId), {
      clipId, cameraId, from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z',
      bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), chunkBytes: data.length, chunks: 1, segmentHashes: [],
    })));
  const chunk = (agentId: string, clipId: string, data: Buffer) =>
    // A v1 (JSON, base64) chunk: read by every protocol version the centre supports.
    ingest.handle(agentId, topicFor('clipChunk', agentId), encodeMessage({ ...makeMessage('clip.chunk', agentId, next(agentId), {
      clipId, index: 0, sha256: createHash('sha256').update(data).digest('hex'), dataBase64: data.toString('base64'),
    }), v: 1 } as Message<'clip.chunk'>));
  return { db, clips, ingest, sent, offer, chunk, cleanup: () => dir.cleanup() };
}

const settle = async (check: () => boolean) => {
  // Finalisation hashes the file asynchronously; give it turns of the event loop, not a clock.
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setImmediate(r));
};

test("an agent offering another agent's stored clip by its sha256 is asked for the bytes, not handed the clip", async () => {
  const c = centre();
  try {
    const footage = randomBytes(4096);
    await c.offer('agent-victim', 'v1', footage);
    await c.chunk('agent-victim', 'v1', footage);
    await settle(() => c.clips.get('agent-victim', 'v1')?.state === 'complete');
    assert.is(c.clips.get('agent-victim', 'v1')?.state, 'complete', 'the victim uploaded its clip');

    // The attacker knows the hash (e.g. from a leaked listing) and offers it under its own camera.
    await c.offer('agent-thief', 't1', footage, 'thief-cam');
    const stolen = c.clips.get('agent-thief', 't1')!;
    assert.is(stolen.state, 'receiving', 'no clip completed without a byte received');
    assert.is(stolen.path, null, "the victim's file is not linked to the thief's clip");
    const needs = c.sent.filter((s) => s.topic === topicFor('commands', 'agent-thief') && s.body.name === 'clip.need');
    assert.ok(needs.some((s) => JSON.stringify((s.body.args as { missing: number[] }).missing) === '[0]'), 'the centre asks for the bytes');
    assert.not.ok(c.sent.some((s) => s.topic === topicFor('commands', 'agent-thief') && (s.body.args as { done?: boolean }).done), 'the thief is never told done');

    // Sending the real bytes is what proves possession: then the clip completes.
    await c.chunk('agent-thief', 't1', footage);
    await settle(() => c.clips.get('agent-thief', 't1')?.state === 'complete');
    assert.is(c.clips.get('agent-thief', 't1')?.state, 'complete');
  } finally {
    c.cleanup();
  }
});

test('the same agent re-offering its own footage under a new id still completes without a second upload', async () => {
  const c = centre();
  try {
    const footage = randomBytes(2048);
    await c.offer('agent-a', 'a1', footage);
    await c.chunk('agent-a', 'a1', footage);
    await settle(() => c.clips.get('agent-a', 'a1')?.state === 'complete');
    await c.offer('agent-a', 'a2', footage);
    assert.is(c.clips.get('agent-a', 'a2')?.state, 'complete');
  } finally {
    c.cleanup();
  }
});

test.run();
