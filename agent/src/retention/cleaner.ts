/**
 * Applies the retention plan to disk and index, separately from the recorder (as mediamtx keeps
 * its cleaner apart): a row is marked expired before its file is unlinked, so a crash between
 * the two leaves a file that reconcile deletes, never a row that lies about a file.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@camfleet/shared';
import type { SegmentIndex, SegmentRow } from '../storage/segment-index.ts';
import { diskUsage } from '../system/metrics.ts';
import { maxAgeFor, planRetention, type RetentionDecision, type RetentionPolicy } from './plan.ts';

export interface RetentionLoss {
  cameraId: string;
  segments: Array<Pick<SegmentRow, 'id' | 'path' | 'startMs' | 'endMs' | 'sha256'>>;
}

export interface CleanerRun {
  deleted: number;
  freedBytes: number;
  byReason: Record<RetentionDecision['reason'], number>;
  /** Pinned segments deleted because the free-space floor was breached. */
  losses: RetentionLoss[];
}

const BATCH = 2000;
const MAX_BATCHES = 50;

export class RetentionCleaner {
  constructor(
    private readonly index: SegmentIndex,
    private readonly dataDir: string,
    private readonly policy: RetentionPolicy,
    private readonly logger?: Logger,
    private readonly cameraIds: () => string[] = () => index.cameraIds(),
  ) {}

  runOnce(nowMs = Date.now()): CleanerRun {
    const run: CleanerRun = { deleted: 0, freedBytes: 0, byReason: { age: 0, budget: 0, floor: 0 }, losses: [] };
    const losses = new Map<string, RetentionLoss>();
    const cutoffs = new Map<string, number>();
    for (const cameraId of new Set([...this.cameraIds(), ...this.index.cameraIds()])) {
      const maxAge = maxAgeFor(this.policy, cameraId);
      if (maxAge !== undefined) cutoffs.set(cameraId, nowMs - maxAge);
    }
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const candidates = this.index.retentionCandidates(BATCH, nowMs, cutoffs);
      const decisions = planRetention(candidates, this.policy, {
        nowMs,
        totalBytes: this.index.usage().bytes,
        disk: diskUsage(this.dataDir),
      });
      if (decisions.length === 0) break;
      const rows = new Map(candidates.map((c) => [c.id, c]));
      for (const d of decisions) {
        const row = rows.get(d.id)!;
        this.index.markRemoved(d.id, 'expired', d.pinnedLoss ? `${d.reason} (pinned)` : d.reason, nowMs);
        try {
          unlinkSync(join(this.dataDir, row.path));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        run.deleted++;
        run.freedBytes += row.bytes;
        run.byReason[d.reason]++;
        if (d.pinnedLoss) {
          const loss = losses.get(row.cameraId) ?? { cameraId: row.cameraId, segments: [] };
          loss.segments.push({ id: row.id, path: row.path, startMs: row.startMs, endMs: row.endMs, sha256: row.sha256 });
          losses.set(row.cameraId, loss);
        }
      }
      // A partly used batch means the plan was satisfied within it.
      if (candidates.length < BATCH || decisions.length < candidates.length) break;
    }
    run.losses = [...losses.values()];
    if (this.policy.expiredRowsKeepMs !== undefined) {
      for (const cameraId of this.index.cameraIds()) this.index.pruneExpired(cameraId, nowMs - this.policy.expiredRowsKeepMs);
    }
    if (run.deleted > 0) this.logger?.info({ deleted: run.deleted, freedBytes: run.freedBytes, byReason: run.byReason }, 'retention removed segments');
    return run;
  }
}
