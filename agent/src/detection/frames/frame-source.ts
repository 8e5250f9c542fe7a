import type { Frame } from '../types.ts';

/**
 * Where a pipeline's frames come from. FfmpegFrameSource opens its own ffmpeg; the recorder can
 * instead add a low-rate raw output to the ffmpeg it already runs and wrap that pipe with
 * `rawFrames()` (see README): no second RTSP session.
 */
export interface FrameSource {
  /** Decoded frame size. */
  readonly width: number;
  readonly height: number;
  /** Size of the camera's picture, to report boxes in source pixels. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly fps: number;
  frames(): AsyncIterable<Frame>;
  /** Mono s16 PCM at AUDIO_SAMPLE_RATE, when the source has audio. */
  audio?(): AsyncIterable<Int16Array> | undefined;
  close(): Promise<void>;
}
