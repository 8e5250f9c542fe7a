// Connects a frame source (own ffmpeg, or the recorder's raw pipe) to a pipeline: frames and
// audio are read as they come; the pipeline never blocks the reader (it drops frames instead).
import type { FrameSource } from './frames/frame-source.ts';
import { AUDIO_SAMPLE_RATE } from './frames/ffmpeg.ts';
import type { DetectionPipeline } from './pipeline.ts';

/** Resolves when the source ends (or is closed); the caller closes the source to stop. */
export async function runFeed(source: FrameSource, pipeline: DetectionPipeline): Promise<void> {
  const audio = source.audio?.();
  const audioDone = (async () => {
    if (!audio) return;
    // Wall clock for the first chunk, then sample-accurate from there.
    let startMs: number | undefined;
    let samples = 0;
    for await (const chunk of audio) {
      startMs ??= Date.now() - (chunk.length * 1000) / AUDIO_SAMPLE_RATE;
      pipeline.pushAudio(chunk, startMs + (samples * 1000) / AUDIO_SAMPLE_RATE);
      samples += chunk.length;
    }
  })();
  for await (const frame of source.frames()) pipeline.pushFrame(frame);
  await audioDone;
  await pipeline.finish();
}
