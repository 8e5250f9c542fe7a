// Build-time model preparation, called by scripts/setup.sh. Idempotent: a current conversion is
// detected from the hash stored in the ONNX model's metadata and left alone. One ONNX file per
// input side offered by the detector models (the TF.js graph's sizes are constants).
import { relative } from 'node:path';
import { CONVERTED_INPUT_SIZES, ensureNanodetOnnx, nanodetOnnxPathFor, nanodetTfjsPath, REPO_ROOT } from './nanodet/index.ts';

for (const size of CONVERTED_INPUT_SIZES) {
  const started = performance.now();
  const result = ensureNanodetOnnx(nanodetOnnxPathFor(size), nanodetTfjsPath(), size);
  const ms = Math.round(performance.now() - started);
  const where = relative(REPO_ROOT, result.path);
  if (result.converted) console.log(`setup-models: converted NanoDet-g (${size}×${size}) to ${where} (${result.nodes} nodes, ${result.bytes} bytes) in ${ms} ms`);
  else console.log(`setup-models: ${where} is current (${ms} ms)`);
}
