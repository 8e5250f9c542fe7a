/**
 * Makes disk and index agree again after a crash, a power cut, or an ffmpeg that died
 * mid-segment:
 *   - a segment file with no index row (the partial last segment, or a finished one whose row
 *     was never written) is repaired by a stream-copy remux and indexed, or removed when
 *     nothing playable is left in it;
 *   - a file whose row says retention expired it is deleted (the crash fell between the two);
 *   - a row whose file is gone is marked missing;
 *   - leftover temporary files are removed.
 */
import { readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../storage/hash.ts';
import type { SegmentIndex, SegmentRow } from '../storage/segment-index.ts';
import { probeMedia, remuxRepair } from './ffmpeg.ts';

export const SEGMENTS_DIR = 'segments';
/** A temporary name that reconcile always deletes. */
export const TEMP_SUFFIX = '.tmp.mp4';
/** Shorter than this, a partial segment is not worth keeping. */
const MIN_USEFUL_S = 0.1;

export function cameraDir(dataDir: string, cameraId: string): string {
  return join(dataDir, SEGMENTS_DIR, cameraId);
}

export function relativeSegmentPath(cameraId: string, file: string): string {
  return `${SEGMENTS_DIR}/${cameraId}/${file}`;
}

export interface ReconcileResult {
  cameraId: string;
  repaired: SegmentRow[];
  removed: string[];
  missing: SegmentRow[];
  expiredDeleted: number;
  /** Unindexed files left for later: the disk was too full to repair them. */
  deferred: string[];
}

/**
 * Reconciles one camera's directory. `busy` names files a live ffmpeg is writing right now;
 * `onlyPrefix` narrows the orphan search to one recording run's files.
 */
export async function reconcileCamera(
  index: SegmentIndex,
  dataDir: string,
  cameraId: string,
  {
    busy = new Set<string>(),
    onlyPrefix,
    checkMissing = true,
    continuesAtMs,
    continueRuns = false,
  }: {
    busy?: Set<string>;
    onlyPrefix?: string;
    checkMissing?: boolean;
    /** The files continue a run whose footage ended here: time them back to back from it. */
    continuesAtMs?: number;
    /**
     * At start, after a crash: time each unindexed file of a run from the end of that run's last
     * indexed segment (segments of one ffmpeg run touch exactly), when its last write agrees.
     * Guessing from the file's mtime alone would leave small holes and overlaps at every crash.
     */
    continueRuns?: boolean;
  } = {},
): Promise<ReconcileResult> {
  const dir = cameraDir(dataDir, cameraId);
  const result: ReconcileResult = { cameraId, repaired: [], removed: [], missing: [], expiredDeleted: 0, deferred: [] };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.mp4')).sort();
  } catch {
    files = [];
  }
  const rows = index.pathsByStatus(cameraId);
  const runEnds = new Map<string, number>();
  if (continueRuns) {
    for (const row of rows.values()) {
      const run = runOf(row.path.slice(row.path.lastIndexOf('/') + 1));
      if (run) runEnds.set(run, Math.max(runEnds.get(run) ?? -Infinity, row.endMs));
    }
  }
  for (const file of files) {
    if (busy.has(file) || (onlyPrefix && !file.startsWith(onlyPrefix))) continue;
    const full = join(dir, file);
    if (file.endsWith(TEMP_SUFFIX)) {
      // may be gone already: repairing <name>.mp4 just before wrote and renamed this very name
      unlinkIfThere(full);
      continue;
    }
    const rel = relativeSegmentPath(cameraId, file);
    const row = rows.get(rel);
    if (row?.status === 'expired') {
      unlinkIfThere(full);
      result.expiredDeleted++;
      continue;
    }
    if (row) continue;
    const run = runOf(file);
    const inferred = continuesAtMs === undefined && run ? runEnds.get(run) : undefined;
    const adopted = await repairAndIndex(index, dataDir, cameraId, file, continuesAtMs ?? inferred, inferred !== undefined);
    if (adopted && adopted !== 'no-space' && continuesAtMs !== undefined) continuesAtMs = adopted.endMs;
    if (adopted && adopted !== 'no-space' && run && continueRuns) runEnds.set(run, adopted.endMs);
    if (adopted === 'no-space') result.deferred.push(rel);
    else if (adopted) result.repaired.push(adopted);
    else result.removed.push(rel);
  }
  if (checkMissing) {
    const present = new Set(files);
    for (const row of rows.values()) {
      if (row.status !== 'present') continue;
      const file = row.path.slice(row.path.lastIndexOf('/') + 1);
      if (present.has(file)) continue;
      // the directory listing may predate a segment indexed since; look again before judging
      try {
        statSync(join(dataDir, row.path));
        continue;
      } catch {
        index.markRemoved(row.id, 'missing', 'file not found at reconcile');
        result.missing.push({ ...row, status: 'missing' });
      }
    }
  }
  return result;
}

function unlinkIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** `<runId>-<seq>.mp4` → runId (the recorder's naming), undefined for other names. */
export function runOf(file: string): string | undefined {
  return /^(\d+)-\d+\.mp4$/.exec(file)?.[1];
}

/** How far a run's continuation may disagree with a file's last write before the write time wins. */
const CONTINUATION_TOLERANCE_MS = 10_000;

async function repairAndIndex(
  index: SegmentIndex,
  dataDir: string,
  cameraId: string,
  file: string,
  startAtMs?: number,
  checkAgainstMtime = false,
): Promise<SegmentRow | 'no-space' | undefined> {
  const dir = cameraDir(dataDir, cameraId);
  const full = join(dir, file);
  const endMs = Math.round(statSync(full).mtimeMs);
  const tmp = join(dir, file.replace(/\.mp4$/, TEMP_SUFFIX));
  const repair = await remuxRepair(full, tmp);
  if (repair.noSpace) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never written */
    }
    return 'no-space';
  }
  const info = repair.ok ? await probeMedia(tmp) : undefined;
  if (!info || info.durationS < MIN_USEFUL_S || !info.videoCodec) {
    for (const f of [tmp, full]) {
      try {
        unlinkSync(f);
      } catch {
        /* already gone */
      }
    }
    return undefined;
  }
  renameSync(tmp, full);
  const bytes = statSync(full).size;
  const sha256 = await sha256File(full);
  const durationMs = Math.round(info.durationS * 1000);
  // Known start (the run's previous segment's end) when given, else the last write (mtime) as end.
  // An inferred continuation is dropped when the file was last written far from where it would
  // end (the run froze or re-anchored before the crash): the write time is the better witness.
  const agrees = startAtMs !== undefined && (!checkAgainstMtime || Math.abs(startAtMs + durationMs - endMs) <= CONTINUATION_TOLERANCE_MS);
  const startMs = agrees ? startAtMs! : endMs - durationMs;
  return index.addSegment({
    cameraId,
    path: relativeSegmentPath(cameraId, file),
    startMs,
    endMs: startMs + durationMs,
    bytes,
    sha256,
    origin: 'repaired',
  });
}

/** Reconciles every camera directory under the data directory and every camera in the index. */
export async function reconcileAll(index: SegmentIndex, dataDir: string): Promise<ReconcileResult[]> {
  let dirs: string[] = [];
  try {
    dirs = readdirSync(join(dataDir, SEGMENTS_DIR));
  } catch {
    /* nothing recorded yet */
  }
  const cameras = new Set([...dirs, ...index.cameraIds()]);
  const results: ReconcileResult[] = [];
  for (const cameraId of [...cameras].sort()) results.push(await reconcileCamera(index, dataDir, cameraId, { continueRuns: true }));
  return results;
}
