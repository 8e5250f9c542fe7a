/**
 * The `clip.request` command: cut the asked interval from the recording buffer (clips/export.ts),
 * pin its footage while the upload is pending, offer it through the uplink, and release the pin
 * and the exported file once the aggregator has the clip (or the upload ended otherwise).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@camfleet/shared';
import { exportClip, NoFootageError } from '../clips/export.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import { CommandError } from './commands.ts';
import type { Uplink } from './connection.ts';

const MAX_CLIP_MS = 60 * 60_000;

export function registerClipRequest(uplink: Uplink, index: SegmentIndex, dataDir: string, logger: Logger): void {
  const outDir = join(dataDir, 'clips', 'upload');
  uplink.clips.onFinished((clipId) => {
    index.removePin(`upload:${clipId}`);
    rmSync(join(outDir, `${clipId}.mp4`), { force: true });
    rmSync(join(outDir, `${clipId}.mp4.json`), { force: true });
  });

  uplink.commands.register('clip.request', async (args, command) => {
    const cameraId = typeof args.cameraId === 'string' ? args.cameraId : '';
    const fromMs = Date.parse(String(args.from ?? ''));
    const toMs = Date.parse(String(args.to ?? ''));
    if (!cameraId || !Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new CommandError('bad-args', 'clip.request needs cameraId, from and to (ISO times)');
    if (!(toMs > fromMs) || toMs - fromMs > MAX_CLIP_MS) throw new CommandError('bad-args', 'the clip must end after it starts and last at most an hour');
    const clipId = `${cameraId}-${fromMs}-${toMs}-${command.commandId.slice(0, 8)}`.replace(/[^A-Za-z0-9_-]/g, '-');
    // Pin first, so retention cannot take the footage between the export and the upload.
    index.addPin({ id: `upload:${clipId}`, cameraId, fromMs, toMs, kind: 'upload', note: `clip.request ${command.commandId}` });
    try {
      mkdirSync(outDir, { recursive: true });
      const out = join(outDir, `${clipId}.mp4`);
      const manifest = await exportClip(index, dataDir, { cameraId, fromMs, toMs, out });
      await uplink.offerClip(out, {
        clipId,
        cameraId,
        from: manifest.from,
        to: manifest.to,
        segmentHashes: manifest.segmentHashes,
        reason: 'clip.request',
        commandId: command.commandId,
      });
      logger.info({ clipId, bytes: manifest.bytes }, 'requested clip offered');
      return { clipId, bytes: manifest.bytes, sha256: manifest.sha256, allVerified: manifest.allVerified, gaps: manifest.gaps.length };
    } catch (err) {
      index.removePin(`upload:${clipId}`);
      if (err instanceof NoFootageError) throw new CommandError('no-footage', err.message);
      throw err;
    }
  });
}
