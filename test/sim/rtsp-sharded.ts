/**
 * Many simulated cameras served by several RTSP server processes (test/sim/rtsp.ts each), for
 * benchmarks at 96 cameras: one GStreamer RTSP server is one Python process whose main loop
 * (GLib, the GIL) pushes every camera's frames; past a few dozen 1080p streams it becomes the
 * limit of the rig instead of the recorder under test. Shards of `perShard` cameras each spread
 * that work over processes (and cores); every shard serves its cameras pre-encoded from the same
 * cache, so the first shard encodes the loop and the others reuse it.
 *
 *   const sim = await startShardedRtspSim({ streams }, 24);
 *   sim.url('cam42'); sim.pids; await sim.close();
 */
import { startRtspSim, type RtspSim, type RtspSimOptions } from './rtsp.ts';

export interface ShardedRtspSim extends Omit<RtspSim, 'port'> {
  /** Every shard's process id (CPU accounting covers them all). */
  pids: number[];
  shards: RtspSim[];
}

export async function startShardedRtspSim(opts: RtspSimOptions, perShard = 24): Promise<ShardedRtspSim> {
  if (!(perShard >= 1)) throw new Error('startShardedRtspSim: perShard must be at least 1');
  const groups: RtspSimOptions['streams'][] = [];
  for (let i = 0; i < opts.streams.length; i += perShard) groups.push(opts.streams.slice(i, i + perShard));
  const shards: RtspSim[] = [];
  const byName = new Map<string, RtspSim>();
  try {
    // The first shard alone, so it writes the pre-encoded loop before the others read it.
    shards.push(await startRtspSim({ ...opts, port: 0, streams: groups[0]! }));
    shards.push(...(await Promise.all(groups.slice(1).map((streams) => startRtspSim({ ...opts, port: 0, streams })))));
  } catch (err) {
    await Promise.all(shards.map((s) => s.close()));
    throw err;
  }
  groups.forEach((streams, i) => streams.forEach((s) => byName.set(s.name, shards[i]!)));
  const shardOf = (name: string) => {
    const s = byName.get(name);
    if (!s) throw new Error(`rtsp sim: no stream named ${name}`);
    return s;
  };
  return {
    shards,
    pid: shards[0]!.pid,
    pids: shards.map((s) => s.pid),
    url: (name) => shardOf(name).url(name),
    stopCamera: (name) => shardOf(name).stopCamera(name),
    startCamera: (name) => shardOf(name).startCamera(name),
    close: async () => {
      await Promise.all(shards.map((s) => s.close()));
    },
  };
}
