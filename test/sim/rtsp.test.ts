import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRtspSim, type RtspSim } from './rtsp.ts';
import { waitFor } from '../support/wait.ts';
import { tempDir } from '../support/tmp.ts';
import { join } from 'node:path';

const run = promisify(execFile);

interface ProbedStream { codec_name: string; width?: number; height?: number; r_frame_rate?: string; sample_rate?: string }

async function ffprobe(url: string): Promise<ProbedStream[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-analyzeduration', '1500000', '-rtsp_transport', 'tcp', '-timeout', '10000000', '-show_entries',
      'stream=codec_name,width,height,r_frame_rate,sample_rate', '-of', 'json', url],
    { timeout: 30_000 },
  );
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

async function playable(url: string): Promise<boolean> {
  try {
    return (await ffprobe(url)).some((s) => s.codec_name === 'h264');
  } catch {
    return false;
  }
}

let sim: RtspSim | undefined;

test.after.each(async () => {
  await sim?.close();
  sim = undefined;
});

test('streams have the asked codec, resolution and frame rate (and AAC audio when asked)', async () => {
  sim = await startRtspSim({
    streams: [
      { name: 'small', width: 320, height: 240, fps: 5 },
      { name: 'withaudio', width: 640, height: 360, fps: 10, audio: true },
      { name: 'loop', width: 320, height: 180, fps: 10, preencoded: true },
    ],
  });
  assert.match(sim.url('small'), /^rtsp:\/\/127\.0\.0\.1:\d+\/small$/);

  const small = await ffprobe(sim.url('small'));
  assert.equal(small.length, 1);
  assert.equal(small[0], { codec_name: 'h264', width: 320, height: 240, r_frame_rate: '5/1' });

  const withAudio = await ffprobe(sim.url('withaudio'));
  const video = withAudio.find((s) => s.codec_name === 'h264');
  assert.equal([video?.width, video?.height, video?.r_frame_rate], [640, 360, '10/1']);
  assert.ok(withAudio.some((s) => s.codec_name === 'aac'), 'an AAC audio stream');

  const loop = await ffprobe(sim.url('loop'));
  assert.equal(loop[0], { codec_name: 'h264', width: 320, height: 180, r_frame_rate: '10/1' });
});

test('stop drops the URL and its viewers; start brings it back', async () => {
  sim = await startRtspSim({ streams: [{ name: 'cam1', width: 320, height: 180, fps: 5 }, { name: 'cam2', width: 320, height: 180, fps: 5 }] });
  const url = sim.url('cam1');
  assert.ok(await playable(url));

  // A viewer that is playing when the camera goes down gets disconnected (ffmpeg exits).
  const viewer = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '30000000', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
  const viewerExit = new Promise<void>((resolve) => viewer.once('exit', () => resolve()));
  try {
    await waitFor('the viewer to be playing', async () => (await sessionsOf(sim!)) >= 1, { timeoutMs: 30_000 });
    await sim.stopCamera('cam1');
    await Promise.race([
      viewerExit,
      new Promise((_, reject) => setTimeout(() => reject(new Error('viewer still connected 20 s after stop')), 20_000)),
    ]);
  } finally {
    viewer.kill('SIGKILL');
  }

  assert.not.ok(await playable(url), 'a stopped camera cannot be played');
  assert.ok(await playable(sim.url('cam2')), 'the other camera is unaffected');

  await sim.startCamera('cam1');
  assert.ok(await playable(url), 'playable again after start');

  const unknown = await sim.stopCamera('nope').then(() => 'stopped', (err: Error) => err.message);
  assert.match(unknown, /no stream named nope/);
});

/** Established TCP connections to the sim's port (a viewer that got its stream holds one). */
async function sessionsOf(s: RtspSim): Promise<number> {
  const { stdout } = await run('ss', ['-Htn', 'state', 'established', `( sport = :${s.port} )`]);
  return stdout.split('\n').filter((l) => l.trim()).length;
}

test('with credentials, anonymous access is refused and the right user gets the stream', async () => {
  sim = await startRtspSim({ streams: [{ name: 'cam', width: 320, height: 180, fps: 5 }], username: 'viewer', password: 's3cret' });
  const anonymous = await ffprobe(sim.url('cam')).then(() => 'played', (err: Error) => err.message);
  assert.match(anonymous, /401|Unauthorized/);
  const wrong = await ffprobe(sim.url('cam').replace('rtsp://', 'rtsp://viewer:wrong@')).then(() => 'played', (err: Error) => err.message);
  assert.match(wrong, /401|Unauthorized/);
  const streams = await ffprobe(sim.url('cam').replace('rtsp://', 'rtsp://viewer:s3cret@'));
  assert.equal(streams[0]?.codec_name, 'h264');
});

test('a second viewer joins a playing camera (shared pipeline): both get every frame, audio too', async () => {
  sim = await startRtspSim({ streams: [{ name: 'shared', width: 320, height: 180, fps: 10, audio: true, preencoded: true }] });
  const dir = tempDir();
  const record = (file: string, seconds: number) => {
    const p = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '30000000', '-i', sim!.url('shared'), '-t', String(seconds), '-c', 'copy', '-y', join(dir.path, file)], { stdio: 'ignore' });
    return { proc: p, done: new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code))) };
  };
  const first = record('a.mp4', 6);
  let second: ReturnType<typeof record> | undefined;
  try {
    await waitFor('the first viewer to be playing', async () => (await sessionsOf(sim!)) >= 1, { timeoutMs: 30_000 });
    second = record('b.mp4', 3);
    assert.is(await first.done, 0);
    assert.is(await second.done, 0);
    for (const [file, seconds] of [['a.mp4', 6], ['b.mp4', 3]] as const) {
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,nb_frames', '-of', 'json', join(dir.path, file)]);
      const streams = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; nb_frames: string }> }).streams;
      const video = Number(streams.find((s) => s.codec_name === 'h264')?.nb_frames);
      // A viewer joining mid-GOP loses up to one second: stream copy starts at a keyframe.
      assert.ok(video >= (seconds - 1) * 10 * 0.9 && video <= seconds * 10 + 3, `${file}: ${video} frames for ${seconds} s at 10 fps`);
      assert.ok(streams.some((s) => s.codec_name === 'aac'), `${file}: audio`);
    }
  } finally {
    first.proc.kill('SIGKILL');
    second?.proc.kill('SIGKILL');
    dir.cleanup();
  }
});

test('close leaves no process behind', async () => {
  const s = await startRtspSim({ streams: [{ name: 'cam', width: 320, height: 180, fps: 5 }] });
  const pid = s.pid;
  assert.ok(alive(pid));
  await s.close();
  assert.not.ok(alive(pid));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test.run();
