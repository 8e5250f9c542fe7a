/**
 * A JPEG of what a camera sees: from its snapshot URI (HTTP, Basic or Digest auth) when it has
 * one, else one frame decoded from its stream by ffmpeg.
 */
import type { Credentials } from '../onvif/auth.ts';
import { digestAuthorization, parseDigestChallenge } from '../onvif/auth.ts';
import { httpRequest } from '../onvif/http.ts';
import { ffmpegPath, runTool } from '../recorder/ffmpeg.ts';

const MAX_JPEG = 4 * 1024 * 1024;

export function isJpeg(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8;
}

export async function snapshotFromUri(uri: string, creds?: Credentials, timeoutMs = 5000): Promise<Buffer> {
  let res = await httpRequest(uri, { timeoutMs, maxBytes: MAX_JPEG });
  if (res.status === 401 && creds) {
    const challenge = parseDigestChallenge(res.headers['www-authenticate']);
    const u = new URL(uri);
    const authorization = challenge
      ? digestAuthorization(challenge, creds, 'GET', `${u.pathname}${u.search}`, 1)
      : `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    res = await httpRequest(uri, { timeoutMs, maxBytes: MAX_JPEG, headers: { authorization } });
  }
  if (res.status !== 200) throw new Error(`snapshot URI answered HTTP ${res.status}`);
  if (!isJpeg(res.body)) throw new Error('snapshot URI did not answer a JPEG');
  return res.body;
}

/** One frame from an RTSP (or any ffmpeg-readable) stream, scaled to at most `maxWidth`. */
export async function snapshotFromStream(url: string, { maxWidth = 1280, timeoutMs = 15_000 } = {}): Promise<Buffer> {
  const input = /^rtsps?:/i.test(url) ? ['-rtsp_transport', 'tcp', '-timeout', String(timeoutMs * 1000)] : [];
  const r = await runTool(
    ffmpegPath(),
    ['-hide_banner', '-nostdin', '-v', 'error', ...input, '-i', url, '-frames:v', '1', '-vf', `scale='min(${maxWidth},iw)':-2`, '-q:v', '4', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1'],
    { timeoutMs: timeoutMs + 5000, maxStdoutBytes: MAX_JPEG },
  );
  if (r.code !== 0 || !isJpeg(r.stdout)) throw new Error('could not take a frame from the stream');
  return r.stdout;
}

/** The snapshot URI first (cheap for the camera), the stream when that fails or there is none. */
export async function snapshot(opts: { snapshotUri?: string; streamUrl?: string; credentials?: Credentials }): Promise<Buffer> {
  if (opts.snapshotUri) {
    try {
      return await snapshotFromUri(opts.snapshotUri, opts.credentials);
    } catch (err) {
      if (!opts.streamUrl) throw err;
    }
  }
  if (!opts.streamUrl) throw new Error('no snapshot URI and no stream URL');
  return snapshotFromStream(opts.streamUrl);
}
