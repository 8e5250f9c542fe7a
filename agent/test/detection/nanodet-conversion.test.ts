// The ONNX model converted from the TF.js weights computes what the TF.js model computes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNanodetOnnx } from '../../../scripts/nanodet/index.ts';
import { convertTfjsGraphToOnnx } from '../../../scripts/nanodet/convert.ts';
import { decode, preprocess, type NanoDetLevel } from '../../src/detection/detectors/nanodet.ts';
import { OnnxNanoDetRunner } from '../../src/detection/detectors/onnx-runner.ts';
import { TfjsWasmNanoDetRunner } from '../../src/detection/detectors/tfjs-wasm-runner.ts';
import { COCO_LABELS } from '../../src/detection/detectors/coco-labels.ts';
import { decodeImage } from '../../src/detection/frames/ffmpeg.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { opencvSample } from './media.ts';

const dir = tempDir('camfleet-nanodet-');
const onnxPath = join(dir.path, 'nanodet.onnx');

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('conversion writes a model once and leaves a current one alone', () => {
  const first = ensureNanodetOnnx(onnxPath);
  assert.ok(first.converted);
  assert.ok(existsSync(onnxPath) && statSync(onnxPath).size > 1_000_000);
  const again = ensureNanodetOnnx(onnxPath);
  assert.not.ok(again.converted, 'second run should find the conversion current');
});

test('an op without a mapping stops the conversion with its name', () => {
  const graph = {
    nodes: [
      { name: 'x', op: 'Placeholder', attr: {} },
      { name: 'weird', op: 'Erf', input: ['x'] },
      { name: 'Identity', op: 'Identity', input: ['weird'] },
    ],
    consts: new Map(),
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: ['Identity:0'],
  };
  assert.throws(() => convertTfjsGraphToOnnx(graph), /weird: TF op Erf has no ONNX mapping/);
});

test('ONNX and TF.js (wasm) outputs match on a real photograph and on noise', async () => {
  const onnx = await OnnxNanoDetRunner.create({ modelPath: onnxPath });
  const tfjs = await TfjsWasmNanoDetRunner.create();
  try {
    const photo = await decodeImage(opencvSample('messi5.jpg'));
    const noise = new Float32Array(3 * 416 * 416);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) noise[i] = ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
    for (const input of [preprocess(photo), noise]) {
      const a: NanoDetLevel[] = await onnx.run(input);
      const b: NanoDetLevel[] = await tfjs.run(input);
      for (let l = 0; l < 3; l++) {
        const scores = maxAbsDiff(a[l]!.scores, b[l]!.scores);
        const regression = maxAbsDiff(a[l]!.regression, b[l]!.regression);
        assert.ok(scores < 1e-4, `stride ${a[l]!.stride}: scores differ by ${scores}`);
        assert.ok(regression < 1e-3, `stride ${a[l]!.stride}: regression logits differ by ${regression}`);
      }
    }
    // And so the decoded detections are the same.
    const opts = { classes: COCO_LABELS, sourceWidth: photo.width, sourceHeight: photo.height };
    const input = preprocess(photo);
    assert.equal(decode(await onnx.run(input), opts), decode(await tfjs.run(input), opts));
  } finally {
    await onnx.close();
    await tfjs.close();
  }
});

test.after(() => dir.cleanup());
test.run();
