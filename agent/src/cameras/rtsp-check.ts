/**
 * Is a camera's RTSP service answering? One OPTIONS request, bounded by a timeout. Any RTSP
 * status line counts as alive (401 included: the camera is there, it wants credentials).
 */
import { connect } from 'node:net';

export async function rtspAlive(rtspUrl: string, timeoutMs = 3000): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(rtspUrl);
  } catch {
    return false;
  }
  const port = Number(url.port || 554);
  const target = `rtsp://${url.hostname}:${port}${url.pathname}`;
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    let received = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`OPTIONS ${target} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camfleet\r\n\r\n`));
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (received.includes('\r\n')) done(/^RTSP\/1\.0 \d{3}/.test(received));
      else if (received.length > 4096) done(false);
    });
    socket.on('end', () => done(/^RTSP\/1\.0 \d{3}/.test(received)));
  });
}
