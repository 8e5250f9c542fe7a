// NanoDet on onnxruntime-node (CPU). The model is the one scripts/setup-models.ts converts.
import * as ort from 'onnxruntime-node';
import { levelsFromOutputs, NANODET_INPUT_SIZE, type NanoDetLevel, type NanoDetRunner } from './nanodet.ts';
import { nanodetOnnxPath } from './model-paths.ts';

export interface OnnxRunnerOptions {
  modelPath?: string;
  /** Threads for one inference. One per camera pipeline keeps a small box fair between cameras. */
  intraOpThreads?: number;
  /** Network input side; the model converted for it (models/nanodet-<side>.onnx) is loaded. */
  inputSize?: number;
}

export class OnnxNanoDetRunner implements NanoDetRunner {
  readonly backend = 'onnxruntime';
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputSize: number,
  ) {}

  static async create(options: OnnxRunnerOptions = {}): Promise<OnnxNanoDetRunner> {
    const inputSize = options.inputSize ?? NANODET_INPUT_SIZE;
    const session = await ort.InferenceSession.create(options.modelPath ?? nanodetOnnxPath(process.env, inputSize), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    return new OnnxNanoDetRunner(session, inputSize);
  }

  async run(input: Float32Array): Promise<NanoDetLevel[]> {
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, this.inputSize, this.inputSize]) };
    const results = await this.session.run(feeds);
    return levelsFromOutputs(Object.values(results).map((t) => ({ dims: t.dims, data: t.data as Float32Array })), this.inputSize);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
