/**
 * Authentication checks a camera makes, as pure functions: WS-Security UsernameToken
 * (PasswordDigest and PasswordText) against the device's own clock, and HTTP Digest
 * (RFC 7616, MD5, qop=auth).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UsernameToken } from './soap.ts';

export interface Account {
  username: string;
  password: string;
}

/** How far the client's Created may be from the device clock (ONVIF devices commonly allow ~5 min). */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

export type AuthVerdict = { ok: true; username: string } | { ok: false; reason: string };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** base64(sha1(nonce + created + password)), nonce being the decoded bytes of the base64 Nonce. */
export function passwordDigest(nonceBase64: string, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonceBase64, 'base64'), Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
}

export function checkUsernameToken(
  token: UsernameToken | undefined,
  accounts: Account[],
  deviceNowMs: number,
  maxSkewMs = DEFAULT_MAX_SKEW_MS,
): AuthVerdict {
  if (!token) return { ok: false, reason: 'no UsernameToken' };
  const account = accounts.find((a) => a.username === token.username);
  if (!account) return { ok: false, reason: 'unknown user' };
  if (token.passwordType.endsWith('#PasswordText')) {
    return sameText(token.password, account.password) ? { ok: true, username: account.username } : { ok: false, reason: 'wrong password' };
  }
  if (!token.nonce || !token.created) return { ok: false, reason: 'PasswordDigest without Nonce or Created' };
  const created = Date.parse(token.created);
  if (Number.isNaN(created)) return { ok: false, reason: 'unreadable Created' };
  if (Math.abs(created - deviceNowMs) > maxSkewMs) return { ok: false, reason: 'Created too far from the device clock' };
  return sameText(passwordDigest(token.nonce, token.created, account.password), token.password)
    ? { ok: true, username: account.username }
    : { ok: false, reason: 'wrong password' };
}

// --- HTTP Digest ------------------------------------------------------------------------------

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function digestChallenge(realm: string, nonce: string): string {
  return `Digest realm="${realm}", qop="auth", nonce="${nonce}", algorithm=MD5`;
}

/** key=value pairs of an `Authorization: Digest ...` header (values quoted or not). */
export function parseDigestHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^Digest\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of header.slice(7).matchAll(re)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

export function digestResponse(p: { username: string; realm: string; password: string; method: string; uri: string; nonce: string; nc: string; cnonce: string; qop: string }): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

export function checkDigest(
  header: string | undefined,
  method: string,
  accounts: Account[],
  realm: string,
  issuedNonces: Set<string>,
): AuthVerdict {
  const d = parseDigestHeader(header);
  if (!d) return { ok: false, reason: 'no Digest Authorization' };
  if (d.realm !== realm) return { ok: false, reason: 'wrong realm' };
  if (!d.nonce || !issuedNonces.has(d.nonce)) return { ok: false, reason: 'unknown nonce' };
  if (d.qop !== 'auth' || !d.nc || !d.cnonce || !d.uri || !d.response) return { ok: false, reason: 'qop=auth fields missing' };
  if ((d.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return { ok: false, reason: 'unsupported algorithm' };
  const account = accounts.find((a) => a.username === d.username);
  if (!account) return { ok: false, reason: 'unknown user' };
  const expected = digestResponse({ username: account.username, realm, password: account.password, method, uri: d.uri, nonce: d.nonce, nc: d.nc, cnonce: d.cnonce, qop: d.qop });
  return sameText(expected, d.response.toLowerCase()) ? { ok: true, username: account.username } : { ok: false, reason: 'wrong password' };
}

/** `Authorization: Basic ...` (accepted on the snapshot URL, as many cameras do). */
export function checkBasic(header: string | undefined, accounts: Account[]): AuthVerdict {
  if (!header || !/^Basic\s/i.test(header)) return { ok: false, reason: 'no Basic Authorization' };
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString();
  const i = decoded.indexOf(':');
  const account = accounts.find((a) => a.username === decoded.slice(0, i));
  return account && i >= 0 && sameText(decoded.slice(i + 1), account.password)
    ? { ok: true, username: account.username }
    : { ok: false, reason: 'wrong credentials' };
}
