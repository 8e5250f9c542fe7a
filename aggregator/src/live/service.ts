/**
 * Live sessions at the centre: viewers, upstreams and the agents' WebSockets.
 *
 * - A viewer (an authorized GET, routes.ts) joins the camera's one upstream; the first viewer
 *   creates it: a session id and a one-time token (32 random bytes; only its SHA-256 is kept)
 *   go to the agent in a `live.start` command, and the agent dials out to LIVE_AGENT_PATH.
 * - The agent's upgrade is accepted only with its own credentials (checked like its MQTT login),
 *   the pending session's id, the matching token (constant-time compare), for the same agent,
 *   before the token's deadline, once. Anything else is answered 401 without an upgrade.
 * - When the last viewer leaves, the upstream waits `idleMs` for another, then the agent is told
 *   `live.stop` and its WebSocket is closed: the agent never streams for nobody.
 * - Every `recheckMs`, each viewer's access is decided again (token revoked, user disabled, grant
 *   revoked or outside its hours): a viewer who lost it is cut within seconds, and audited.
 * - Audit: `live.start` when a viewer is admitted, `live.stop` when it leaves, with viewer,
 *   camera, purpose, the rule and grant that allowed it, span and bytes sent.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIVE_AGENT_PATH, LIVE_HEADERS, LIVE_MAX_MESSAGE_BYTES, type Logger } from '@camfleet/shared';
import type { AuditRecordInput } from '../audit/trail.ts';
import type { Principal } from '../authz/decide.ts';
import { DEFAULT_RELAY_LIMITS, RelayChannel, type RelayLimits, type RelayViewer } from './relay.ts';

export interface LiveDeps {
  /** Sends a control command to an agent (no record: the token must not be stored). */
  sendCommand(agentId: string, name: 'live.start' | 'live.stop', args: Record<string, unknown>): Promise<void>;
  verifyAgent(agentId: string, password: string, ip: string | null): Promise<boolean> | boolean;
  /** Is this viewer still allowed? (token valid, user enabled, permission with the same purpose). */
  stillAllowed(viewer: ViewerIdentity): Promise<boolean>;
  audit(input: AuditRecordInput): Promise<void>;
  logger: Logger;
  limits?: Partial<RelayLimits>;
  /** Wait this long for another viewer before stopping an upstream nobody watches. */
  idleMs?: number;
  /** Re-decide every viewer's access this often. */
  recheckMs?: number;
  /** The agent must connect within this after `live.start`. */
  connectTimeoutMs?: number;
  /** Viewers per camera, and upstreams in all (a bound on what one centre relays). */
  maxViewersPerCamera?: number;
  maxUpstreams?: number;
}

export interface ViewerIdentity {
  principal: Principal;
  token: string;
  agentId: string;
  cameraId: string;
  purpose: string | null;
  via: string;
  grantId: string | null;
  ownerOrgId: string | null;
  areaId: string | null;
  ip: string | null;
}

interface Upstream {
  key: string;
  sessionId: string;
  agentId: string;
  cameraId: string;
  tokenHash: Buffer;
  tokenExpires: number;
  tokenUsed: boolean;
  channel: RelayChannel;
  socket?: WebSocket;
  idleTimer?: NodeJS.Timeout;
  connectTimer?: NodeJS.Timeout;
  startedAt: number;
  closed: boolean;
}

interface ViewerSession extends RelayViewer {
  id: string;
  identity: ViewerIdentity;
  upstream: Upstream;
  startedAt: Date;
  bytes: number;
  ended: boolean;
}

