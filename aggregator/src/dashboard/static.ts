/**
 * Serves the dashboard's static files (aggregator/src/dashboard/public) at `/` and `/assets/*`.
 * Everything the browser loads comes from here: no CDN, no font service, so the dashboard works
 * on a network without internet. Files are read from a fixed folder with a whitelist of types;
 * paths that try to leave the folder are refused.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { publicDashboardConfig, tileOrigin, type DashboardConfig } from './config.ts';

export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Same-origin only; images and video may come from blob: URLs (snapshots and clips are fetched
 * with the bearer token, then shown from memory), and map tiles from the configured tile server.
 */
export function contentSecurityPolicy(tileOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data:${tileOrigin ? ' ' + tileOrigin : ''}`,
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** True for the paths this sub-app answers; everything else goes to the API. */
export function isDashboardPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/favicon.ico' || path === '/dashboard-config.json' || path.startsWith('/assets/');
}

/** Maps a URL path under /assets/ to a file inside PUBLIC_DIR, or undefined when it would escape. */
export function assetFile(urlPath: string, root = PUBLIC_DIR): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.replace(/^\/assets\//, ''));
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || !TYPES[extname(rel)]) return undefined;
  const file = normalize(join(root, rel));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

export function createDashboardApp(config: DashboardConfig = {}, root = PUBLIC_DIR): Hono {
  const app = new Hono();
  const csp = contentSecurityPolicy(tileOrigin(config));

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', csp);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });

  const send = async (file: string | undefined, cache: string) => {
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': TYPES[extname(file)]!, 'Cache-Control': cache } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };

  // The page shell is never cached so a new version of the assets is picked up at once.
  app.get('/', () => send(join(root, 'index.html'), 'no-store'));
  app.get('/index.html', () => send(join(root, 'index.html'), 'no-store'));
  app.get('/favicon.ico', () => send(join(root, 'icon.svg'), 'max-age=86400'));
  app.get('/assets/*', (c) => send(assetFile(c.req.path, root), 'no-cache'));
  // Public settings the page needs before anyone logs in (nothing secret: the tile URL).
  app.get('/dashboard-config.json', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(publicDashboardConfig(config));
  });
  return app;
}
