/**
 * One bounded HTTP exchange with a camera: a deadline over the whole exchange (connect, headers
 * and body), a cap on the body size, nothing kept alive. Cameras serve self-signed certificates,
 * so HTTPS is used for privacy on the wire, not for identity (see README).
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpExchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'too-large' | 'network',
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const DEFAULT_TIMEOUT_MS = 5_000;
/** The largest captured answer is under 100 KiB; 1 MiB leaves room and bounds parse time. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpExchange> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new HttpError(`invalid URL`, 'network'));
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      reject(new HttpError(`unsupported scheme ${u.protocol}`, 'network'));
      return;
    }
    const lib = u.protocol === 'https:' ? https : http;
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
    let settled = false;
    const finish = (err: Error | null, value?: HttpExchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const timer = setTimeout(() => finish(new HttpError(`no complete answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    const req = lib.request(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port || undefined,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? (body ? 'POST' : 'GET'),
        headers: { ...(opts.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}), connection: 'close' },
        agent: false,
        rejectUnauthorized: false,
        maxHeaderSize: 16 * 1024,
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          finish(new HttpError(`answer of ${declared} bytes exceeds the ${maxBytes}-byte cap`, 'too-large'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            finish(new HttpError(`answer exceeds the ${maxBytes}-byte cap`, 'too-large'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => finish(new HttpError(err.message, 'network')));
      },
    );
    req.on('error', (err) => finish(new HttpError(err.message, 'network')));
    if (body) req.write(body);
    req.end();
  });
}
