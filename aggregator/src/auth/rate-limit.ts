/**
 * Login rate limiting: after `maxFailures` failed logins for one username, or from one address,
 * within `windowMs`, further attempts are refused until the window has passed. Pure (clock
 * injected); in memory, so each aggregator instance counts its own (a shared store would serve
 * several instances).
 */
export interface LoginLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: LoginLimiterOptions = {}) {
    this.max = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(username: string, ip: string | null): number {
    let wait = 0;
    for (const key of [`u:${username.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])]) {
      const list = this.recent(key);
      const limit = key.startsWith('ip:') ? this.max * 4 : this.max;
      if (list.length >= limit) wait = Math.max(wait, Math.ceil((list[list.length - limit]! + this.windowMs - this.now()) / 1000));
    }
    return wait;
  }

  fail(username: string, ip: string | null): void {
    for (const key of [`u:${username.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeed(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }
}
