// Build-time model preparation, called by scripts/setup.sh. Idempotent: a current conversion is
// detected from the hash stored in the ONNX model's metadata and left alone.
import { relative } from 'node:path';
import { ensureNanodetOnnx, REPO_ROOT } from './nanodet/index.ts';

const started = performance.now();
const result = ensureNanodetOnnx();
const ms = Math.round(performance.now() - started);
const where = relative(REPO_ROOT, result.path);
if (result.converted) console.log(`setup-models: converted NanoDet-g to ${where} (${result.nodes} nodes, ${result.bytes} bytes) in ${ms} ms`);
else console.log(`setup-models: ${where} is current (${ms} ms)`);
