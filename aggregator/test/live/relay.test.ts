/**
 * The live relay without I/O: one upstream fans out to every viewer, a late viewer gets the init
 * segment first, a stalled viewer is dropped at its bound (memory never grows with it), and
 * garbage from the agent (unknown boxes, oversize boxes, boxes out of order) is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BoxSplitter, RelayChannel, RelayError, type RelayViewer } from '../../src/live/relay.ts';

function box(type: string, payloadBytes: number, fill = 0): Buffer {
  const b = Buffer.alloc(8 + payloadBytes, fill);
  b.writeUInt32BE(8 + payloadBytes, 0);
  b.write(type, 4, 'latin1');
  return b;
}
const ftyp = box('ftyp', 16);
const moov = box('moov', 200);
const fragment = (n: number) => Buffer.concat([box('moof', 100, n), box('mdat', 5000, n)]);

class TestViewer implements RelayViewer {
  got: Buffer[] = [];
  queued = 0;
  dropped: string | undefined;
  /** A stalled viewer takes nothing: everything written stays queued. */
  constructor(private readonly stalled = false) {}
  write(b: Buffer) {
    this.got.push(b);
    if (this.stalled) this.queued += b.length;
  }
  queuedBytes() {
    return this.queued;
  }
  drop(reason: string) {
    this.dropped = reason;
  }
  bytes() {
    return Buffer.concat(this.got);
  }
}

test('fan-out: every viewer gets init then each fragment; a late viewer starts with the init segment', () => {
  const ch = new RelayChannel();
  const a = new TestViewer();
  const b = new TestViewer();
  ch.addViewer(a);
  ch.addViewer(b);
  // Bytes arrive cut anywhere, as a TCP stream cuts them.
  const all = Buffer.concat([ftyp, moov, fragment(1), fragment(2)]);
  for (let i = 0; i < all.length; i += 333) ch.push(all.subarray(i, i + 333));
  assert.equal(a.bytes(), all);
  assert.equal(b.bytes(), all);
  const late = new TestViewer();
  ch.addViewer(late);
  ch.push(fragment(3));
  assert.equal(late.bytes(), Buffer.concat([ftyp, moov, fragment(3)]), 'init, then the next keyframe fragment');
  assert.is(ch.fragments, 3);
});

test('a stalled viewer is dropped at its bound; the others go on; nothing more is queued for it', () => {
  const ch = new RelayChannel({ maxBoxBytes: 1 << 20, maxViewerQueueBytes: 64 * 1024, maxInitBytes: 1 << 20 });
  const ok = new TestViewer();
  const stalled = new TestViewer(true);
  ch.addViewer(ok);
  ch.addViewer(stalled);
  ch.push(Buffer.concat([ftyp, moov]));
  for (let i = 0; i < 200; i++) ch.push(fragment(i % 250));
  assert.is(stalled.dropped, 'slow');
  assert.ok(stalled.queued <= 64 * 1024, `stalled viewer held ${stalled.queued} bytes`);
  assert.is(ok.dropped, undefined);
  assert.is(ok.got.length, 1 + 200);
  assert.is(ch.viewerCount, 1);
});

test('garbage from the agent is refused: unknown box, oversize box, media before init, mdat without moof', () => {
  const cases: Array<[string, Buffer]> = [
    ['unknown type', Buffer.concat([ftyp, moov, box('evil', 10)])],
    ['oversize', (() => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(0x7fffffff, 0);
      b.write('mdat', 4, 'latin1');
      return Buffer.concat([ftyp, moov, b]);
    })()],
    ['media before init', fragment(1)],
    ['mdat without moof', Buffer.concat([ftyp, moov, box('mdat', 10)])],
    ['size below a header', Buffer.from([0, 0, 0, 3, 0x66, 0x74, 0x79, 0x70])],
    ['text, not MP4', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ];
  for (const [name, bytes] of cases) {
    const ch = new RelayChannel({ maxBoxBytes: 1 << 20, maxViewerQueueBytes: 1 << 20, maxInitBytes: 1 << 16 });
    const v = new TestViewer();
    ch.addViewer(v);
    assert.throws(() => ch.push(bytes), (e: unknown) => e instanceof RelayError, name);
    assert.is(v.dropped, 'upstream-error', name);
    assert.ok(ch.error, name);
  }
});

test('a box still arriving is held only up to the box limit', () => {
  const s = new BoxSplitter(1024);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(2048, 0);
  head.write('mdat', 4, 'latin1');
  assert.throws(() => s.push(head), /over the limit/);
});

test.run();
