/**
 * `npm run eval -- detection [--variants a,b] [--score 0.35]`: how well the detector finds what a
 * city camera should report, on labelled images the project installs (Debian opencv-doc, see
 * test/eval/detection/annotations.json):
 *   - mAP@0.5 over the class groups person / vehicle (car, truck, bus) / two-wheeler present;
 *   - per group and per object size (COCO: small < 32², medium < 96², large) recall and precision
 *     at the operating score (the configured threshold, 0.35 by default);
 *   - CPU ms per detect() (process CPU time, the ratio to the reference variant in the same run);
 *   - object events per minute of vtest.avi through the full pipeline (gated, 2 fps).
 * History of these figures: agent/src/detection/README.md, "Evaluation".
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvalSet, groundTruths, CLASS_GROUPS, OPENCV_DATA } from '../agent/src/detection/eval/dataset.ts';
import { atScore, averagePrecision, match, SIZE_BUCKETS, type ScoredDetection } from '../agent/src/detection/eval/metrics.ts';
import { createDetector, DETECTOR_MODELS, type DetectorModel } from '../agent/src/detection/detectors/create.ts';
import type { Detector } from '../agent/src/detection/detectors/detector.ts';
import { FfmpegFrameSource, probeMedia } from '../agent/src/detection/frames/ffmpeg.ts';
import { DetectionPipeline, type DetectionEvent } from '../agent/src/detection/pipeline.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const what = args.find((a) => !a.startsWith('--')) ?? 'detection';
if (what !== 'detection') {
  console.error(`eval: unknown evaluation "${what}"; available: detection`);
  process.exit(2);
}
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const score = Number(opt('score') ?? 0.35);
const variants = (opt('variants')?.split(',') ?? Object.keys(DETECTOR_MODELS)) as DetectorModel[];
for (const v of variants) if (!DETECTOR_MODELS[v]) throw new Error(`unknown variant ${v}; known: ${Object.keys(DETECTOR_MODELS).join(', ')}`);
const withEvents = !args.includes('--no-events');

const images = await loadEvalSet(join(ROOT, 'test', 'eval', 'detection', 'annotations.json'));
const truths = groundTruths(images);
const groups = [...new Set(Object.values(CLASS_GROUPS))].filter((g) => truths.some((t) => t.group === g && !t.crowd));
const count = (g: string, s?: string) => truths.filter((t) => t.group === g && !t.crowd && (!s || sizeBucket(t.box) === s)).length;
import { sizeOf as sizeBucket } from '../agent/src/detection/eval/metrics.ts';
console.log(`eval detection: ${images.length} images, ${truths.filter((t) => !t.crowd).length} objects (${groups.map((g) => `${g} ${SIZE_BUCKETS.map((s) => count(g, s)).join('/')}`).join(', ')} small/medium/large); operating score ${score}`);

const f2 = (n: number) => (Number.isNaN(n) ? '  -  ' : n.toFixed(2));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function eventsPerMinute(detector: Detector): Promise<{ perMinute: number; byClass: Record<string, number> }> {
  const path = join(OPENCV_DATA, 'vtest.avi');
  const info = await probeMedia(path);
  const source = new FfmpegFrameSource({ input: path, sourceWidth: info.width, sourceHeight: info.height, fps: 2, clock: 'stream', startMs: 0 });
  const events: DetectionEvent[] = [];
  const pipeline = new DetectionPipeline({ cameraId: 'eval', detector, tamper: false, sound: false, onEvent: (e) => events.push(e) });
  let lastPts = 0;
  try {
    for await (const f of source.frames()) {
      pipeline.pushFrame(f);
      await pipeline.idle();
      lastPts = f.ptsMs;
    }
  } finally {
    await source.close();
  }
  await pipeline.finish();
  const byClass: Record<string, number> = {};
  for (const e of events.filter((e) => e.kind === 'object')) byClass[String(e.data?.class)] = (byClass[String(e.data?.class)] ?? 0) + 1;
  return { perMinute: events.filter((e) => e.kind === 'object').length / (lastPts / 60_000), byClass };
}

const summary: Array<{ variant: string; map: number; cpu: number }> = [];
for (const variant of variants) {
  // Low threshold for the precision-recall curve; the operating point is read off it.
  const detector = await createDetector({ model: variant, classes: Object.keys(CLASS_GROUPS), scoreThreshold: 0.05, threads: 1 });
  const dets: ScoredDetection[] = [];
  const cpu: number[] = [];
  await detector.detect(images[0]!.frame); // warm-up
  for (const img of images) {
    for (let run = 0; run < 3; run++) {
      const c = process.cpuUsage();
      const found = await detector.detect(img.frame);
      const dc = process.cpuUsage(c);
      cpu.push((dc.user + dc.system) / 1000);
      if (run === 0) for (const d of found) dets.push({ imageId: img.name, group: CLASS_GROUPS[d.class]!, box: d.box, score: d.score });
    }
  }
  const aps: number[] = [];
  console.log(`\n${detector.name}: CPU per detect() p50 ${pct(cpu, 50).toFixed(1)} ms (1 thread, images of ${Math.min(...images.map((i) => i.frame.width))}–${Math.max(...images.map((i) => i.frame.width))} px wide)`);
  console.log(`  group        AP@0.5   recall  precision   recall s/m/l         precision s/m/l`);
  for (const g of groups) {
    const m = match(truths, dets, g, 0.5);
    const ap = averagePrecision(m);
    aps.push(ap);
    const op = atScore(m, score);
    const r = SIZE_BUCKETS.map((s) => `${f2(op.bySize[s].recall)}(${op.bySize[s].tp}/${op.bySize[s].positives})`).join(' ');
    const p = SIZE_BUCKETS.map((s) => f2(op.bySize[s].precision)).join(' ');
    console.log(`  ${g.padEnd(12)} ${f2(ap).padStart(6)} ${f2(op.all.recall).padStart(8)} ${f2(op.all.precision).padStart(10)}   ${r.padEnd(20)} ${p}`);
  }
  const map = aps.reduce((a, b) => a + b, 0) / aps.length;
  console.log(`  mAP@0.5 ${map.toFixed(3)}`);
  if (withEvents) {
    // Events at the operating score with the default classes, as a camera would run.
    const operating = await createDetector({ model: variant, scoreThreshold: score, threads: 1 });
    const ev = await eventsPerMinute(operating);
    await operating.close();
    console.log(`  vtest.avi through the gated pipeline at 2 fps: ${ev.perMinute.toFixed(1)} object events per minute ${JSON.stringify(ev.byClass)}`);
  }
  await detector.close();
  summary.push({ variant, map, cpu: pct(cpu, 50) });
}
if (summary.length > 1) {
  const ref = summary[0]!;
  console.log(`\nsummary (CPU ratio to ${ref.variant}, same run):`);
  for (const s of summary) console.log(`  ${s.variant.padEnd(24)} mAP@0.5 ${s.map.toFixed(3)}  CPU ${s.cpu.toFixed(1)} ms  ×${(s.cpu / ref.cpu).toFixed(2)}`);
}
