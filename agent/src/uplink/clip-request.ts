/**
 * Delivering clips of the recording buffer to the centre, for the `clip.request` command and for
 * detection events: pin the footage (so retention cannot take it), wait until the interval is on
 * disk when it ends in the future, cut it (clips/export.ts), offer it through the uplink, and
 * release the pin and the exported file once the aggregator has the clip (or the upload ended
 * otherwise).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@camfleet/shared';
import { exportClip, NoFootageError, type ClipManifest } from '../clips/export.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import { CommandError } from './commands.ts';
import type { Uplink } from './connection.ts';

const MAX_CLIP_MS = 60 * 60_000;

export interface ClipJob {
  cameraId: string;
  fromMs: number;
  toMs: number;
  reason: string;
  commandId?: string;
  eventId?: string;
  /** Wait until this time before cutting (the post-roll of an event still being recorded). */
  notBeforeMs?: number;
  signal?: AbortSignal;
}

export interface ClipDelivery {
  /** Resolves once the clip is offered (the transfer itself goes on in the background). */
  deliver(job: ClipJob): Promise<{ clipId: string; manifest: ClipManifest }>;
}

export function clipDelivery(uplink: Uplink, index: SegmentIndex, dataDir: string, logger: Logger): ClipDelivery {
  const outDir = join(dataDir, 'clips', 'upload');
  uplink.clips.onFinished((clipId) => {
    index.removePin(`upload:${clipId}`);
    rmSync(join(outDir, `${clipId}.mp4`), { force: true });
    rmSync(join(outDir, `${clipId}.mp4.json`), { force: true });
  });

  return {
    async deliver(job) {
      const { cameraId, fromMs, toMs } = job;
      const tag = (job.commandId ?? job.eventId ?? String(Date.now())).slice(0, 8);
      const clipId = `${cameraId}-${fromMs}-${toMs}-${tag}`.replace(/[^A-Za-z0-9_-]/g, '-');
      // Pin first, so retention cannot take the footage before the export and the upload.
      index.addPin({ id: `upload:${clipId}`, cameraId, fromMs, toMs, kind: 'upload', note: `${job.reason} ${job.commandId ?? job.eventId ?? ''}`.trim() });
      try {
        const wait = (job.notBeforeMs ?? 0) - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal: job.signal });
        mkdirSync(outDir, { recursive: true });
        const out = join(outDir, `${clipId}.mp4`);
        const manifest = await exportClip(index, dataDir, { cameraId, fromMs, toMs, out });
        await uplink.offerClip(out, {
          clipId,
          cameraId,
          from: manifest.from,
          to: manifest.to,
          segmentHashes: manifest.segmentHashes,
          reason: job.reason,
          commandId: job.commandId,
          eventId: job.eventId,
        });
        logger.info({ clipId, bytes: manifest.bytes, reason: job.reason }, 'clip offered');
        return { clipId, manifest };
      } catch (err) {
        index.removePin(`upload:${clipId}`);
        throw err;
      }
    },
  };
}

/** What the runtime checks around a requested clip (sharing: a revoked grant's clip is not served). */
export interface ClipRequestHooks {
  /** Throws a CommandError when the clip may not be served (checked before cutting). */
  authorize?(cameraId: string, args: Record<string, unknown>): void;
  /** Told once the clip is offered (e.g. to cancel it when its grant was revoked meanwhile). */
  offered?(clipId: string, cameraId: string, args: Record<string, unknown>): void;
}

/** Answers the centre's `clip.request` commands; returns the delivery for other uses (events). */
export function registerClipRequest(uplink: Uplink, index: SegmentIndex, dataDir: string, logger: Logger, hooks: ClipRequestHooks = {}): ClipDelivery {
  const delivery = clipDelivery(uplink, index, dataDir, logger);
  uplink.commands.register('clip.request', async (args, command) => {
    const cameraId = typeof args.cameraId === 'string' ? args.cameraId : '';
    const fromMs = Date.parse(String(args.from ?? ''));
    const toMs = Date.parse(String(args.to ?? ''));
    if (!cameraId || !Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new CommandError('bad-args', 'clip.request needs cameraId, from and to (ISO times)');
    if (!(toMs > fromMs) || toMs - fromMs > MAX_CLIP_MS) throw new CommandError('bad-args', 'the clip must end after it starts and last at most an hour');
    hooks.authorize?.(cameraId, args);
    try {
      const { clipId, manifest } = await delivery.deliver({ cameraId, fromMs, toMs, reason: 'clip.request', commandId: command.commandId });
      hooks.offered?.(clipId, cameraId, args);
      return { clipId, bytes: manifest.bytes, sha256: manifest.sha256, allVerified: manifest.allVerified, gaps: manifest.gaps.length };
    } catch (err) {
      if (err instanceof NoFootageError) throw new CommandError('no-footage', err.message);
      throw err;
    }
  });
  return delivery;
}
