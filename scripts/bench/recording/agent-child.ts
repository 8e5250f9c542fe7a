/**
 * The agent side of the recording benchmark, in its own process so its CPU and memory are its
 * own: a SiteRecorder over the cameras given as JSON in argv[2] (no credentials: loopback sim).
 * Prints one JSON health line a second; stops cleanly on SIGTERM.
 */
import { SiteRecorder } from '../../../agent/src/recorder/site-recorder.ts';
import { createLogger } from '@camfleet/shared';

const { dataDir, urls, segmentSeconds } = JSON.parse(process.argv[2]!) as { dataDir: string; urls: string[]; segmentSeconds: number };
const rec = new SiteRecorder({
  dataDir,
  cameras: urls.map((rtspUrl, i) => ({ id: `cam${i}`, rtspUrl, audio: 'none' as const })),
  segmentSeconds,
  logger: createLogger('bench-agent', { level: process.env.CAMFLEET_BENCH_AGENT_LOG ?? 'error' }),
});
await rec.start();
const timer = setInterval(() => process.stdout.write(JSON.stringify({ health: rec.health(), pids: rec.childPids() }) + '\n'), 1000);
process.once('SIGTERM', async () => {
  clearInterval(timer);
  await rec.stop();
  process.exit(0);
});
