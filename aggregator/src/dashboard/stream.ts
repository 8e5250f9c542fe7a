/**
 * `GET /api/v1/stream`: server-sent events telling a logged-in browser that the fleet changed.
 *
 * The events carry no data, only a hint (`event: fleet`), so the stream cannot leak what a user
 * may not see: the browser re-fetches through the API, which applies the user's permissions.
 * Bursts (an agent reporting many cameras, heartbeats) are coalesced to one hint per interval.
 * `close()` ends every open stream, so the HTTP server can shut down while browsers are connected.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { FleetStore } from '../fleet/store.ts';

export interface LiveStreamOptions {
  /** At most one hint per this many ms per connection. */
  coalesceMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs?: number;
}

export class LiveStreams {
  private readonly open = new Set<SSEStreamingApi>();
  private readonly coalesceMs: number;
  private readonly keepAliveMs: number;

  constructor(
    private readonly fleet: FleetStore,
    opts: LiveStreamOptions = {},
  ) {
    this.coalesceMs = opts.coalesceMs ?? 250;
    this.keepAliveMs = opts.keepAliveMs ?? 20_000;
  }

  get size(): number {
    return this.open.size;
  }

  /** The route handler; mount it behind the API's authentication. */
  handle(c: Context): Response {
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      this.open.add(stream);
      let pending: NodeJS.Timeout | undefined;
      let seq = 0;
      const send = () => {
        pending = undefined;
        void stream.writeSSE({ event: 'fleet', data: '{}', id: String(++seq) });
      };
      const onChange = () => {
        pending ??= setTimeout(send, this.coalesceMs);
      };
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      this.fleet.changes.on('change', onChange);
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), this.keepAliveMs);
      try {
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 3000 });
        await closed;
      } finally {
        this.fleet.changes.off('change', onChange);
        clearInterval(keepAlive);
        if (pending) clearTimeout(pending);
        this.open.delete(stream);
      }
    });
  }

  close(): void {
    for (const stream of this.open) stream.abort();
  }
}
