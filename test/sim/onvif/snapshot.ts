/**
 * A real JPEG for the simulated snapshot URL: a colour gradient with a bright square whose
 * position follows the time, so two snapshots seconds apart differ. Made in-process with jpeg-js.
 */
import jpeg from 'jpeg-js';

export function makeSnapshotJpeg(width = 320, height = 180, nowMs = Date.now()): Buffer {
  const data = Buffer.alloc(width * height * 4);
  const box = Math.max(8, Math.floor(height / 5));
  const bx = Math.floor(((nowMs / 1000) * 20) % Math.max(1, width - box));
  const by = Math.floor((height - box) / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inBox = x >= bx && x < bx + box && y >= by && y < by + box;
      data[i] = inBox ? 255 : Math.floor((x / width) * 255);
      data[i + 1] = inBox ? 255 : Math.floor((y / height) * 255);
      data[i + 2] = inBox ? 255 : 96;
      data[i + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data, width, height }, 80).data);
}
