/**
 * Is a camera's stream there? One RTSP DESCRIBE, bounded by a timeout. OPTIONS is not enough:
 * servers answer it for paths that do not exist. 200 means the stream is served; 401 means it
 * is there and wants credentials; anything else (404, 503, no answer) means it is not available.
 */
import { connect } from 'node:net';

export async function rtspAlive(rtspUrl: string, timeoutMs = 10_000): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(rtspUrl);
  } catch {
    return false;
  }
  const port = Number(url.port || 554);
  const target = `rtsp://${url.hostname}:${port}${url.pathname}${url.search}`;
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    let received = '';
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const status = Number(/^RTSP\/1\.0 (\d{3})/.exec(received)?.[1]);
      resolve(status === 200 || status === 401);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('error', done);
    socket.on('connect', () =>
      socket.write(`DESCRIBE ${target} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: camfleet\r\n\r\n`),
    );
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (received.includes('\r\n') || received.length > 4096) done();
    });
    socket.on('end', done);
  });
}
