/**
 * The two ways ONVIF devices authenticate: WS-Security UsernameToken (PasswordDigest) in the
 * SOAP header, and HTTP Digest (RFC 7616) on the request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './xml.ts';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * A UsernameToken header. `Created` is the device's clock, not ours (our clock plus the offset
 * read from GetSystemDateAndTime), or devices with a wrong clock refuse every login.
 */
export function usernameTokenHeader(creds: Credentials, clockOffsetMs: number, now = Date.now(), nonce = randomBytes(16)): string {
  const created = new Date(now + clockOffsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + creds.password, 'utf8')])).digest('base64');
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(creds.username)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: string;
}

/** Reads a `WWW-Authenticate: Digest ...` header (one of possibly several); undefined if none. */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const value of values) {
    const m = /Digest\s+(.*)$/i.exec(value);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[1]!.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
      params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
    }
    if (params.nonce === undefined) continue;
    return { realm: params.realm ?? '', nonce: params.nonce, qop: params.qop, opaque: params.opaque, algorithm: params.algorithm ?? 'MD5' };
  }
  return undefined;
}

function hashFor(algorithm: string): (s: string) => string {
  const name = /sha-?256/i.test(algorithm) ? 'sha256' : 'md5';
  return (s) => createHash(name).update(s, 'utf8').digest('hex');
}

/** The Authorization header answering a Digest challenge (qop=auth when offered). */
export function digestAuthorization(
  challenge: DigestChallenge,
  creds: Credentials,
  method: string,
  uri: string,
  nc: number,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const H = hashFor(challenge.algorithm);
  const sess = /-sess$/i.test(challenge.algorithm);
  let ha1 = H(`${creds.username}:${challenge.realm}:${creds.password}`);
  if (sess) ha1 = H(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = H(`${method}:${uri}`);
  const qop = challenge.qop?.split(',').map((q) => q.trim()).find((q) => q === 'auth');
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = qop ? H(`${ha1}:${challenge.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [
    `username=${q(creds.username)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${challenge.algorithm}`,
    `response=${q(response)}`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
