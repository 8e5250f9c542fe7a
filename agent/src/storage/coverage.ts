/**
 * Pure interval logic for accounting for every hole in a camera's record: which stretches of a
 * time range are neither footage nor a gap row, and which cause a start attributes to each.
 * Used by the recorder at start (gap audit), by `verify` (unaccounted holes are a finding) and
 * by the chaos bench.
 */

/** Interruptions shorter than this are not worth a gap row (the recorder) nor a finding (verify). */
export const MIN_GAP_MS = 250;

export interface Interval {
  fromMs: number;
  toMs: number;
}

export interface CausedInterval extends Interval {
  cause: string;
}

/** The parts of [fromMs, toMs) that no interval of `covered` covers, each at least `minMs` long. */
export function uncovered(fromMs: number, toMs: number, covered: readonly Interval[], minMs = 0): Interval[] {
  const out: Interval[] = [];
  if (!(toMs > fromMs)) return out;
  const sorted = covered.filter((c) => c.toMs > fromMs && c.fromMs < toMs).sort((a, b) => a.fromMs - b.fromMs);
  let cursor = fromMs;
  for (const c of sorted) {
    if (c.fromMs > cursor && c.fromMs - cursor >= minMs) out.push({ fromMs: cursor, toMs: Math.min(c.fromMs, toMs) });
    cursor = Math.max(cursor, c.toMs);
    if (cursor >= toMs) break;
  }
  if (toMs > cursor && toMs - cursor >= minMs) out.push({ fromMs: cursor, toMs });
  return out;
}

/** What the last running recorder wrote down about a camera (recording_state). */
export interface LastNote {
  /** When that recorder started: before it, the agent was down. */
  runStartedMs: number | null;
  /** When it last wrote down its state. */
  aliveMs: number | null;
  /** Why the camera was not recording then; null when it was. */
  aliveCause: string | null;
}

/**
 * The cause of each hole a start finds after the camera's covered time, from the last note:
 * before that recorder started, and after its last note, nothing ran (`agent-down`); in
 * between, the camera was not recording for the noted cause (when it was recording then, the
 * missing footage died with the agent: `agent-down` too). A hole across those moments becomes
 * one row per cause.
 */
export function attributeHoles(holes: readonly Interval[], note: LastNote): CausedInterval[] {
  const out: CausedInterval[] = [];
  const push = (fromMs: number, toMs: number, cause: string) => {
    if (!(toMs > fromMs)) return;
    const last = out[out.length - 1];
    if (last && last.toMs === fromMs && last.cause === cause) last.toMs = toMs;
    else out.push({ fromMs, toMs, cause });
  };
  const runFrom = note.runStartedMs ?? -Infinity;
  const runTo = note.aliveMs ?? -Infinity;
  const during = note.aliveCause ?? 'agent-down';
  for (const h of holes) {
    const a = Math.min(Math.max(h.fromMs, runFrom), h.toMs);
    const b = Math.min(Math.max(h.fromMs, runTo), h.toMs);
    push(h.fromMs, a, 'agent-down');
    push(a, Math.max(a, b), during);
    push(Math.max(a, b), h.toMs, 'agent-down');
  }
  return out;
}

/**
 * Holes of at least `minMs` between a camera's first and last footage that no gap row accounts
 * for (the record says nothing about why footage is missing there). Segments of any status
 * count as footage: an expired one was recorded and is accounted for by retention.
 */
export function unaccountedHoles(segments: readonly Interval[], gaps: readonly Interval[], minMs: number): Interval[] {
  if (segments.length === 0) return [];
  // a loop, not Math.min(...): a camera may have millions of rows
  let first = Infinity;
  let last = -Infinity;
  for (const s of segments) {
    if (s.fromMs < first) first = s.fromMs;
    if (s.toMs > last) last = s.toMs;
  }
  return uncovered(first, last, [...segments, ...gaps], minMs);
}
