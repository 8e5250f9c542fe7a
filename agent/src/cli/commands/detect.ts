// `camfleet-agent detect <file>`: the camera pipeline (motion, detector, tracker, tamper, sound)
// on an image or a video file, so a technician can tune zones and thresholds from a clip.
import { type Command, flag, str, UsageError } from '@camfleet/shared';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createDetector, DEFAULT_DETECTOR_MODEL, DETECTOR_MODELS, type DetectorBackend, type DetectorModel } from '../../detection/detectors/create.ts';
import { DEFAULT_CLASSES, COCO_LABELS } from '../../detection/detectors/coco-labels.ts';
import { AUDIO_SAMPLE_RATE, decodeImage, FfmpegFrameSource, probeMedia } from '../../detection/frames/ffmpeg.ts';
import { DetectionPipeline } from '../../detection/pipeline.ts';
import type { Polygon } from '../../detection/grey.ts';
import type { Detection } from '../../detection/types.ts';

function parseClasses(value: string | undefined): string[] {
  if (!value) return DEFAULT_CLASSES;
  if (value === 'all') return [...COCO_LABELS];
  const classes = value.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = classes.filter((c) => !(COCO_LABELS as readonly string[]).includes(c));
  if (unknown.length) throw new UsageError(`unknown class(es): ${unknown.join(', ')} (COCO names, e.g. person,car,motorcycle)`);
  return classes;
}

function parseNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

function parsePolygons(value: string | undefined, name: string): Polygon[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`--${name} must be JSON: [[[x,y],[x,y],[x,y]], ...] with x, y from 0 to 1`);
  }
  const ok = Array.isArray(parsed) && parsed.every((p) => Array.isArray(p) && p.length >= 3 && p.every((pt) => Array.isArray(pt) && pt.length === 2 && pt.every((v) => typeof v === 'number' && v >= 0 && v <= 1)));
  if (!ok) throw new UsageError(`--${name}: each polygon needs 3+ [x, y] points with x, y from 0 to 1`);
  return parsed as Polygon[];
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const brief = (ds: Detection[]) => ds.map((d) => ({ class: d.class, score: d.score, box: d.box }));

