// The labelled evaluation set (test/eval/detection/annotations.json): COCO-style boxes on Debian
// opencv-doc media. Images are decoded with ffmpeg (video frames by index, so the frame is exact
// whatever the seek precision); derived images are crops of an annotated image scaled up, their
// boxes computed from the parent's (kept when at least half visible, otherwise made crowd regions
// so a detection of the cut object is neither rewarded nor punished).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execChild } from '../../system/child-process.ts';
import { ffmpegPath } from '../frames/ffmpeg.ts';
import type { Box, Frame } from '../types.ts';
import type { GroundTruth } from './metrics.ts';

export const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';

export interface AnnotationFile {
  images: Array<{ id: number; name: string; file?: string; frame?: number; width?: number; height?: number; derivedFrom?: number; crop?: Box; scale?: number }>;
  annotations: Array<{ image_id: number; category: string; bbox: Box; iscrowd?: number }>;
}

export interface EvalImage {
  name: string;
  frame: Frame;
  truths: Array<{ category: string; box: Box; crowd: boolean }>;
}

/** Class groups scored: a van, pickup or SUV is "car" or "truck" even in COCO's own labels. */
export const CLASS_GROUPS: Record<string, string> = { person: 'person', bicycle: 'two-wheeler', motorcycle: 'two-wheeler', car: 'vehicle', truck: 'vehicle', bus: 'vehicle' };

async function decodeFrame(path: string, frameIndex: number | undefined, width: number, height: number): Promise<Frame> {
  const select = frameIndex === undefined ? [] : ['-vf', `select=eq(n\\,${frameIndex})`];
  const out = await execChild(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, ...select, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], {
    name: 'ffmpeg:eval',
    maxBuffer: width * height * 3 + 1024,
  });
  if (out.length !== width * height * 3) throw new Error(`${path}${frameIndex === undefined ? '' : ` frame ${frameIndex}`}: ${out.length} bytes decoded, expected ${width}x${height}x3`);
  return { width, height, channels: 3, data: new Uint8Array(out), timeMs: 0, ptsMs: 0 };
}

/** Bilinear crop-and-scale (half-pixel centres). */
export function cropScale(src: Frame, crop: Box, scale: number): Frame {
  const [cx, cy, cw, ch] = crop;
  const width = Math.round(cw * scale);
  const height = Math.round(ch * scale);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max(cy + (y + 0.5) / scale - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max(cx + (x + 0.5) / scale - 0.5, 0), src.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const wx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const at = (yy: number, xx: number) => src.data[(yy * src.width + xx) * src.channels + (src.channels === 3 ? k : 0)]!;
        const v = (at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy;
        data[(y * width + x) * 3 + k] = Math.round(v);
      }
    }
  }
  return { width, height, channels: 3, data, timeMs: 0, ptsMs: 0 };
}

/** A parent box seen through a crop, in the derived image's pixels; undefined when outside. */
export function cropBox(box: Box, crop: Box, scale: number): { box: Box; visible: number } | undefined {
  const x1 = Math.max(box[0], crop[0]);
  const y1 = Math.max(box[1], crop[1]);
  const x2 = Math.min(box[0] + box[2], crop[0] + crop[2]);
  const y2 = Math.min(box[1] + box[3], crop[1] + crop[3]);
  if (x2 <= x1 || y2 <= y1) return undefined;
  const visible = ((x2 - x1) * (y2 - y1)) / (box[2] * box[3]);
  return { box: [(x1 - crop[0]) * scale, (y1 - crop[1]) * scale, (x2 - x1) * scale, (y2 - y1) * scale], visible };
}

export async function loadEvalSet(annotationPath: string, mediaDir = OPENCV_DATA): Promise<EvalImage[]> {
  const file = JSON.parse(readFileSync(annotationPath, 'utf8')) as AnnotationFile;
  const byId = new Map<number, EvalImage>();
  const truthsOf = (id: number) => file.annotations.filter((a) => a.image_id === id).map((a) => ({ category: a.category, box: a.bbox, crowd: a.iscrowd === 1 }));
  for (const img of file.images.filter((i) => i.derivedFrom === undefined)) {
    if (!img.file || !img.width || !img.height) throw new Error(`eval image ${img.name}: file, width and height are required`);
    byId.set(img.id, { name: img.name, frame: await decodeFrame(join(mediaDir, img.file), img.frame, img.width, img.height), truths: truthsOf(img.id) });
  }
  for (const img of file.images.filter((i) => i.derivedFrom !== undefined)) {
    const parent = byId.get(img.derivedFrom!);
    if (!parent || !img.crop || !img.scale) throw new Error(`eval image ${img.name}: derivedFrom must name an earlier original, with crop and scale`);
    const truths: EvalImage['truths'] = [];
    for (const t of parent.truths) {
      const seen = cropBox(t.box, img.crop, img.scale);
      if (seen) truths.push({ category: t.category, box: seen.box, crowd: t.crowd || seen.visible < 0.5 });
    }
    byId.set(img.id, { name: img.name, frame: cropScale(parent.frame, img.crop, img.scale), truths });
  }
  return file.images.map((i) => byId.get(i.id)!);
}

/** Ground truths of the scored class groups, for metrics.match(). */
export function groundTruths(images: EvalImage[]): GroundTruth[] {
  return images.flatMap((img) =>
    img.truths.filter((t) => CLASS_GROUPS[t.category]).map((t) => ({ imageId: img.name, group: CLASS_GROUPS[t.category]!, box: t.box, crowd: t.crowd })),
  );
}
