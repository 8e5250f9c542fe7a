/** Raw MQTT 3.1.1 bytes for tests that must see exactly what the broker answers. */
import { connect, type Socket } from 'node:net';

function utf8(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** CONNECT with clean session, keepalive 10 s, optional username/password. */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  let flags = 0x02;
  if (username !== undefined) flags |= 0x80;
  if (password !== undefined) flags |= 0x40;
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([0x04, flags, 0x00, 0x0a]),
    utf8(clientId),
    username !== undefined ? utf8(username) : Buffer.alloc(0),
    password !== undefined ? utf8(password) : Buffer.alloc(0),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** The fixed header of a PUBLISH (QoS 0) announcing `bodyBytes`, followed by nothing. */
export function publishHeader(bodyBytes: number): Buffer {
  return Buffer.concat([Buffer.from([0x30]), remainingLength(bodyBytes)]);
}

/** Sends bytes and collects what comes back until the server closes the connection. */
export function exchange(port: number, ...packets: Buffer[]): Promise<{ received: Buffer; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      for (const p of packets) socket.write(p);
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => resolve({ received: Buffer.concat(chunks), socket }));
  });
}
