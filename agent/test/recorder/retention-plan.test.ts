import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planRetention, type RetentionCandidate } from '../../src/retention/plan.ts';

const MIN = 60_000;
/** Ten 1-minute segments of 100 bytes per camera, the oldest first; minute 10 is "now". */
function site(pinned: (cam: string, i: number) => boolean = () => false): RetentionCandidate[] {
  const out: RetentionCandidate[] = [];
  for (let i = 0; i < 10; i++) {
    for (const cam of ['a', 'b']) {
      out.push({ id: out.length + 1, cameraId: cam, startMs: i * MIN, endMs: (i + 1) * MIN, bytes: 100, pinned: pinned(cam, i) });
    }
  }
  return out;
}
const ids = (d: { cameraId: string; startMs?: number }[]) => d.map((x) => x.cameraId);

test('age is per camera and spares pinned segments', () => {
  const segs = site((cam, i) => cam === 'a' && i === 1);
  const plan = planRetention(segs, { maxAgeMs: { a: 7 * MIN } }, { nowMs: 10 * MIN, totalBytes: 2000 });
  // camera a: minutes 0..2 end at or before minute 3; minute 1 is pinned
  assert.equal(plan.map((d) => [d.id, d.reason]), [[1, 'age'], [5, 'age']]);
});

test('budget removes the oldest unpinned first, across cameras', () => {
  const segs = site((cam, i) => i === 0);
  const plan = planRetention(segs, { maxBytes: 1500 }, { nowMs: 10 * MIN, totalBytes: 2000 });
  assert.equal(plan.length, 5);
  assert.ok(plan.every((d) => d.reason === 'budget' && !d.pinnedLoss));
  assert.equal(plan.map((d) => d.id), [3, 4, 5, 6, 7]);
});

test('the free-space floor takes pinned segments only when nothing else is left, as a loss', () => {
  const segs = site(() => true).slice(0, 4);
  segs[3]!.pinned = false;
  const plan = planRetention(segs, { minFreePercent: 10 }, { nowMs: 10 * MIN, totalBytes: 400, disk: { totalBytes: 10_000, freeBytes: 800 } });
  assert.equal(plan.map((d) => [d.id, d.pinnedLoss]), [[4, false], [1, true]]);
  assert.equal(ids(plan), ['b', 'a']);
});

test('nothing to do within limits', () => {
  const plan = planRetention(site(), { maxBytes: 5000, minFreePercent: 5, defaultMaxAgeMs: 60 * MIN }, {
    nowMs: 10 * MIN, totalBytes: 2000, disk: { totalBytes: 10_000, freeBytes: 5000 },
  });
  assert.equal(plan, []);
});

test.run();
