/**
 * Password hashing (scrypt, per-hash salt and parameters stored with the hash) and opaque
 * bearer tokens (random, stored only as their sha256).
 *
 * On a request path use the async forms (`verifyPasswordAsync`, `hashPasswordAsync`): scrypt then
 * runs on libuv's thread pool instead of stopping the event loop for ~50 ms per guess. The sync
 * forms remain for the CLI and the seed.
 *
 * Agent secrets are 32 random bytes, so a slow hash buys nothing against guessing them; they are
 * stored as an HMAC-SHA256 under a server-side key (`hmac-sha256$<keyId>$<digest>`), which costs
 * microseconds per check: a reconnect storm of 20,000 agents or a flood of wrong passwords does
 * not load the server. Older scrypt hashes still verify and are replaced on first success
 * (broker/agent-auth.ts).
 */
import { createHash, createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32 };

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  const actual = scryptSync(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

interface ScryptParts {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(stored: string): ScryptParts | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const params = { n: Number(n), r: Number(r), p: Number(p) };
  // Parameters come from the database: refuse ones that would make one check cost seconds or gigabytes.
  if (!(params.n >= 2 && params.n <= 2 ** 17 && params.r >= 1 && params.r <= 16 && params.p >= 1 && params.p <= 4)) return undefined;
  return { ...params, salt: Buffer.from(saltB64, 'base64'), key: Buffer.from(keyB64, 'base64') };
}

function scryptAsync(password: string, salt: Buffer, keyLen: number, o: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLen, { ...o, maxmem: 256 * o.N * o.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Like verifyPassword, off the event loop. */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const s = parseScrypt(stored);
  if (!s || s.key.length === 0) return false;
  try {
    const actual = await scryptAsync(password, s.salt, s.key.length, { N: s.n, r: s.r, p: s.p });
    return timingSafeEqual(s.key, actual);
  } catch {
    return false;
  }
}

/** Like hashPassword, off the event loop. */
export async function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The server-side key agent secrets are hashed under; `id` names it in stored hashes (rotation). */
export interface AgentSecretKey {
  id: string;
  key: Buffer;
}

export function agentKeyId(key: Buffer): string {
  return createHash('sha256').update('camfleet-agent-secret-key-id\0').update(key).digest('base64url').slice(0, 8);
}

/** `hmac-sha256$<keyId>$<base64url digest>` of an agent secret. */
export function hashAgentSecret(secret: string, k: AgentSecretKey): string {
  return `hmac-sha256$${k.id}$${createHmac('sha256', k.key).update(secret).digest('base64url')}`;
}

export type AgentSecretCheck = 'ok' | 'ok-upgrade' | 'wrong';

/**
 * Checks an agent secret against its stored hash: an HMAC under `k` (microseconds), or a legacy
 * scrypt hash (async, on the thread pool) which the caller should then replace ('ok-upgrade').
 */
export async function checkAgentSecret(secret: string, stored: string, k: AgentSecretKey): Promise<AgentSecretCheck> {
  if (stored.startsWith('hmac-sha256$')) {
    const [, keyId, digest] = stored.split('$');
    if (keyId !== k.id || !digest) return 'wrong';
    const expected = Buffer.from(digest, 'base64url');
    const actual = createHmac('sha256', k.key).update(secret).digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? 'ok' : 'wrong';
  }
  return (await verifyPasswordAsync(secret, stored)) ? 'ok-upgrade' : 'wrong';
}

/** A new random secret suitable as a bearer token or agent password. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