export class LiveError extends Error {
  constructor(
    readonly code: 'too-many-viewers' | 'too-many-streams',
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class LiveService {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly bySession = new Map<string, Upstream>();
  private readonly viewers = new Set<ViewerSession>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: LIVE_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly limits: RelayLimits;
  private readonly recheckTimer: NodeJS.Timeout;
  private rechecking = false;

  constructor(private readonly deps: LiveDeps) {
    this.limits = { ...DEFAULT_RELAY_LIMITS, ...deps.limits };
    this.recheckTimer = setInterval(() => void this.recheck(), deps.recheckMs ?? 2000);
    this.recheckTimer.unref();
  }

  /** For status and tests: upstreams with their viewer counts. */
  status(): Array<{ agentId: string; cameraId: string; sessionId: string; viewers: number; connected: boolean; bytesIn: number }> {
    return [...this.upstreams.values()].map((u) => ({
      agentId: u.agentId, cameraId: u.cameraId, sessionId: u.sessionId, viewers: u.channel.viewerCount, connected: !!u.socket, bytesIn: u.channel.bytesIn,
    }));
  }

  /**
   * Admits an (already authorized) viewer: joins or starts the camera's upstream and returns the
   * byte stream to send (fMP4: init segment, then fragments). Audited as `live.start` here.
   */
  async open(identity: ViewerIdentity): Promise<{ sessionId: string; stream: ReadableStream<Uint8Array> }> {
    const key = `${identity.agentId}/${identity.cameraId}`;
    let up = this.upstreams.get(key);
    if (up && up.channel.viewerCount >= (this.deps.maxViewersPerCamera ?? 200)) throw new LiveError('too-many-viewers', 'this camera has as many viewers as the centre relays');
    if (!up && this.upstreams.size >= (this.deps.maxUpstreams ?? 500)) throw new LiveError('too-many-streams', 'the centre relays as many live cameras as it can');
    const viewerId = randomUUID();
    await this.deps.audit(this.auditInput('live.start', identity, { viewerSession: viewerId }));
    if (!up || up.closed) up = this.startUpstream(identity);
    const upstream = up;
    if (upstream.idleTimer) clearTimeout(upstream.idleTimer);
    upstream.idleTimer = undefined;

    const queue: Buffer[] = [];
    let queued = 0;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let waiting = false;
    const flush = () => {
      if (!waiting || !queue.length) return;
      const b = queue.shift()!;
      queued -= b.length;
      waiting = false;
      viewer.bytes += b.length;
      controller.enqueue(b);
    };
    const viewer: ViewerSession = {
      id: viewerId,
      identity,
      upstream,
      startedAt: new Date(),
      bytes: 0,
      ended: false,
      write: (b) => {
        queue.push(b);
        queued += b.length;
        flush();
      },
      queuedBytes: () => queued,
      drop: (reason) => {
        this.leave(viewer, reason);
        try {
          controller.close();
        } catch {
          /* already closed or cancelled */
        }
        queue.length = 0;
        queued = 0;
      },
    };
    // highWaterMark 0: the stream holds nothing itself; pull() is called when the connection can
    // take more (the HTTP server waits for 'drain'), so `queued` is exactly what the viewer owes.
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        pull: () => {
          waiting = true;
          flush();
        },
        cancel: () => this.leave(viewer, 'viewer-left'),
      },
      { highWaterMark: 0 },
    );
    this.viewers.add(viewer);
    upstream.channel.addViewer(viewer);
    return { sessionId: upstream.sessionId, stream };
  }

