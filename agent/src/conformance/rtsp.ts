/** One RTSP DESCRIBE without credentials: does the camera hand its stream to anyone? */
import net from 'node:net';

export type RtspAnswer = { status: number; server?: string } | { error: string };

export function rtspDescribe(uri: string, { timeoutMs = 5_000, maxBytes = 64 * 1024 } = {}): Promise<RtspAnswer> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      resolve({ error: 'invalid RTSP URI' });
      return;
    }
    if (u.protocol !== 'rtsp:') {
      resolve({ error: `not an RTSP URI (${u.protocol})` });
      return;
    }
    // Never send credentials a URI might carry.
    u.username = '';
    u.password = '';
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 554) });
    let buf = '';
    let done = false;
    const finish = (a: RtspAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => socket.write(`DESCRIBE ${u.toString()} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: camfleet-check\r\n\r\n`));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.length > maxBytes) return finish({ error: 'answer too large' });
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const m = /^RTSP\/1\.\d (\d{3})/.exec(buf);
      if (!m) return finish({ error: 'not an RTSP answer' });
      const server = /\r\nServer:\s*([^\r\n]*)/i.exec(buf.slice(0, end))?.[1];
      finish({ status: Number(m[1]), ...(server ? { server } : {}) });
    });
    socket.on('error', (err) => finish({ error: err.message }));
    socket.on('close', () => finish({ error: 'connection closed without an answer' }));
  });
}
