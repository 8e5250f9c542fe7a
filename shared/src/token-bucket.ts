/**
 * A token bucket: `ratePerSecond` tokens flow in continuously up to `capacity`. Used for byte
 * budgets (the agent's uplink) and message rates (the broker's per-connection limit).
 * Time is passed in, so the logic is testable without clocks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    now: number = Date.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
    }
  }

  /** Takes `n` tokens if that many are there. */
  tryTake(n: number, now: number = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /**
   * Takes `n` tokens when the bucket is not in debt, letting it go negative: a message larger
   * than the bucket still goes out, and the debt delays what follows, so the long-run rate holds.
   */
  takeWithDebt(n: number, now: number = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until the bucket is out of debt (0 when it is not). */
  msUntilNonNegative(now: number = Date.now()): number {
    this.refill(now);
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }

  available(now: number = Date.now()): number {
    this.refill(now);
    return this.tokens;
  }
}
