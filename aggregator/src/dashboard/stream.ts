/**
 * `GET /api/v1/stream`: server-sent events telling a logged-in browser that the fleet changed.
 *
 * The events carry no data, only a hint (`event: fleet`), so the stream cannot leak what a user
 * may not see: the browser re-fetches through the API, which applies the user's permissions.
 * One listener on the fleet store fans out to every open stream; bursts (an agent reporting many
 * cameras, heartbeats) are coalesced to one hint per interval and stream. `close()` ends every
 * stream, so the HTTP server can shut down while browsers are connected.
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

interface OpenStream {
  stream: SSEStreamingApi;
  pending?: NodeJS.Timeout;
  seq: number;
}

export class LiveStreams {
  private readonly open = new Set<OpenStream>();
  private readonly coalesceMs: number;
  private readonly keepAliveMs: number;
  private readonly onChange = () => {
    for (const s of this.open) s.pending ??= setTimeout(() => this.hint(s), this.coalesceMs);
  };

  constructor(
    private readonly fleet: FleetStore,
    opts: LiveStreamOptions = {},
  ) {
    this.coalesceMs = opts.coalesceMs ?? 250;
    this.keepAliveMs = opts.keepAliveMs ?? 20_000;
    fleet.changes.on('change', this.onChange);
  }

  get size(): number {
    return this.open.size;
  }

  private hint(s: OpenStream): void {
    s.pending = undefined;
    void s.stream.writeSSE({ event: 'fleet', data: '{}', id: String(++s.seq) });
  }

  /** The route handler; mount it behind the API's authentication. */
  handle(c: Context): Response {
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const entry: OpenStream = { stream, seq: 0 };
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      this.open.add(entry);
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), this.keepAliveMs);
      try {
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 3000 });
        await closed;
      } finally {
        clearInterval(keepAlive);
        if (entry.pending) clearTimeout(entry.pending);
        this.open.delete(entry);
      }
    });
  }

  /** Ends every open stream and stops listening to the fleet (server shutdown). */
  close(): void {
    this.fleet.changes.off('change', this.onChange);
    for (const s of this.open) s.stream.abort();
  }
}
