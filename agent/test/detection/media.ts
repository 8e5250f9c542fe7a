// Real photographs and footage for the detection tests, from Debian's opencv-doc package
// (installed by scripts/setup.sh): vtest.avi is a street-level clip of pedestrians, messi5.jpg a
// footballer with the ball, building.jpg a street front with a parked car.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';

export function opencvSample(name: string): string {
  const path = join(OPENCV_DATA, name);
  if (!existsSync(path)) throw new Error(`${path} missing: install Debian's opencv-doc (scripts/setup.sh does)`);
  return path;
}