export const detect: Command = {
  name: 'detect',
  summary: 'run motion, object detection, tracking, tamper and sound analysis on an image or video file',
  usage: 'detect <image-or-video> [--fps <n>] [--json] [--classes person,car|all] [--score <0..1>] [--no-motion] [--zones <json>] [--masks <json>] [--backend onnx|tfjs-wasm] [--model <variant>]',
  details: [
    'Prints every frame the detector ran on (class, score, box [x, y, width, height] in source pixels,',
    "the frame's time in seconds) and the events; --json prints one JSON object per line.",
    'Zones and masks are polygons in 0..1 coordinates, e.g. --zones "[[[0,0.5],[1,0.5],[1,1],[0,1]]]".',
  ].join('\n'),
  options: {
    fps: { type: 'string' },
    json: { type: 'boolean' },
    classes: { type: 'string' },
    score: { type: 'string' },
    'no-motion': { type: 'boolean' },
    zones: { type: 'string' },
    masks: { type: 'string' },
    backend: { type: 'string' },
    model: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [file] = ctx.positionals;
    if (!file || ctx.positionals.length > 1) throw new UsageError('give one image or video file');
    if (!existsSync(file)) throw new Error(`${file}: no such file`);
    const json = flag(ctx, 'json');
    const fps = parseNumber(str(ctx, 'fps'), 'fps', 2, 0.1, 30);
    const backend = (str(ctx, 'backend') ?? 'onnx') as DetectorBackend;
    if (backend !== 'onnx' && backend !== 'tfjs-wasm') throw new UsageError('--backend must be onnx or tfjs-wasm');
    const classes = parseClasses(str(ctx, 'classes'));
    const scoreThreshold = parseNumber(str(ctx, 'score'), 'score', 0.35, 0.01, 1);
    const zones = parsePolygons(str(ctx, 'zones'), 'zones');
    const masks = parsePolygons(str(ctx, 'masks'), 'masks');
    const out = (line: object, text: string) => ctx.stdout.write(json ? `${JSON.stringify(line)}\n` : `${text}\n`);

    const info = await probeMedia(file);
    const model = (str(ctx, 'model') ?? DEFAULT_DETECTOR_MODEL) as DetectorModel;
    if (!DETECTOR_MODELS[model]) throw new UsageError(`--model must be one of ${Object.keys(DETECTOR_MODELS).join(', ')}`);
    const detector = await createDetector(backend, { classes, scoreThreshold, threads: availableParallelism(), model });
    try {
      if (info.still) {
        const frame = await decodeImage(file);
        const detections = await detector.detect(frame);
        out({ type: 'detections', time: 0, detections: brief(detections) }, detections.map((d) => `${d.class} ${d.score} [${d.box.join(', ')}]`).join('\n') || 'nothing found');
        return 0;
      }
      const startMs = Date.now();
      const rel = (iso: string) => round((Date.parse(iso) - startMs) / 1000);
      const source = new FfmpegFrameSource({ input: file, sourceWidth: info.width, sourceHeight: info.height, fps, audio: info.hasAudio, clock: 'stream', startMs });
      const pipeline = new DetectionPipeline({
        cameraId: 'file',
        detector,
        sourceWidth: info.width,
        sourceHeight: info.height,
        motion: flag(ctx, 'no-motion') ? false : { zones, masks },
        onDetections: (frame, detections) =>
          out(
            { type: 'detections', time: round(frame.ptsMs / 1000), detections: brief(detections) },
            `${(frame.ptsMs / 1000).toFixed(2)}s  ${detections.map((d) => `${d.class} ${d.score} [${d.box.join(', ')}]`).join('  ') || '-'}`,
          ),
        onEvent: (e) => {
          const { snapshotJpegBase64, ...rest } = e;
          const line = { type: 'event', ...rest, start: rel(e.startedAt), end: e.endedAt ? rel(e.endedAt) : undefined, snapshotBytes: snapshotJpegBase64 ? Math.floor((snapshotJpegBase64.length * 3) / 4) : 0 };
          const d = e.data ?? {};
          const what = e.kind === 'object' ? `${d.class} ${d.score} [${(d.box as number[]).join(', ')}]` : e.kind === 'sound' ? `peak ${d.peakDbfs} dBFS over ${d.backgroundDbfs}` : `${d.tamper} ${d.state}`;
          out(line, `EVENT ${e.kind} ${line.start}s${line.end !== undefined ? `-${line.end}s` : ''}: ${what}`);
        },
      });
      let samples = 0;
      const audio = source.audio();
      const audioDone = audio
        ? (async () => {
            for await (const chunk of audio) {
              pipeline.pushAudio(chunk, startMs + (samples * 1000) / AUDIO_SAMPLE_RATE);
              samples += chunk.length;
            }
          })()
        : Promise.resolve();
      try {
        // A file has no deadline: wait for each frame rather than drop any.
        for await (const frame of source.frames()) {
          pipeline.pushFrame(frame);
          await pipeline.idle();
        }
        await audioDone;
        await source.done();
      } finally {
        await source.close();
      }
      await pipeline.finish();
      const s = pipeline.stats;
      const msPerDetection = s.detectedFrames ? round(s.detectMsTotal / s.detectedFrames, 1) : 0;
      out(
        { type: 'summary', frames: s.frames, motionFrames: s.motionFrames, detectedFrames: s.detectedFrames, droppedFrames: s.droppedFrames, events: s.events, msPerDetection, detector: detector.name },
        `${s.frames} frames, ${s.motionFrames} with motion, ${s.detectedFrames} through ${detector.name} (${msPerDetection} ms each), ${s.events} events`,
      );
      return 0;
    } finally {
      await detector.close();
    }
  },
};
