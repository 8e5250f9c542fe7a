/**
 * Protocol v2 at the centre with an agent still on v1 (issue 17): the v1 agent's JSON messages,
 * base64 clip chunks included, are read, and the centre answers it in v1 (its commands carry
 * `v: 1`), while a v2 agent gets v2. In-process: the real ingest, commands and clip service.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { decodeMessage, encodeMessage, makeMessage, topicFor, createLogger, type Message } from '@camfleet/shared';
import { openDatabase } from '../src/db/database.ts';
import { FleetStore } from '../src/fleet/store.ts';
import { Ingest } from '../src/ingest/ingest.ts';
import { CommandService } from '../src/commands/commands.ts';
import { ClipService } from '../src/clips/clips.ts';
import { tempDir } from '../../test/support/tmp.ts';

const dir = tempDir();
const db = openDatabase(':memory:');
const logger = createLogger('test', { level: 'silent' });
const ingest = new Ingest(new FleetStore(db), logger);
const rejected: string[] = [];
ingest.onReject((agentId, reason) => rejected.push(`${agentId}: ${reason}`));
const sent: Array<{ topic: string; raw: Record<string, unknown> }> = [];
// As uplink/stack.ts wires it: every command goes out in the version its agent speaks.
const commands = new CommandService(db, async (topic, payload) => {
  sent.push({ topic, raw: JSON.parse(ingest.forAgent(topic, payload).toString()) });
}, logger);
const clips = new ClipService(db, ingest, commands, logger, { dataDir: dir.path, maxClipBytes: 1 << 20, needRetryMs: 60_000, isConnected: () => true });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function settle(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

function offer(agentId: string, seq: number, clipId: string, data: Buffer) {
  return makeMessage('clip.offer', agentId, seq, {
    clipId, cameraId: 'cam-1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z',
    bytes: data.length, sha256: sha(data), chunkBytes: data.length, chunks: 1, segmentHashes: [],
  });
}

test.after(() => dir.cleanup());

test('a v1 agent: its JSON offer and base64 chunk are read, its clip.need comes back as v1, the clip completes', async () => {
  const agentId = 'old-agent-1';
  const data = randomBytes(3000);
  await ingest.handle(agentId, topicFor('clipOffer', agentId), Buffer.from(JSON.stringify({ ...offer(agentId, 1, 'c-old', data), v: 1 })));
  await settle(() => sent.some((s) => s.topic === topicFor('commands', agentId)));
  const need = sent.find((s) => s.topic === topicFor('commands', agentId))!;
  assert.is(need.raw.v, 1, 'the v1 agent is answered in v1');
  assert.is((need.raw.body as { name: string }).name, 'clip.need');
  // What a v1 agent's decoder accepted: the same envelope, v 1.
  assert.ok(decodeMessage('commands', agentId, Buffer.from(JSON.stringify(need.raw))).ok);

  const v1chunk = { ...makeMessage('clip.chunk', agentId, 2, { clipId: 'c-old', index: 0, sha256: sha(data), dataBase64: data.toString('base64') }), v: 1 };
  await ingest.handle(agentId, topicFor('clipChunk', agentId), Buffer.from(JSON.stringify(v1chunk)));
  await settle(() => clips.get(agentId, 'c-old')?.state === 'complete');
  assert.is(clips.get(agentId, 'c-old')?.state, 'complete', rejected.join('; '));
});

test('a v2 agent: binary chunk frame, commands in v2', async () => {
  const agentId = 'new-agent-1';
  const data = randomBytes(3000);
  await ingest.handle(agentId, topicFor('clipOffer', agentId), encodeMessage(offer(agentId, 1, 'c-new', data)));
  await settle(() => sent.some((s) => s.topic === topicFor('commands', agentId)));
  assert.is(sent.find((s) => s.topic === topicFor('commands', agentId))!.raw.v, 2);
  await ingest.handle(agentId, topicFor('clipChunk', agentId), encodeMessage(makeMessage('clip.chunk', agentId, 2, { clipId: 'c-new', index: 0, sha256: sha(data), data })));
  await settle(() => clips.get(agentId, 'c-new')?.state === 'complete');
  assert.is(clips.get(agentId, 'c-new')?.state, 'complete', rejected.join('; '));
});

test('an agent speaking a newer protocol is refused with a reason that says to upgrade the centre', async () => {
  const agentId = 'future-agent-1';
  await ingest.handle(agentId, topicFor('events', agentId), Buffer.from(JSON.stringify({ ...makeMessage('event', agentId, 1, { eventId: 'e', kind: 'sound', startedAt: new Date().toISOString(), data: {} }), v: 3 } as unknown as Message)));
  assert.ok(rejected.some((r) => r.startsWith(`${agentId}: unsupported-version`)), rejected.join('; '));
});

test.run();
