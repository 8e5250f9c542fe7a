/**
 * Serving a stored file (a clip's MP4) with HTTP Range support, so a browser's <video> can seek
 * without downloading the whole clip. `parseRange` is pure; `fileResponse` opens the file.
 * Only single ranges are served (what media elements ask for); multi-range requests get the
 * whole file, as RFC 9110 allows.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

export type RangeResult = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/** Parses a `Range` header against a file of `size` bytes (end inclusive, as in Content-Range). */
export function parseRange(header: string | undefined | null, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' }; // multi-range or malformed: ignore it
  if (size === 0) return { kind: 'unsatisfiable' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    // Suffix range: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || end < start) return { kind: 'unsatisfiable' };
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** A Response streaming `file` (or the requested part of it). Throws when the file is missing. */
export function fileResponse(file: string, rangeHeader: string | undefined, contentType: string, extraHeaders: Record<string, string> = {}): Response {
  const size = statSync(file).size;
  const range = parseRange(rangeHeader, size);
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store', ...extraHeaders };
  if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const body = size === 0 ? null : (Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>);
  headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1);
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  return new Response(body, { status: range.kind === 'partial' ? 206 : 200, headers });
}
