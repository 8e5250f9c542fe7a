/**
 * Throttles for credential guessing (user logins, agent enrollment), built so an attacker cannot
 * use them to lock somebody else out:
 *
 * - failures are counted per (address, name) pair and per address, never per name alone: five
 *   wrong passwords for "police" from one address slow down that address, not the police
 *   officer logging in from elsewhere;
 * - past a few free failures each further one doubles the wait (1 s, 2 s, 4 s ... at most
 *   `maxDelayMs`) instead of a hard lock; a success clears the pair;
 * - the counts live behind an async port (`AttemptStore`) so they survive a restart and can be
 *   shared by several aggregators: `SqliteAttemptStore` (auth/attempts-sqlite.ts) now, a
 *   PostgreSQL adapter can implement the same four methods. `MemoryAttemptStore` serves tests.
 */

export interface AttemptState {
  failures: number;
  /** ms since the epoch. */
  lastFailureAt: number;
  /** No attempt is answered before this time (ms since the epoch); 0 = free. */
  blockedUntil: number;
}

/** The storage port: keyed attempt counters. */
export interface AttemptStore {
  get(key: string): Promise<AttemptState | undefined>;
  put(key: string, state: AttemptState): Promise<void>;
  delete(key: string): Promise<void>;
  /** Forgets counters whose last failure is older than `before` (ms since the epoch). */
  prune(before: number): Promise<void>;
}

export class MemoryAttemptStore implements AttemptStore {
  private readonly map = new Map<string, AttemptState>();
  async get(key: string) {
    return this.map.get(key);
  }
  async put(key: string, state: AttemptState) {
    // Bounded: an address-spraying attacker cannot grow this without limit.
    if (this.map.size >= 100_000 && !this.map.has(key)) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, state);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
  async prune(before: number) {
    for (const [k, v] of this.map) if (v.lastFailureAt < before) this.map.delete(k);
  }
}

export interface ThrottleOptions {
  /** Failures of one (address, name) pair answered without delay (default 5). */
  freeFailures?: number;
  /** Failures from one address, over all names, answered without delay (default 50). */
  freeFailuresPerAddress?: number;
  /** The first delay after the free failures (default 1 s); doubles with each further failure. */
  baseDelayMs?: number;
  /** The longest delay (default 15 min). */
  maxDelayMs?: number;
  /** A counter with no failure for this long is forgotten (default 24 h). */
  forgetAfterMs?: number;
  now?: () => number;
}

export class AttemptThrottle {
  private readonly free: number;
  private readonly freePerAddress: number;
  private readonly base: number;
  private readonly max: number;
  private readonly forget: number;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(
    private readonly store: AttemptStore,
    /** Key prefix, so logins and enrollments count separately in one store. */
    private readonly scope: string,
    opts: ThrottleOptions = {},
  ) {
    this.free = opts.freeFailures ?? 5;
    this.freePerAddress = opts.freeFailuresPerAddress ?? 50;
    this.base = opts.baseDelayMs ?? 1000;
    this.max = opts.maxDelayMs ?? 15 * 60_000;
    this.forget = opts.forgetAfterMs ?? 24 * 3600_000;
    this.now = opts.now ?? Date.now;
  }

  private keys(name: string, ip: string | null): Array<{ key: string; free: number }> {
    const addr = ip ?? '-';
    return [
      { key: `${this.scope}:pair:${addr}:${name.toLowerCase().slice(0, 128)}`, free: this.free },
      ...(ip ? [{ key: `${this.scope}:addr:${ip}`, free: this.freePerAddress }] : []),
    ];
  }

  /** Seconds until another attempt of `name` from `ip` is answered, or 0 when it may be tried now. */
  async retryAfter(name: string, ip: string | null): Promise<number> {
    const t = this.now();
    let wait = 0;
    for (const { key } of this.keys(name, ip)) {
      const s = await this.store.get(key);
      if (s && s.blockedUntil > t) wait = Math.max(wait, Math.ceil((s.blockedUntil - t) / 1000));
    }
    return wait;
  }

  async fail(name: string, ip: string | null): Promise<void> {
    const t = this.now();
    for (const { key, free } of this.keys(name, ip)) {
      const old = await this.store.get(key);
      const failures = (old && t - old.lastFailureAt < this.forget ? old.failures : 0) + 1;
      const over = failures - free;
      const blockedUntil = over >= 0 ? t + Math.min(this.max, this.base * 2 ** Math.min(over, 30)) : 0;
      await this.store.put(key, { failures, lastFailureAt: t, blockedUntil });
    }
    if (t - this.lastPrune > 60_000) {
      this.lastPrune = t;
      await this.store.prune(t - this.forget);
    }
  }

  /** A success clears the pair's counter (the address's stays: it may be trying many names). */
  async succeed(name: string, ip: string | null): Promise<void> {
    await this.store.delete(this.keys(name, ip)[0]!.key);
  }
}

/** The login throttle: per (address, username) and per address, with backoff. */
export type LoginThrottle = AttemptThrottle;

export function loginThrottle(store: AttemptStore = new MemoryAttemptStore(), opts: ThrottleOptions = {}): LoginThrottle {
  return new AttemptThrottle(store, 'login', opts);
}
