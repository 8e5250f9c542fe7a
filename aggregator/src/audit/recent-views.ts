/**
 * One audit entry per viewing, not per request: a browser's <video> asks for many byte ranges of
 * one clip while it plays and seeks. Repeats by the same user of the same footage within a window
 * collapse into the entry already written; the window restarts from that entry, so a viewer who
 * keeps watching is recorded again every window. The key is (user, footage) only: never the Range
 * header, since any range (`bytes=1-`, `bytes=-N`, a malformed one) can carry the whole clip.
 *
 * In memory: after a restart the next view is recorded again (more entries, never fewer).
 */
export class RecentViews {
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Whether this view needs an entry of its own (no entry for it within the window). */
  due(userId: number, footage: string): boolean {
    const at = this.recorded.get(`${userId}\n${footage}`);
    const t = this.now();
    // A clock that went back also records again.
    return at === undefined || t < at || t - at >= this.windowMs;
  }

  /** Call once the entry is written (not before: a failed write must not hide the next view). */
  mark(userId: number, footage: string): void {
    const key = `${userId}\n${footage}`;
    this.recorded.delete(key); // re-inserted last: the map stays in order of recording
    this.recorded.set(key, this.now());
    while (this.recorded.size > this.maxKeys) this.recorded.delete(this.recorded.keys().next().value!);
  }
}