  /** The WebSocket upgrade for LIVE_AGENT_PATH; false when the request is for another path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== LIVE_AGENT_PATH) return false;
    void this.acceptAgent(req, socket, head).catch((err: Error) => {
      this.deps.logger.warn({ err: err.message }, 'live upgrade failed');
      refuse(socket, 500);
    });
    return true;
  }

  close(): void {
    clearInterval(this.recheckTimer);
    for (const u of [...this.upstreams.values()]) this.stopUpstream(u, 'centre-closing');
    this.wss.close();
  }

  private startUpstream(identity: ViewerIdentity): Upstream {
    const token = randomBytes(32).toString('hex');
    const up: Upstream = {
      key: `${identity.agentId}/${identity.cameraId}`,
      sessionId: randomUUID(),
      agentId: identity.agentId,
      cameraId: identity.cameraId,
      tokenHash: sha256(token),
      tokenExpires: Date.now() + (this.deps.connectTimeoutMs ?? 15_000),
      tokenUsed: false,
      channel: new RelayChannel(this.limits),
      startedAt: Date.now(),
      closed: false,
    };
    this.upstreams.set(up.key, up);
    this.bySession.set(up.sessionId, up);
    up.connectTimer = setTimeout(() => {
      if (!up.socket) {
        this.deps.logger.warn({ agentId: up.agentId, camera: up.cameraId }, 'agent did not connect for live view');
        this.stopUpstream(up, 'agent-did-not-connect');
      }
    }, this.deps.connectTimeoutMs ?? 15_000);
    up.connectTimer.unref();
    this.deps
      .sendCommand(up.agentId, 'live.start', { sessionId: up.sessionId, cameraId: up.cameraId, token, stream: 'sub', ...(identity.grantId ? { grantId: identity.grantId } : {}) })
      .catch((err: Error) => {
        this.deps.logger.warn({ agentId: up.agentId, err: err.message }, 'live.start not sent');
        this.stopUpstream(up, 'send-failed');
      });
    return up;
  }

  private stopUpstream(up: Upstream, reason: string): void {
    if (up.closed) return;
    up.closed = true;
    if (up.idleTimer) clearTimeout(up.idleTimer);
    if (up.connectTimer) clearTimeout(up.connectTimer);
    if (this.upstreams.get(up.key) === up) this.upstreams.delete(up.key);
    this.bySession.delete(up.sessionId);
    up.channel.end(reason === 'upstream-error' ? 'upstream-error' : 'ended');
    up.socket?.close(1000, reason.slice(0, 60));
    // Also by command: an agent whose WebSocket never opened (or is half-open) still stops.
    this.deps.sendCommand(up.agentId, 'live.stop', { sessionId: up.sessionId }).catch(() => undefined);
    this.deps.logger.info({ agentId: up.agentId, camera: up.cameraId, reason, bytesIn: up.channel.bytesIn }, 'live upstream stopped');
  }

  private leave(viewer: ViewerSession, reason: string): void {
    if (viewer.ended) return;
    viewer.ended = true;
    this.viewers.delete(viewer);
    const up = viewer.upstream;
    up.channel.removeViewer(viewer);
    const endedAt = new Date();
    void this.deps
      .audit(
        this.auditInput('live.stop', viewer.identity, {
          viewerSession: viewer.id, reason, from: viewer.startedAt.toISOString(), to: endedAt.toISOString(),
          seconds: Math.round((endedAt.getTime() - viewer.startedAt.getTime()) / 100) / 10, bytes: viewer.bytes,
        }),
      )
      .catch((err: Error) => this.deps.logger.error({ err: err.message }, 'live.stop not audited'));
    if (!up.closed && up.channel.viewerCount === 0 && !up.idleTimer) {
      up.idleTimer = setTimeout(() => {
        up.idleTimer = undefined;
        if (up.channel.viewerCount === 0) this.stopUpstream(up, 'no-viewers');
      }, this.deps.idleMs ?? 5000);
      up.idleTimer.unref();
    }
  }

  private auditInput(action: string, v: ViewerIdentity, detail: Record<string, unknown>): AuditRecordInput {
    return {
      action, outcome: 'allowed', actor: v.principal, ip: v.ip, purpose: v.purpose,
      resource: { type: 'camera', id: `${v.agentId}/${v.cameraId}`, ownerOrgId: v.ownerOrgId, areaId: v.areaId },
      detail: { ...detail, via: v.via, grantId: v.grantId },
    };
  }

  private async recheck(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const v of [...this.viewers]) {
        let ok = false;
        try {
          ok = await this.deps.stillAllowed(v.identity);
        } catch (err) {
          this.deps.logger.warn({ err: (err as Error).message }, 'live access re-check failed; viewer cut');
        }
        if (!ok && !v.ended) {
          this.leave(v, 'access-ended');
          v.drop('ended');
        }
      }
    } finally {
      this.rechecking = false;
    }
  }

  private async acceptAgent(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : '';
    };
    const agentId = h(LIVE_HEADERS.agent);
    const auth = h(LIVE_HEADERS.authorization);
    const password = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const sessionId = h(LIVE_HEADERS.session);
    const token = h(LIVE_HEADERS.token);
    const up = this.bySession.get(sessionId);
    const ip = req.socket.remoteAddress ?? null;
    const tokenOk = !!up && /^[0-9a-f]{64}$/.test(token) && timingSafeEqual(sha256(token), up.tokenHash);
    // The token is spent by any attempt that names its session with the wrong agent or token too:
    // a guessed token gets one try, and the real agent's failure shows in the log.
    const valid = !!up && !up.closed && !up.tokenUsed && up.agentId === agentId && tokenOk && Date.now() <= up.tokenExpires;
    if (up) up.tokenUsed = true;
    if (!valid || !password || !(await this.deps.verifyAgent(agentId, password, ip))) {
      this.deps.logger.warn({ agentId: agentId.slice(0, 64), ip, session: !!up }, 'live upstream refused');
      if (up && !up.socket) this.stopUpstream(up, 'agent-refused');
      refuse(socket, 401);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(up!, ws));
  }

  private attach(up: Upstream, ws: WebSocket): void {
    if (up.closed) {
      ws.close(1000, 'session ended');
      return;
    }
    up.socket = ws;
    if (up.connectTimer) clearTimeout(up.connectTimer);
    this.deps.logger.info({ agentId: up.agentId, camera: up.cameraId }, 'live upstream connected');
    ws.on('message', (data, isBinary) => {
      if (up.closed) return;
      if (!isBinary) {
        this.stopUpstream(up, 'upstream-error');
        return;
      }
      try {
        up.channel.push(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer));
      } catch (err) {
        this.deps.logger.warn({ agentId: up.agentId, camera: up.cameraId, err: (err as Error).message }, 'garbage from the agent: live upstream closed');
        this.stopUpstream(up, 'upstream-error');
      }
    });
    ws.on('close', () => this.stopUpstream(up, 'agent-disconnected'));
    ws.on('error', () => undefined);
  }
}

function refuse(socket: Duplex, status: 401 | 500): void {
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Internal Server Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
