/**
 * Tamper evidence: re-hashes each segment of a camera and walks the hash chain of its index
 * rows. A changed file is 'altered'; a file gone without retention removing it is 'missing'; a
 * row edited or removed from the index breaks the chain.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from './hash.ts';
import { MIN_GAP_MS, unaccountedHoles } from './coverage.ts';
import { segmentLink, type SegmentIndex, type SegmentRow } from './segment-index.ts';

export type SegmentVerdict = 'intact' | 'altered' | 'missing' | 'expired';

export interface SegmentCheck {
  id: number;
  path: string;
  start: string;
  end: string;
  verdict: SegmentVerdict;
  detail?: string;
  sha256: string;
}

export interface ChainBreak {
  /** The row whose link to its predecessor does not hold. */
  segmentId: number;
  detail: string;
}

export interface AnchorCheck {
  /** A chain link recorded elsewhere (the centre keeps the heads agents report with their health). */
  link: string;
  /** The index row carrying that link, when the chain still has it. */
  segmentId?: number;
  found: boolean;
  detail?: string;
}

export interface VerifyReport {
  cameraId: string;
  ok: boolean;
  /** Each anchor must be found: a history rewritten after the centre saw it no longer holds its link. */
  anchors: AnchorCheck[];
  counts: Record<SegmentVerdict, number>;
  segments: SegmentCheck[];
  chainBreaks: ChainBreak[];
  /** The time the verified rows cover (first start to last end); absent when there are none. */
  span?: { from: string; to: string };
  /** Recorded gaps in the range, with their causes. */
  gaps: Array<{ from: string; to: string; cause: string; durationS: number }>;
  /**
   * Holes between the verified rows that no gap row explains. Not counted against `ok` (records
   * written before gap accounting may have them), but reported: a hole should always have a cause.
   */
  unaccounted: Array<{ from: string; to: string; durationS: number }>;
}

export async function verifyCamera(
  index: SegmentIndex,
  dataDir: string,
  cameraId: string,
  range: { fromMs?: number; toMs?: number; anchors?: string[] } = {},
): Promise<VerifyReport> {
  const rows = index.chain(cameraId, range.fromMs, range.toMs);
  const counts: Record<SegmentVerdict, number> = { intact: 0, altered: 0, missing: 0, expired: 0 };
  const segments: SegmentCheck[] = [];
  const chainBreaks: ChainBreak[] = [];
  const checkpoint = index.checkpoint(cameraId);
  const anchors = (range.anchors ?? []).map((link): AnchorCheck => {
    const row = index.chain(cameraId).find((r) => r.link === link);
    if (row) return { link, segmentId: row.id, found: true };
    if (checkpoint?.link === link) return { link, segmentId: checkpoint.segmentId, found: true };
    const pruned = checkpoint ? ` (or older than the ${checkpoint.prunedRows} rows pruned up to ${new Date(checkpoint.endMs).toISOString()})` : '';
    return { link, found: false, detail: `not in the chain${pruned}` };
  });
  const anchorsHold = anchors.every((a) => a.found);
  const iso = (ms: number) => new Date(ms).toISOString();
  const gapRows = index.gaps(cameraId, range.fromMs, range.toMs);
  const gaps = gapRows.map((g) => ({ from: iso(g.fromMs), to: iso(g.toMs), cause: g.cause, durationS: (g.toMs - g.fromMs) / 1000 }));
  const unaccounted = unaccountedHoles(
    rows.map((r) => ({ fromMs: r.startMs, toMs: r.endMs })),
    gapRows,
    MIN_GAP_MS,
  ).map((h) => ({ from: iso(h.fromMs), to: iso(h.toMs), durationS: (h.toMs - h.fromMs) / 1000 }));
  if (rows.length === 0) return { cameraId, ok: anchorsHold, anchors, counts, segments, chainBreaks, gaps, unaccounted };
  let spanFrom = Infinity;
  let spanTo = -Infinity;
  for (const r of rows) {
    spanFrom = Math.min(spanFrom, r.startMs);
    spanTo = Math.max(spanTo, r.endMs);
  }
  const span = { from: iso(spanFrom), to: iso(spanTo) };
  const inRange = new Set(rows.map((r) => r.id));
  // Walk the chain without holes between the first and last row in range (a time range may skip
  // rows adopted out of time order), starting from the true predecessor of the first.
  const walk = index.chainByIds(cameraId, rows[0]!.id, rows[rows.length - 1]!.id);
  // Before the oldest row still indexed, the chain goes on from the checkpoint of pruned rows
  // (only a prefix of the chain is ever pruned, so it precedes every row that is left).
  let pred: Pick<SegmentRow, 'sha256' | 'link'> | undefined = index.predecessor(cameraId, rows[0]!.id) ?? checkpoint;
  for (const row of walk) {
    let linkHolds = true;
    if (row.prevSha256 !== (pred?.sha256 ?? null)) {
      // The predecessor's row is gone or changed: this row's link cannot be checked, and the
      // break itself is the finding.
      chainBreaks.push({ segmentId: row.id, detail: 'the previous segment in the chain was removed from the index or changed' });
    } else {
      linkHolds = row.link === segmentLink(pred?.link ?? null, row);
    }
    pred = row;
    if (!inRange.has(row.id)) continue;
    const check = await checkRow(row, dataDir, linkHolds);
    counts[check.verdict]++;
    segments.push(check);
  }
  const ok = counts.altered === 0 && counts.missing === 0 && chainBreaks.length === 0 && anchorsHold;
  return { cameraId, ok, anchors, counts, segments, chainBreaks, span, gaps, unaccounted };
}

async function checkRow(row: SegmentRow, dataDir: string, linkHolds: boolean): Promise<SegmentCheck> {
  const base = { id: row.id, path: row.path, start: new Date(row.startMs).toISOString(), end: new Date(row.endMs).toISOString(), sha256: row.sha256 };
  if (!linkHolds) return { ...base, verdict: 'altered', detail: 'index row changed after it was written (chain link mismatch)' };
  if (row.status === 'expired') return { ...base, verdict: 'expired', detail: `removed by retention (${row.removedReason ?? 'unknown'})` };
  const file = join(dataDir, row.path);
  if (row.status === 'missing' || !existsSync(file)) return { ...base, verdict: 'missing', detail: 'file not on disk' };
  const actual = await sha256File(file);
  if (actual !== row.sha256) return { ...base, verdict: 'altered', detail: `sha256 is ${actual}` };
  return { ...base, verdict: 'intact' };
}
