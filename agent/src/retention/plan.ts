/**
 * Which segments to delete, decided without touching the disk. Three rules, in order:
 *   1. age:    a camera's segments older than its maximum age (unpinned only);
 *   2. budget: while the recordings exceed the byte budget, the oldest unpinned segments;
 *   3. floor:  while the disk's free space is under the floor, the oldest unpinned segments,
 *              then, only if that is not enough, the oldest pinned ones (a recorded loss).
 */
export interface RetentionPolicy {
  /** Maximum age per camera in ms; cameras not listed use `defaultMaxAgeMs` (undefined: no limit). */
  maxAgeMs?: Record<string, number>;
  defaultMaxAgeMs?: number;
  /** Budget for all cameras' segments together, in bytes (undefined: no budget). */
  maxBytes?: number;
  /** Keep at least this percentage of the disk free (0–100; undefined: no floor). */
  minFreePercent?: number;
  /**
   * Index rows of footage retention deleted are kept this long (verify reports them as expired),
   * then pruned behind a chain checkpoint so the index stays bounded (undefined: kept forever).
   */
  expiredRowsKeepMs?: number;
}

export interface RetentionCandidate {
  id: number;
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  pinned: boolean;
}

export type RetentionReason = 'age' | 'budget' | 'floor';

export interface RetentionDecision {
  id: number;
  cameraId: string;
  reason: RetentionReason;
  /** A pinned segment deleted because the free-space floor left no choice. */
  pinnedLoss: boolean;
  bytes: number;
}

export interface RetentionState {
  nowMs: number;
  /** Bytes of all present segments (not only the candidates). */
  totalBytes: number;
  disk?: { totalBytes: number; freeBytes: number };
}

export function maxAgeFor(policy: RetentionPolicy, cameraId: string): number | undefined {
  return policy.maxAgeMs?.[cameraId] ?? policy.defaultMaxAgeMs;
}

/** `candidates` must be sorted oldest first. */
export function planRetention(candidates: RetentionCandidate[], policy: RetentionPolicy, state: RetentionState): RetentionDecision[] {
  const decisions: RetentionDecision[] = [];
  const chosen = new Set<number>();
  let total = state.totalBytes;
  let free = state.disk?.freeBytes ?? Infinity;
  const take = (c: RetentionCandidate, reason: RetentionReason) => {
    chosen.add(c.id);
    total -= c.bytes;
    free += c.bytes;
    decisions.push({ id: c.id, cameraId: c.cameraId, reason, pinnedLoss: c.pinned, bytes: c.bytes });
  };

  for (const c of candidates) {
    const maxAge = maxAgeFor(policy, c.cameraId);
    if (maxAge !== undefined && !c.pinned && c.endMs <= state.nowMs - maxAge) take(c, 'age');
  }
  if (policy.maxBytes !== undefined) {
    for (const c of candidates) {
      if (total <= policy.maxBytes) break;
      if (!chosen.has(c.id) && !c.pinned) take(c, 'budget');
    }
  }
  if (policy.minFreePercent !== undefined && state.disk && state.disk.totalBytes > 0) {
    const floorBytes = (state.disk.totalBytes * policy.minFreePercent) / 100;
    for (const pass of [false, true]) {
      for (const c of candidates) {
        if (free >= floorBytes) break;
        if (!chosen.has(c.id) && c.pinned === pass) take(c, 'floor');
      }
    }
  }
  return decisions;
}
