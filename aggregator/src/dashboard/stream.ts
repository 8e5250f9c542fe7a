/**
 * `GET /api/v1/stream`: server-sent events telling a logged-in browser that the fleet changed.
 *
 * The events carry no data, only a hint (`event: fleet`), so the stream cannot leak what a user
 * may not see: the browser re-fetches through the API, which applies the user's permissions.
 * One listener on the fleet store fans out to every open stream; bursts (an agent reporting many
 * cameras, heartbeats) are coalesced to one hint per interval and stream. `close()` ends every
 * stream, so the HTTP server can shut down while browsers are connected.
 *
 * A stream lives no longer than the session that opened it: logout ends it at once
 * (`endToken`), and every `revalidateMs` each stream's token is checked again (revoked,
 * expired, user disabled: the stream ends). One user holds at most `maxPerUser` streams (429
 * beyond). A HEAD request gets the headers and no stream (hono runs GET handlers for HEAD and
 * drops the body, which would leave an opened stream behind).
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { FleetStore } from '../fleet/store.ts';
import type { User } from '../auth/users.ts';

export interface LiveStreamOptions {
  /** At most one hint per this many ms per connection. */
  coalesceMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs?: number;
  /** Open streams per user (default 4). */
  maxPerUser?: number;
  /** Whether the bearer token a stream was opened with is still good (default: always). */
  isTokenValid?: (token: string) => boolean;
  /** How often open streams' tokens are checked again (default 5 s). */
  revalidateMs?: number;
}

interface OpenStream {
  stream: SSEStreamingApi;
  pending?: NodeJS.Timeout;
  seq: number;
  userId: number;
  token: string;
}

export class LiveStreams {
  private readonly open = new Set<OpenStream>();
  private readonly coalesceMs: number;
  private readonly keepAliveMs: number;
  private readonly maxPerUser: number;
  private readonly isTokenValid: (token: string) => boolean;
  private readonly revalidate: NodeJS.Timeout;
  private readonly perUser = new Map<number, number>();
  private readonly onChange = () => {
    for (const s of this.open) s.pending ??= setTimeout(() => this.hint(s), this.coalesceMs);
  };

  constructor(
    private readonly fleet: FleetStore,
    opts: LiveStreamOptions = {},
  ) {
    this.coalesceMs = opts.coalesceMs ?? 250;
    this.keepAliveMs = opts.keepAliveMs ?? 20_000;
    this.maxPerUser = opts.maxPerUser ?? 4;
    this.isTokenValid = opts.isTokenValid ?? (() => true);
    fleet.changes.on('change', this.onChange);
    this.revalidate = setInterval(() => {
      for (const s of this.open) if (!this.isTokenValid(s.token)) s.stream.abort();
    }, opts.revalidateMs ?? 5000);
    this.revalidate.unref();
  }

  /** Streams open for one user. */
  openFor(userId: number): number {
    return this.perUser.get(userId) ?? 0;
  }

  /** Ends the streams opened with `token` (logout). */
  endToken(token: string): void {
    for (const s of this.open) if (s.token === token) s.stream.abort();
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
    const user = c.get('user') as User | undefined;
    const token = (c.get('token') as string | undefined) ?? '';
    if (!user) return c.json({ error: { code: 'unauthenticated', message: 'a valid bearer token is required' } }, 401);
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (this.openFor(user.id) >= this.maxPerUser) {
      return c.json({ error: { code: 'rate-limited', message: `at most ${this.maxPerUser} live streams per user` } }, 429);
    }
    // Counted before the stream starts, so concurrent requests cannot pass the cap together.
    this.perUser.set(user.id, this.openFor(user.id) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = this.openFor(user.id) - 1;
      if (n > 0) this.perUser.set(user.id, n);
      else this.perUser.delete(user.id);
    };
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const entry: OpenStream = { stream, seq: 0, userId: user.id, token };
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
        release();
      }
    });
  }

  /** Ends every open stream and stops listening to the fleet (server shutdown). */
  close(): void {
    this.fleet.changes.off('change', this.onChange);
    clearInterval(this.revalidate);
    for (const s of this.open) s.stream.abort();
  }
}
