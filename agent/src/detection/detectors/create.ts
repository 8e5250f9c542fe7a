import { NanoDetDetector, type NanoDetDetectorOptions } from './nanodet.ts';
import { OnnxNanoDetRunner } from './onnx-runner.ts';
import { TfjsWasmNanoDetRunner } from './tfjs-wasm-runner.ts';
import type { Detector } from './detector.ts';

export type DetectorBackend = 'onnx' | 'tfjs-wasm';

/** NanoDet-g behind the chosen backend. onnx (onnxruntime-node) is the default and the fast one. */
export async function createDetector(backend: DetectorBackend = 'onnx', options: NanoDetDetectorOptions & { threads?: number } = {}): Promise<Detector> {
  const runner = backend === 'onnx' ? await OnnxNanoDetRunner.create({ intraOpThreads: options.threads }) : await TfjsWasmNanoDetRunner.create();
  return new NanoDetDetector(runner, options);
}
