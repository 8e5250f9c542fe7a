// `camfleet-agent detect` on a real street clip with a bang on its audio track, and on a photo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../../../test/support/tmp.ts';
import { opencvSample } from './media.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/camfleet-agent.js');
const dir = tempDir('camfleet-detect-');
const clip = join(dir.path, 'street-bang.mkv');

test.before(async () => {
  // 4 s of vtest.avi (pedestrians) with quiet noise and a 100 ms bang at 2.5 s on the audio track.
  const bang = "0.004*(random(0)-0.5)+if(between(t\\,2.5\\,2.6)\\,0.9*sin(2*PI*300*t)*exp(-(t-2.5)*30)\\,0)";
  await run('ffmpeg', ['-loglevel', 'error', '-nostdin', '-y', '-t', '4', '-i', opencvSample('vtest.avi'), '-f', 'lavfi', '-t', '4', '-i', `aevalsrc=exprs='${bang}':s=16000`,
    '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'pcm_s16le', '-shortest', clip], { timeout: 60_000 });
});
test.after(() => dir.cleanup());

function lines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('a video: detections per frame, tracked object events, the sound event, a summary', async () => {
  const { stdout } = await run(process.execPath, [CLI, 'detect', clip, '--fps', '2', '--json'], { timeout: 120_000 });
  const out = lines(stdout);
  const detections = out.filter((l) => l.type === 'detections');
  assert.ok(detections.length >= 5, `${detections.length} detection lines`);
  const first = detections[0]!;
  assert.type(first.time, 'number');
  const d = (first.detections as Array<{ class: string; score: number; box: number[] }>)[0]!;
  assert.ok(d.class && d.score > 0 && d.box.length === 4);
  // Boxes are in source pixels (768×576), not in the decoded frame's.
  const allBoxes = detections.flatMap((l) => (l.detections as Array<{ box: number[] }>).map((x) => x.box));
  assert.ok(allBoxes.some((b) => b[0]! + b[2]! > 640), 'a box beyond x=640: source pixels');
  const events = out.filter((l) => l.type === 'event');
  const people = events.filter((e) => e.kind === 'object' && (e.data as { class: string }).class === 'person');
  assert.ok(people.length >= 3, `${people.length} person events`);
  // One event per walking person, not one per frame.
  assert.ok(people.length < detections.length * 3);
  assert.ok(people.every((e) => (e.snapshotBytes as number) > 1000 && typeof e.endedAt === 'string'));
  const sound = events.filter((e) => e.kind === 'sound');
  assert.is(sound.length, 1);
  assert.ok(Math.abs((sound[0]!.start as number) - 2.5) < 0.1, `sound at ${sound[0]!.start}`);
  const summary = out.at(-1)!;
  assert.is(summary.type, 'summary');
  assert.is(summary.frames, 8);
});

test('a photograph: one line of detections', async () => {
  const { stdout } = await run(process.execPath, [CLI, 'detect', opencvSample('messi5.jpg'), '--json', '--classes', 'person,sports ball'], { timeout: 60_000 });
  const [line] = lines(stdout);
  assert.equal([...new Set((line!.detections as Array<{ class: string }>).map((x) => x.class))].sort(), ['person', 'sports ball']);
});

test('bad input gets a clear error', async () => {
  const err = await run(process.execPath, [CLI, 'detect', clip, '--classes', 'tank']).catch((e: { code: number; stderr: string }) => e);
  assert.is((err as { code: number }).code, 2);
  assert.match((err as { stderr: string }).stderr, /unknown class\(es\): tank/);
});

test.run();
