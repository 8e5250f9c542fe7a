/** Range requests on stored clips: what a <video> element asks for, and hostile headers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileResponse, parseRange } from '../../src/dashboard/range.ts';
import { tempDir } from '../../../test/support/tmp.ts';

test('ranges as browsers send them', () => {
  assert.equal(parseRange(undefined, 100), { kind: 'full' });
  assert.equal(parseRange('bytes=0-', 100), { kind: 'partial', start: 0, end: 99 });
  assert.equal(parseRange('bytes=10-19', 100), { kind: 'partial', start: 10, end: 19 });
  assert.equal(parseRange('bytes=90-500', 100), { kind: 'partial', start: 90, end: 99 }, 'the end is clamped');
  assert.equal(parseRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 }, 'suffix');
  assert.equal(parseRange('bytes=-1000', 100), { kind: 'partial', start: 0, end: 99 });
});

test('ranges that cannot be served, and headers that are not ranges', () => {
  assert.equal(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=20-10', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=99999999999999999999-', 100), { kind: 'unsatisfiable' });
  for (const ignored of ['bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b', 'garbage']) assert.equal(parseRange(ignored, 100), { kind: 'full' }, ignored);
});

test('a file is served whole, in part, or refused with 416', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'clip.mp4');
    writeFileSync(file, Buffer.from('0123456789'));
    const whole = fileResponse(file, undefined, 'video/mp4');
    assert.is(whole.status, 200);
    assert.is(whole.headers.get('accept-ranges'), 'bytes');
    assert.is(await whole.text(), '0123456789');
    const part = fileResponse(file, 'bytes=2-4', 'video/mp4');
    assert.is(part.status, 206);
    assert.is(part.headers.get('content-range'), 'bytes 2-4/10');
    assert.is(part.headers.get('content-length'), '3');
    assert.is(await part.text(), '234');
    const none = fileResponse(file, 'bytes=50-', 'video/mp4');
    assert.is(none.status, 416);
    assert.is(none.headers.get('content-range'), 'bytes */10');
  } finally {
    dir.cleanup();
  }
});

test.run();
