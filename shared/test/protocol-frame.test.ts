/**
 * Protocol v2's binary frames: clip chunks, event snapshots and snapshot replies carry raw bytes
 * after a small header; v1 agents (JSON, base64) are still read, and answered in v1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import {
  CLIP_CHUNK_BYTES,
  FRAME_PREFIX_BYTES,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeForVersion,
  encodeFrame,
  encodeMessage,
  isFrame,
  makeMessage,
  type Message,
} from '../src/index.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('protocol is v2', () => {
  assert.is(PROTOCOL_VERSION, 2);
});

test('a full clip chunk is a frame: its bytes raw after a header of a few hundred bytes, and decode gives them back', () => {
  const data = randomBytes(CLIP_CHUNK_BYTES);
  const msg = makeMessage('clip.chunk', 'site-1', 7, { clipId: 'cam-1-2-3', index: 4, sha256: sha(data), data });
  const wire = encodeMessage(msg);
  assert.ok(isFrame(wire));
  const overhead = wire.length - data.length;
  assert.ok(overhead > FRAME_PREFIX_BYTES && overhead < 400, `header ${overhead} bytes`);
  assert.ok(wire.subarray(wire.length - data.length).equals(data), 'the bytes are carried as they are');
  assert.not.ok(wire.includes(Buffer.from(data.subarray(0, 48).toString('base64'))), 'no base64 on the wire');
  const r = decodeMessage('clipChunk', 'site-1', wire);
  assert.ok(r.ok, JSON.stringify(r));
  const body = (r as { message: Message<'clip.chunk'> }).message.body;
  assert.ok(Buffer.isBuffer(body.data) && body.data.equals(data));
  assert.is(body.index, 4);
  assert.is(body.dataBase64, undefined);
});

test('a chunk built with v1-style dataBase64 still goes out as raw bytes', () => {
  const data = randomBytes(1000);
  const wire = encodeMessage(makeMessage('clip.chunk', 'site-1', 1, { clipId: 'c', index: 0, sha256: sha(data), dataBase64: data.toString('base64') }));
  assert.ok(isFrame(wire));
  assert.is(wire.length - data.length < 400, true);
  const r = decodeMessage('clipChunk', 'site-1', wire);
  assert.ok(r.ok && (r.message as Message<'clip.chunk'>).body.data!.equals(data));
});

test('an event snapshot travels as raw JPEG bytes; the decoded event has it in snapshotJpegBase64 as before', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(30_000)]);
  const msg = makeMessage('event', 'site-1', 3, { eventId: 'e1', kind: 'object', cameraId: 'cam-1', startedAt: new Date().toISOString(), data: { class: 'person' }, snapshotJpegBase64: jpeg.toString('base64') });
  const wire = encodeMessage(msg);
  assert.ok(isFrame(wire));
  assert.ok(wire.length < jpeg.length + 400, `${wire.length} bytes for a ${jpeg.length}-byte JPEG`);
  const r = decodeMessage('events', 'site-1', wire);
  assert.ok(r.ok, JSON.stringify(r));
  const body = (r as { message: Message<'event'> }).message.body;
  assert.is(body.snapshotJpegBase64, jpeg.toString('base64'));
  assert.equal(body.data, { class: 'person' });
  // An event without a snapshot stays plain JSON.
  const plain = encodeMessage(makeMessage('event', 'site-1', 4, { eventId: 'e2', kind: 'sound', startedAt: new Date().toISOString(), data: {} }));
  assert.is(plain[0], '{'.charCodeAt(0));
});

test("a snapshot command's reply carries the JPEG raw; decoded, result.jpegBase64 is as the agent made it", () => {
  const jpeg = randomBytes(20_000);
  const result = { cameraId: 'cam-1', takenAt: new Date().toISOString(), jpegBase64: jpeg.toString('base64') };
  const wire = encodeMessage(makeMessage('reply', 'site-1', 9, { commandId: 'c1', ok: true, result }));
  assert.ok(isFrame(wire));
  assert.ok(wire.length < jpeg.length + 400);
  const r = decodeMessage('replies', 'site-1', wire);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((r as { message: Message<'reply'> }).message.body.result, result);
});

test('a v1 agent is understood: JSON chunks with base64, snapshots in base64', () => {
  const data = randomBytes(5000);
  const v1chunk = { ...makeMessage('clip.chunk', 'site-1', 2, { clipId: 'c', index: 0, sha256: sha(data), dataBase64: data.toString('base64') }), v: 1 };
  const r = decodeMessage('clipChunk', 'site-1', Buffer.from(JSON.stringify(v1chunk)));
  assert.ok(r.ok, JSON.stringify(r));
  const m = (r as { message: Message<'clip.chunk'> }).message;
  assert.is(m.v, 1);
  assert.ok(m.body.data!.equals(data), 'base64 turned into bytes for the reader');
  const v1event = { ...makeMessage('event', 'site-1', 3, { eventId: 'e', kind: 'object', startedAt: new Date().toISOString(), data: {}, snapshotJpegBase64: 'AAEC' }), v: 1 };
  const e = decodeMessage('events', 'site-1', JSON.stringify(v1event));
  assert.ok(e.ok && (e.message as Message<'event'>).body.snapshotJpegBase64 === 'AAEC');
});

test('a v1 agent is answered in v1: same command JSON with v: 1; a v1 chunk encoding puts bytes back in base64', () => {
  const cmd = makeMessage('command', 'site-1', 1, { commandId: 'k', name: 'reprobe', args: {} });
  const v1 = JSON.parse(encodeForVersion(encodeMessage(cmd), 1).toString());
  assert.equal(v1, { ...JSON.parse(JSON.stringify(cmd)), v: 1 });
  const data = randomBytes(100);
  const chunk = encodeForVersion(encodeMessage(makeMessage('clip.chunk', 'site-1', 1, { clipId: 'c', index: 0, sha256: sha(data), data })), 1);
  assert.is(JSON.parse(chunk.toString()).body.dataBase64, data.toString('base64'));
});

test('newer or unknown versions are refused with a message saying which side to upgrade', () => {
  const good = makeMessage('status', 'site-1', 1, { state: 'online' });
  const newer = decodeMessage('status', 'site-1', JSON.stringify({ ...good, v: 3 }));
  assert.ok(!newer.ok && newer.error === 'unsupported-version' && /v3 is newer .*upgrade this side/.test(newer.detail), JSON.stringify(newer));
  const odd = decodeMessage('status', 'site-1', JSON.stringify({ ...good, v: 'x' }));
  assert.ok(!odd.ok && odd.error === 'unsupported-version' && /upgrade the sender/.test(odd.detail));
});

test('hostile frames are refused with a reason, never thrown', () => {
  const data = randomBytes(64);
  const good = encodeMessage(makeMessage('clip.chunk', 'site-1', 1, { clipId: 'c', index: 0, sha256: sha(data), data }));
  const header = JSON.parse(good.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + good.readUInt32BE(2)).toString());
  const overrun = Buffer.from(good);
  overrun.writeUInt32BE(good.length, 2);
  const layout = Buffer.from(good);
  layout[1] = 9;
  const cases: Array<[string, Buffer, string]> = [
    ['header overruns', overrun, 'bad-frame'],
    ['unknown layout', layout, 'bad-frame'],
    ['header not JSON', encodeFrame({} as Record<string, unknown>, data).fill(0x7b, FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + 2), 'bad-frame'],
    ['bytes on a type without a slot', encodeFrame({ ...header, type: 'status', body: { state: 'online' } }, data), 'type-not-allowed'],
    ['bytes twice (header and attached)', encodeFrame({ ...header, body: { ...header.body, dataBase64: 'AA==' } }, data), 'bad-frame'],
    ['a v1 frame', encodeFrame({ ...header, v: 1 }, data), 'bad-frame'],
    ['too many bytes', encodeFrame(header, randomBytes(CLIP_CHUNK_BYTES + 1)), 'bad-body'],
    ['another agent', good, 'agent-mismatch'],
  ];
  for (const [what, payload, expected] of cases) {
    const r = decodeMessage('clipChunk', what === 'another agent' ? 'site-2' : 'site-1', payload);
    assert.is(r.ok ? 'ok' : r.error, expected, what);
  }
  // A status frame on the status topic: the type has no slot for bytes.
  const onStatus = decodeMessage('status', 'site-1', encodeFrame({ ...header, type: 'status', body: { state: 'online' } }, data));
  assert.is(onStatus.ok ? 'ok' : onStatus.error, 'bad-frame');
});

test.run();
