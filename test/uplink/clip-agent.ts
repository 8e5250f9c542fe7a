/**
 * A minimal agent process for the clip transfer test: connects with the given credentials,
 * offers one clip (idempotently: after a restart the offer is already recorded) and uploads it
 * under a byte budget until killed.
 *
 *   node --import tsx clip-agent.ts <dataDir> <credentials.json> <clip.mp4> <bytesPerSecond> <chunkBytes>
 */
import { readFileSync } from 'node:fs';
import { startTestUplink } from './agent-support.ts';

const [dataDir, credsFile, clipFile, rate, chunkBytes] = process.argv.slice(2);
const credentials = JSON.parse(readFileSync(credsFile!, 'utf8'));
const agent = startTestUplink({ dataDir: dataDir!, credentials, bandwidthBytesPerSecond: Number(rate), clipChunkBytes: Number(chunkBytes) });
agent.uplink.clips.onFinished((clipId, state) => process.stdout.write(`finished ${clipId} ${state}\n`));
const clipId = await agent.uplink.offerClip(clipFile!, {
  clipId: 'clip-1',
  cameraId: 'cam1',
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-01T00:01:00.000Z',
  segmentHashes: ['a'.repeat(64), 'b'.repeat(64)],
  reason: 'test',
});
process.stdout.write(`offered ${clipId}\n`);
process.on('SIGTERM', () => void agent.close().then(() => process.exit(0)));
