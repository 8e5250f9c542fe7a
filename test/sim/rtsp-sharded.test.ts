// Cameras spread over several RTSP server processes (the rig for 96-camera benchmarks).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startShardedRtspSim, type ShardedRtspSim } from './rtsp-sharded.ts';

const run = promisify(execFile);
let sim: ShardedRtspSim | undefined;

test.after(async () => {
  await sim?.close();
});

test('five cameras, two per process: three servers on their own ports, every camera playable at its URL', async () => {
  const streams = Array.from({ length: 5 }, (_, i) => ({ name: `cam${i}`, width: 320, height: 240, fps: 10, preencoded: true }));
  sim = await startShardedRtspSim({ streams }, 2);
  assert.is(sim.shards.length, 3);
  assert.is(new Set(sim.pids).size, 3);
  const ports = new Set(streams.map((s) => new URL(sim!.url(s.name)).port));
  assert.is(ports.size, 3, 'cameras of different shards are on different ports');
  for (const s of streams) {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '10000000', '-show_entries', 'stream=codec_name,width', '-of', 'json', sim.url(s.name)], { timeout: 30_000 });
    const found = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number }> }).streams;
    assert.ok(found.some((x) => x.codec_name === 'h264' && x.width === 320), `${s.name}: ${stdout}`);
  }
  assert.throws(() => sim!.url('nope'), /no stream named nope/);
  // Stopping a camera reaches the shard that serves it.
  await sim.stopCamera('cam4');
  await sim.startCamera('cam4');
});

test.run();
