/**
 * A socket seen through the packet-size guard: aedes reads this stream, the guard watches the
 * bytes first and cuts the connection at the first oversized packet header.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { MqttPacketGuard } from './packet-guard.ts';

export class GuardedConnection extends Duplex {
  /** The peer's address (aedes sees this stream, not the socket; the broker throttles by it). */
  readonly remoteAddress: string | undefined;

  constructor(
    private readonly socket: Socket,
    maxPacketBytes: number,
    onOversize: (announcedBytes: number) => void,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = socket.remoteAddress;
    const guard = new MqttPacketGuard(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      const oversize = guard.push(chunk);
      if (oversize !== undefined) {
        onOversize(oversize);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) {
      callback(new Error('connection closed'));
      return;
    }
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
