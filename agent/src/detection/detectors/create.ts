import { NanoDetDetector, type NanoDetDetectorOptions } from './nanodet.ts';
import { OnnxNanoDetRunner } from './onnx-runner.ts';
import { TfjsWasmNanoDetRunner } from './tfjs-wasm-runner.ts';
import type { Detector } from './detector.ts';
import { DEFAULT_DETECTOR_MODEL, DETECTOR_MODELS, type DetectorModel } from './models.ts';

export { DEFAULT_DETECTOR_MODEL, DETECTOR_MODELS, type DetectorModel };

export type DetectorBackend = 'onnx' | 'tfjs-wasm';

export interface CreateDetectorOptions extends NanoDetDetectorOptions {
  model?: DetectorModel;
  backend?: DetectorBackend;
  threads?: number;
}

/** A detector behind the one Detector interface; onnx (onnxruntime-node) is the default and fast backend. */
export async function createDetector(options?: CreateDetectorOptions): Promise<Detector>;
export async function createDetector(backend: DetectorBackend, options?: NanoDetDetectorOptions & { threads?: number; model?: DetectorModel }): Promise<Detector>;
export async function createDetector(a: DetectorBackend | CreateDetectorOptions = {}, b: NanoDetDetectorOptions & { threads?: number; model?: DetectorModel } = {}): Promise<Detector> {
  const options: CreateDetectorOptions = typeof a === 'string' ? { ...b, backend: a } : a;
  const model = DETECTOR_MODELS[options.model ?? DEFAULT_DETECTOR_MODEL];
  if (!model) throw new Error(`unknown detector model ${options.model}; known: ${Object.keys(DETECTOR_MODELS).join(', ')}`);
  const backend = options.backend ?? 'onnx';
  // The TF.js graph is fixed at 416 (the reference backend): it keeps the variant's resize mode only.
  const runner = backend === 'onnx' ? await OnnxNanoDetRunner.create({ intraOpThreads: options.threads, inputSize: model.inputSize }) : await TfjsWasmNanoDetRunner.create();
  return new NanoDetDetector(runner, { ...model, ...options });
}
