/**
 * Structured logs (pino). Any field that could carry a secret is censored, wherever it sits,
 * and URLs with embedded credentials are stripped by `redactUrl` before they are logged.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'cookie',
  'apiKey',
  'credentials',
  'privateKey',
  'key',
];

/** Redaction paths for the secret keys at the top level and up to two levels deep. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  // The environment wins over the config file: an operator turning up logging should not have
  // to edit it.
  const level = process.env.CAMFLEET_LOG_LEVEL ?? options.level ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');
  return pino({
    ...options,
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}

/** Removes user:password@ from a URL (RTSP and HTTP URLs from cameras often carry them). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Removes user:password@ from every URL in a text (ffmpeg and HTTP errors quote their input URL). The one copy. */
export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}
