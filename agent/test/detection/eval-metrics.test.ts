// The evaluation's metrics (COCO/PASCAL conventions at IoU 0.5), the crop arithmetic of derived
// images, and the labelled set itself loading from the installed opencv-doc media.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { averagePrecision, atScore, match, sizeOf, type GroundTruth, type ScoredDetection } from '../../src/detection/eval/metrics.ts';
import { cropBox, groundTruths, loadEvalSet } from '../../src/detection/eval/dataset.ts';

const gt = (imageId: string, box: [number, number, number, number], crowd = false): GroundTruth => ({ imageId, group: 'person', box, crowd });
const det = (imageId: string, box: [number, number, number, number], score: number, group = 'person'): ScoredDetection => ({ imageId, group, box, score });

test('sizes follow COCO areas', () => {
  assert.is(sizeOf([0, 0, 31, 31]), 'small');
  assert.is(sizeOf([0, 0, 32, 32]), 'medium');
  assert.is(sizeOf([0, 0, 95, 96]), 'medium');
  assert.is(sizeOf([0, 0, 96, 96]), 'large');
});

test('a perfect detector has AP 1; a duplicate is a false positive; a miss lowers recall', () => {
  const truths = [gt('a', [0, 0, 100, 100]), gt('a', [200, 0, 40, 40]), gt('b', [0, 0, 10, 10])];
  assert.is(averagePrecision(match(truths, [det('a', [0, 0, 100, 100], 0.9), det('a', [200, 0, 40, 40], 0.8), det('b', [0, 0, 10, 10], 0.7)], 'person')), 1);
  const m = match(truths, [det('a', [2, 2, 100, 100], 0.9), det('a', [0, 0, 98, 98], 0.85), det('a', [200, 0, 40, 40], 0.5)], 'person');
  assert.equal(m.outcome.map((o) => o.kind), ['tp', 'fp', 'tp']);
  // Precision 1 up to recall 1/3, then 2/3 at recall 2/3: AP = 1/3 + 1/3 · 2/3.
  assert.ok(Math.abs(averagePrecision(m) - (1 / 3 + 2 / 9)) < 1e-9);
  const op = atScore(m, 0.6);
  assert.equal([op.all.tp, op.all.fp, op.all.positives], [1, 1, 3]);
  assert.equal([op.bySize.large.tp, op.bySize.large.positives, op.bySize.medium.positives, op.bySize.small.positives], [1, 1, 1, 1]);
});

test('a detection mostly inside a crowd region is ignored, not false; other groups are not matched', () => {
  const truths = [gt('a', [0, 0, 100, 50], true), gt('a', [300, 300, 50, 100])];
  const m = match(truths, [det('a', [10, 10, 20, 30], 0.9), det('a', [300, 300, 50, 100], 0.8, 'vehicle')], 'person');
  assert.equal(m.outcome.map((o) => o.kind), ['ignored']);
  assert.is(m.positives.length, 1);
  assert.is(averagePrecision(m), 0);
});

test('crop boxes: scaled into the derived image, with their visible share', () => {
  assert.equal(cropBox([110, 20, 10, 20], [100, 10, 50, 50], 2), { box: [20, 20, 20, 40], visible: 1 });
  assert.equal(cropBox([90, 20, 20, 20], [100, 10, 50, 50], 2), { box: [0, 20, 20, 40], visible: 0.5 });
  assert.is(cropBox([0, 0, 10, 10], [100, 10, 50, 50], 2), undefined);
});

test('the labelled set loads from opencv-doc: every image decoded, derived boxes inside their images', async () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const images = await loadEvalSet(join(root, 'test', 'eval', 'detection', 'annotations.json'));
  assert.ok(images.length >= 8);
  for (const img of images) {
    assert.is(img.frame.data.length, img.frame.width * img.frame.height * 3, img.name);
    for (const t of img.truths) assert.ok(t.box[0] >= 0 && t.box[1] >= 0 && t.box[0] + t.box[2] <= img.frame.width + 0.5 && t.box[1] + t.box[3] <= img.frame.height + 0.5, `${img.name} ${t.box}`);
  }
  const truths = groundTruths(images).filter((t) => !t.crowd);
  assert.ok(truths.some((t) => t.group === 'person' && sizeOf(t.box) === 'large'));
  assert.ok(truths.some((t) => t.group === 'vehicle' && sizeOf(t.box) === 'large'));
});

test.run();
