// NanoDet on TensorFlow.js with the WebAssembly backend, straight from the TF.js weights. Slower
// than onnxruntime; it is the reference the ONNX conversion is checked against, and a fallback
// where the native onnxruntime binary cannot load.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { levelsFromOutputs, NANODET_INPUT_SIZE, type NanoDetLevel, type NanoDetRunner } from './nanodet.ts';
import { nanodetTfjsDir } from './model-paths.ts';

let backendReady: Promise<void> | undefined;

/** Selects the wasm backend once per process, loading its .wasm from node_modules (no network). */
function useWasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
  })();
  return backendReady;
}

interface ModelJson {
  format: string;
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  signature?: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

export class TfjsWasmNanoDetRunner implements NanoDetRunner {
  readonly backend = 'tfjs-wasm';
  /** The TF.js graph's sizes are constants: 416 only. */
  readonly inputSize = NANODET_INPUT_SIZE;
  private constructor(private readonly model: tf.GraphModel) {}

  static async create(modelDir = nanodetTfjsDir()): Promise<TfjsWasmNanoDetRunner> {
    await useWasmBackend();
    const json = JSON.parse(readFileSync(join(modelDir, 'nanodet.json'), 'utf8')) as ModelJson;
    const bin = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
    const model = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        format: json.format,
        signature: json.signature,
      }),
    );
    return new TfjsWasmNanoDetRunner(model);
  }

  async run(input: Float32Array): Promise<NanoDetLevel[]> {
    const x = tf.tensor(input, [1, 3, NANODET_INPUT_SIZE, NANODET_INPUT_SIZE]);
    try {
      const outputs = this.model.execute(x) as tf.Tensor[];
      const raw = await Promise.all(outputs.map(async (t) => ({ dims: t.shape, data: (await t.data()) as Float32Array })));
      tf.dispose(outputs);
      return levelsFromOutputs(raw);
    } finally {
      x.dispose();
    }
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}
