/**
 * Delivering a clip of the buffer to the centre: keep the footage from retention while the
 * interval is still being recorded, cut it once it is on disk, and hand the file to the uplink's
 * resumable transfer. Used for detection events and for the centre's clip requests.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@camfleet/shared';
import type { SiteRecorder } from '../recorder/site-recorder.ts';
import type { Uplink } from '../uplink/connection.ts';

export interface ClipDelivery {
  cameraId: string;
  fromMs: number;
  toMs: number;
  reason: string;
  eventId?: string;
  commandId?: string;
}

export interface ClipDeliveryDeps {
  recorder: SiteRecorder;
  uplink: Uplink;
  logger: Logger;
  /** How long after `toMs` the last segment covering it is closed and indexed. */
  settleMs: number;
  signal?: AbortSignal;
}

/** Resolves with the clip id once the clip is offered; rejects when it cannot be cut. */
export async function deliverClip(deps: ClipDelivery & ClipDeliveryDeps): Promise<string> {
  const { recorder, uplink, logger } = deps;
  const pin = recorder.pin(deps.cameraId, deps.fromMs, deps.toMs, 'upload', deps.reason);
  try {
    const wait = deps.toMs + deps.settleMs - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: deps.signal });
    const clip = await recorder.exportClip(deps.cameraId, deps.fromMs, deps.toMs);
    const clipId = await uplink.offerClip(clip.file, {
      cameraId: deps.cameraId,
      from: clip.from,
      to: clip.to,
      segmentHashes: clip.segmentHashes,
      reason: deps.reason,
      eventId: deps.eventId,
      commandId: deps.commandId,
    });
    logger.info({ camera: deps.cameraId, clipId, bytes: clip.bytes, gaps: clip.gaps.length }, 'clip offered');
    return clipId;
  } finally {
    recorder.unpin(pin);
  }
}
