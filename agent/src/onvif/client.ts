/**
 * A small ONVIF SOAP client for cameras we do not trust: every call has a deadline and a size
 * cap, answers are parsed without entities, faults and errors come back as values.
 *
 * Authentication is negotiated per device: WS-UsernameToken first (Created corrected by the
 * clock offset), HTTP Digest when the device answers 401 with a Digest challenge.
 */
import { digestAuthorization, parseDigestChallenge, usernameTokenHeader, type Credentials, type DigestChallenge } from './auth.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, HttpError, httpRequest } from './http.ts';
import { buildEnvelope, describeFault, isAuthFault, parseSoap, responseElement, type SoapFault } from './soap.ts';
import type { XmlNode } from './xml.ts';

export const NS = {
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  events: 'http://www.onvif.org/ver10/events/wsdl',
  ptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  imaging: 'http://www.onvif.org/ver20/imaging/wsdl',
  schema: 'http://www.onvif.org/ver10/schema',
} as const;

export type CallErrorKind = 'fault' | 'auth' | 'http' | 'timeout' | 'too-large' | 'network' | 'xml';

export interface CallError {
  operation: string;
  kind: CallErrorKind;
  message: string;
  fault?: SoapFault;
  status?: number;
}

export type CallResult = { ok: true; response: XmlNode; elapsedMs: number; sentAt: number; receivedAt: number } | { ok: false; error: CallError };

export type AuthMode = 'none' | 'usernameToken' | 'digest';

export interface ClientOptions {
  credentials?: Credentials;
  /**
   * Only this method: used when every login counts (factory-credential tests), so a device that
   * refuses a UsernameToken with a Digest challenge does not get a second attempt per password.
   */
  onlyAuth?: 'usernameToken' | 'digest';
  timeoutMs?: number;
  maxBytes?: number;
}

export class OnvifClient {
  /** Device clock minus ours, in ms; set by the caller from GetSystemDateAndTime. */
  clockOffsetMs = 0;
  /** How the device last accepted our credentials; undefined until it has. */
  authMode?: AuthMode;
  /** Requests sent carrying credentials (each one is a login attempt for the device). */
  credentialAttempts = 0;
  private digest?: DigestChallenge;
  private nc = 0;
  readonly timeoutMs: number;
  readonly maxBytes: number;

  constructor(private readonly opts: ClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  get hasCredentials(): boolean {
    return this.opts.credentials !== undefined;
  }

  /**
   * Calls `operation` in namespace `ns` at `url`; `inner` is the request's child XML (trusted,
   * built by us). `authenticate: false` sends no credentials (GetSystemDateAndTime).
   */
  async call(url: string, ns: string, operation: string, inner = '', { authenticate = true } = {}): Promise<CallResult> {
    const creds = authenticate ? this.opts.credentials : undefined;
    const body = `<${operation} xmlns="${ns}">${inner}</${operation}>`;
    const send = async (mode: AuthMode) => {
      const header = mode === 'usernameToken' && creds ? usernameTokenHeader(creds, this.clockOffsetMs) : '';
      const headers: Record<string, string> = {
        'content-type': `application/soap+xml; charset=utf-8; action="${ns}/${operation}"`,
      };
      if (mode === 'digest' && creds && this.digest) {
        const u = new URL(url);
        headers.authorization = digestAuthorization(this.digest, creds, 'POST', `${u.pathname}${u.search}`, ++this.nc);
      }
      if (mode !== 'none') this.credentialAttempts++;
      const sentAt = Date.now();
      const res = await httpRequest(url, { method: 'POST', headers, body: buildEnvelope(body, header), timeoutMs: this.timeoutMs, maxBytes: this.maxBytes });
      return { res, sentAt, receivedAt: Date.now() };
    };
    try {
      const only = this.opts.onlyAuth;
      let mode: AuthMode = !creds
        ? 'none'
        : only === 'digest'
          ? this.digest ? 'digest' : 'none' // a first request without credentials fetches the challenge
          : only === 'usernameToken' || !(this.authMode === 'digest' && this.digest) ? 'usernameToken' : 'digest';
      let ex = await send(mode);
      if (ex.res.status === 401 && creds && only !== 'usernameToken') {
        const challenge = parseDigestChallenge(ex.res.headers['www-authenticate']);
        if (challenge) {
          this.digest = challenge;
          this.nc = 0;
          mode = 'digest';
          ex = await send(mode);
        }
      }
      return this.interpret(operation, mode, creds, ex.res.status, ex.res.body, ex.sentAt, ex.receivedAt);
    } catch (err) {
      if (err instanceof HttpError) return { ok: false, error: { operation, kind: err.kind, message: err.message } };
      return { ok: false, error: { operation, kind: 'network', message: (err as Error).message } };
    }
  }

  private interpret(operation: string, mode: AuthMode, creds: Credentials | undefined, status: number, bytes: Buffer, sentAt: number, receivedAt: number): CallResult {
    if (status === 401 || status === 403) {
      return { ok: false, error: { operation, kind: 'auth', status, message: `HTTP ${status}: credentials refused or required` } };
    }
    let parsed;
    try {
      parsed = parseSoap(bytes);
    } catch (err) {
      const kind: CallErrorKind = status >= 200 && status < 300 ? 'xml' : 'http';
      return { ok: false, error: { operation, kind, status, message: status >= 300 ? `HTTP ${status}` : (err as Error).message } };
    }
    if (!parsed.ok) {
      const kind: CallErrorKind = isAuthFault(parsed.fault) ? 'auth' : 'fault';
      return { ok: false, error: { operation, kind, status, fault: parsed.fault, message: describeFault(parsed.fault) } };
    }
    if (status < 200 || status >= 300) return { ok: false, error: { operation, kind: 'http', status, message: `HTTP ${status}` } };
    const response = responseElement(parsed.body, operation);
    if (!response) return { ok: false, error: { operation, kind: 'xml', status, message: `no ${operation}Response in the answer` } };
    if (mode !== 'none') this.authMode = mode;
    else if (!creds && this.authMode === undefined) this.authMode = 'none';
    return { ok: true, response, elapsedMs: receivedAt - sentAt, sentAt, receivedAt };
  }
}
