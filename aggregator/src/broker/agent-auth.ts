/**
 * Agent credential checks, for the embedded broker and for any other front door that must
 * accept the same agents (an HTTP auth backend for a RabbitMQ tier): `AgentAuthenticator.verify`
 * is the one async function they call.
 *
 * - Secrets are checked by HMAC-SHA256 under a server-side key (auth/secrets.ts): microseconds,
 *   so a reconnect storm of 20,000 agents or a flood of wrong passwords costs next to nothing.
 *   A legacy scrypt hash is checked on the thread pool once and replaced by the HMAC form.
 * - Wrong secrets are throttled per (address, agent id) and per address with backoff
 *   (auth/rate-limit.ts): while an address is backing off, its attempts are refused before any
 *   hashing or database read.
 * - Revocation is read on every attempt.
 *
 * The rows come through the `AgentSecretStore` port (SQLite adapter: broker/sqlite.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveSecret, type SecretRef } from '@camfleet/shared';
import { agentKeyId, checkAgentSecret, hashAgentSecret, type AgentSecretKey } from '../auth/secrets.ts';
import { AttemptThrottle, MemoryAttemptStore, type AttemptStore, type ThrottleOptions } from '../auth/rate-limit.ts';

export interface AgentSecretRow {
  secretHash: string;
  revoked: boolean;
}

/** Storage port for agent credentials. */
export interface AgentSecretStore {
  get(agentId: string): Promise<AgentSecretRow | undefined>;
  /** Replaces the hash only if it is still `oldHash` (a concurrent revoke or re-key wins). */
  replaceHash(agentId: string, oldHash: string, newHash: string): Promise<void>;
}

export type AgentAuthResult = { ok: true } | { ok: false; reason: 'throttled' | 'unknown' | 'revoked' | 'wrong-secret' };

export interface AgentAuthCounters {
  hmacChecks: number;
  scryptChecks: number;
  upgraded: number;
  throttled: number;
}

export class AgentAuthenticator {
  readonly counters: AgentAuthCounters = { hmacChecks: 0, scryptChecks: 0, upgraded: 0, throttled: 0 };
  private readonly throttle: AttemptThrottle;

  constructor(
    private readonly store: AgentSecretStore,
    private readonly key: AgentSecretKey,
    opts: { attempts?: AttemptStore; throttle?: ThrottleOptions } = {},
  ) {
    this.throttle = new AttemptThrottle(opts.attempts ?? new MemoryAttemptStore(), 'agent', {
      freeFailures: 5,
      freeFailuresPerAddress: 100,
      maxDelayMs: 5 * 60_000,
      ...opts.throttle,
    });
  }

  /** Whether `password` is agent `agentId`'s secret; `ip` (when known) is the caller's address. */
  async check(agentId: string, password: string, ip: string | null = null): Promise<AgentAuthResult> {
    if ((await this.throttle.retryAfter(agentId, ip)) > 0) {
      this.counters.throttled++;
      return { ok: false, reason: 'throttled' };
    }
    const row = await this.store.get(agentId);
    const fail = async (reason: 'unknown' | 'revoked' | 'wrong-secret'): Promise<AgentAuthResult> => {
      await this.throttle.fail(agentId, ip);
      return { ok: false, reason };
    };
    if (!row) return fail('unknown');
    if (row.revoked) return fail('revoked');
    if (row.secretHash.startsWith('hmac-sha256$')) this.counters.hmacChecks++;
    else this.counters.scryptChecks++;
    const result = await checkAgentSecret(password, row.secretHash, this.key);
    if (result === 'wrong') return fail('wrong-secret');
    if (result === 'ok-upgrade') {
      await this.store.replaceHash(agentId, row.secretHash, hashAgentSecret(password, this.key));
      this.counters.upgraded++;
    }
    await this.throttle.succeed(agentId, ip);
    return { ok: true };
  }

  /** `check` as a yes/no (the broker's hook). */
  async verify(agentId: string, password: string, ip: string | null = null): Promise<boolean> {
    return (await this.check(agentId, password, ip)).ok;
  }
}

/**
 * The HMAC key: from `ref` when configured, otherwise `<dataDir>/agent-secret.key` (32 random
 * bytes, created 0600 on first start). Losing or changing the key makes every upgraded agent
 * secret unverifiable (the agents must enroll again), so back it up with the database.
 */
export function loadAgentSecretKey(opts: { ref?: SecretRef; file: string }): AgentSecretKey {
  let key: Buffer;
  if (opts.ref) {
    key = Buffer.from(resolveSecret(opts.ref), 'utf8');
    if (key.length < 32) throw new Error('mqtt.agentSecretKey must be at least 32 bytes');
  } else {
    try {
      key = Buffer.from(readFileSync(opts.file, 'utf8').trim(), 'base64');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
      key = randomBytes(32);
      writeFileSync(opts.file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(opts.file, 0o600);
    if (key.length < 32) throw new Error(`${opts.file} does not hold a 32-byte key`);
  }
  return { id: agentKeyId(key), key };
}
