/**
 * Agent password checks for the broker without blocking the event loop: scrypt runs on the
 * libuv thread pool, and a verified password is remembered (as its sha256, in memory) so a
 * reconnect storm after a restart or outage costs one scrypt per agent, not one per attempt.
 * Revocation is checked on every attempt against the database.
 */
import { createHash, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';

export class AgentAuthenticator {
  private readonly verified = new Map<string, Buffer>();
  private readonly lookup;

  constructor(db: Db) {
    this.lookup = db.prepare('SELECT secret_hash, revoked_at FROM agents WHERE id = ?');
  }

  async verify(agentId: string, password: string): Promise<boolean> {
    const row = this.lookup.get(agentId) as { secret_hash: string; revoked_at: string | null } | undefined;
    if (!row || row.revoked_at) {
      this.verified.delete(agentId);
      return false;
    }
    const digest = createHash('sha256').update(row.secret_hash).update('\0').update(password).digest();
    const known = this.verified.get(agentId);
    if (known && timingSafeEqual(known, digest)) return true;
    const ok = await verifyScrypt(password, row.secret_hash);
    if (ok) this.verified.set(agentId, digest);
    return ok;
  }
}

/** Same format as auth/secrets.ts hashPassword: scrypt$N$r$p$salt$key (base64). */
function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Promise.resolve(false);
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  return new Promise((resolve) =>
    scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }, (err, key) =>
      resolve(!err && timingSafeEqual(expected, key)),
    ),
  );
}
