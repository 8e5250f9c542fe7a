// Compact health samples (protocol v2): the cameras travel as a table; readers see the ordinary form.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { decodeMessage, encodeMessage, makeMessage, type BodyOf, type Message } from '../src/index.ts';

const link = (i: number) => createHash('sha256').update(String(i)).digest('hex');
const sample = (n: number): BodyOf<'health'> => ({
  sampledAt: '2026-12-03T10:00:00.000Z',
  cameras: Array.from({ length: n }, (_, i) => ({
    cameraId: `gate-${i}`,
    online: i % 5 !== 0,
    recording: i % 3 !== 0,
    fps: 15,
    bitrateKbps: 2048 + i,
    lastSegmentAt: '2026-12-03T09:59:58.123Z',
    gapsLastHour: i % 2,
    bytesStored: 123_456_789 + i,
    chainHead: link(i),
  })),
});

test('a health sample round-trips exactly through its compact wire form', () => {
  const body = sample(16);
  body.cameras[3] = { cameraId: 'bare', online: false, recording: false }; // optional fields absent
  const wire = encodeMessage(makeMessage('health', 'site-1', 1, { ...body, coalesced: 3 }));
  const raw = JSON.parse(wire.toString());
  assert.ok(Array.isArray(raw.body.cols) && Array.isArray(raw.body.rows), 'a table on the wire');
  const r = decodeMessage('health', 'site-1', wire);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((r as { message: Message<'health'> }).message.body, { ...body, coalesced: 3 });
});

test('compact costs at most 60 % of the bytes per camera of the JSON objects', () => {
  const n = 16;
  const msg = makeMessage('health', 'site-1', 1, sample(n));
  const compact = encodeMessage(msg).length;
  const plain = Buffer.byteLength(JSON.stringify(msg));
  assert.ok(compact < plain * 0.6, `${compact} vs ${plain} bytes for ${n} cameras`);
});

test('a v1 health sample (objects) is still read; a v2 one in object form too', () => {
  const body = sample(2);
  const v1 = decodeMessage('health', 'site-1', JSON.stringify({ ...makeMessage('health', 'site-1', 1, body), v: 1 }));
  assert.ok(v1.ok && JSON.stringify((v1.message as Message<'health'>).body) === JSON.stringify(body));
  const v2objects = decodeMessage('health', 'site-1', JSON.stringify(makeMessage('health', 'site-1', 1, body)));
  assert.ok(v2objects.ok);
});

test('malformed tables are refused with a reason, never thrown', () => {
  const base = JSON.parse(encodeMessage(makeMessage('health', 'site-1', 1, sample(2))).toString());
  const cases: Array<[string, unknown]> = [
    ['unknown column', { ...base.body, cols: [...base.body.cols.slice(0, -1), 'password'] }],
    ['repeated column', { ...base.body, cols: [...base.body.cols.slice(0, -1), 'cameraId'] }],
    ['short row', { ...base.body, rows: [base.body.rows[0].slice(1)] }],
    ['rows not a list', { ...base.body, rows: 'x' }],
    ['bad value', { ...base.body, rows: [base.body.rows[0].map((v: unknown, i: number) => (i === 1 ? 'yes' : v))] }],
  ];
  for (const [what, body] of cases) {
    const r = decodeMessage('health', 'site-1', JSON.stringify({ ...base, body }));
    assert.is(r.ok ? 'ok' : r.error, 'bad-body', what);
  }
});

test.run();
