import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tracker } from '../../src/detection/tracker/tracker.ts';
import type { Box, Detection } from '../../src/detection/types.ts';

const det = (cls: string, box: Box, score = 0.8): Detection => ({ class: cls, classId: 0, score, box });

test('one object moving across ten frames is one track with a start and an end', () => {
  const tracker = new Tracker({ minHits: 2, maxAgeMs: 1000 });
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < 10; i++) {
    const u = tracker.update([det('person', [100 + i * 12, 50, 40, 100])], i * 200);
    starts.push(...u.started.map((t) => t.id));
    ends.push(...u.ended.map((t) => t.id));
  }
  assert.equal(starts, [1]);
  assert.equal(ends, []);
  // Gone: ended once maxAgeMs has passed since it was last seen.
  assert.equal(tracker.update([], 2600).ended.map((t) => t.id), []);
  const u = tracker.update([], 2900);
  assert.equal(u.ended.map((t) => [t.id, t.firstSeenMs, t.lastSeenMs, t.hits]), [[1, 0, 1800, 10]]);
});

test('a one-frame false positive never becomes an event', () => {
  const tracker = new Tracker({ minHits: 2, maxAgeMs: 500 });
  assert.equal(tracker.update([det('car', [0, 0, 50, 30])], 0).started, []);
  assert.equal(tracker.update([], 1000).ended, []);
  assert.is(tracker.active.length, 0);
});

test('two objects, and two classes at the same place, stay separate tracks', () => {
  const tracker = new Tracker({ minHits: 1 });
  const a = tracker.update([det('person', [0, 0, 40, 100]), det('car', [300, 0, 120, 60]), det('motorcycle', [5, 5, 40, 90])], 0);
  assert.equal(a.started.map((t) => t.class).sort(), ['car', 'motorcycle', 'person']);
  const b = tracker.update([det('car', [310, 0, 120, 60]), det('person', [4, 0, 40, 100]), det('motorcycle', [8, 5, 40, 90])], 100);
  assert.equal(b.started, []);
  assert.equal(b.assignments, [a.assignments[1], a.assignments[0], a.assignments[2]]);
});

test('a fast mover at a low frame rate still matches by centre distance', () => {
  const tracker = new Tracker({ minHits: 1 });
  const first = tracker.update([det('motorcycle', [0, 100, 40, 40])], 0);
  // Moved 45 px (no overlap with a 40 px box) between two frames half a second apart.
  const second = tracker.update([det('motorcycle', [45, 100, 40, 40])], 500);
  assert.equal(second.assignments, first.assignments);
});

test('the best-scored detection and its payload are kept for the snapshot', () => {
  const tracker = new Tracker<string>({ minHits: 1 });
  tracker.update([det('bus', [0, 0, 100, 60], 0.5)], 0, 'frame-0');
  tracker.update([det('bus', [5, 0, 100, 60], 0.9)], 100, 'frame-1');
  tracker.update([det('bus', [10, 0, 100, 60], 0.6)], 200, 'frame-2');
  const [t] = tracker.flush();
  assert.equal([t!.bestScore, t!.bestBox, t!.best], [0.9, [5, 0, 100, 60], 'frame-1']);
});

test.run();
