/**
 * Live view, agent side (a runtime component): on `live.start` from the centre, dial OUT to the
 * centre's relay over one WebSocket and send the camera's stream remuxed without re-encoding
 * (`ffmpeg -c copy`, fragmented MP4 with a keyframe at the start of every fragment). Nothing
 * listens at the site: this works behind carrier NAT and 4G, over one TCP connection that
 * haproxy/nginx pass as an ordinary HTTP upgrade.
 *
 * A session ends when the centre says `live.stop`, when the WebSocket closes (the centre closes
 * it when the last viewer has left), when ffmpeg exits, or when the agent stops; each end kills
 * the other half, so no ffmpeg streams for nobody. ffmpeg runs through the child-process helper
 * (dies with the agent, recorded, reaped). Backpressure: while the socket holds more than
 * `maxBufferedBytes`, ffmpeg's stdout is paused (the kernel pipe then holds ffmpeg; a 4G link
 * slower than the stream shows as a lagging picture, never as agent memory).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { LIVE_AGENT_PATH, LIVE_HEADERS, LIVE_MAX_MESSAGE_BYTES, LiveStartArgs, LiveStopArgs, redactUrlsIn, type Logger } from '@camfleet/shared';
import { spawnChild } from '../system/child-process.ts';
import { ffmpegPath } from '../recorder/ffmpeg.ts';
import { recordingUrl } from '../recorder/from-config.ts';
import { CommandError, type CommandDispatcher } from '../uplink/commands.ts';
import type { ResolvedCamera } from '../cameras/secrets.ts';
import type { CameraInventory } from '../cameras/inventory.ts';
import type { SharingState } from '../runtime/sharing.ts';

export interface LiveStreamerDeps {
  commands: CommandDispatcher;
  agentId: string;
  /** The agent's secret (its MQTT password), sent only in the upgrade's Authorization header. */
  password: string;
  /** The centre's HTTP(S) URL; live view is off without one. */
  httpUrl: string | undefined;
  caFile?: string;
  camera(id: string): ResolvedCamera | undefined;
  inventory: CameraInventory;
  sharing: SharingState;
  logger: Logger;
  /** At most this many cameras streamed at once (a box's uplink and CPU are small). */
  maxSessions?: number;
  maxBufferedBytes?: number;
}

interface Session {
  id: string;
  cameraId: string;
  ws: WebSocket;
  ffmpeg?: ChildProcess;
  ended: boolean;
}

/** ffmpeg's arguments: RTSP over TCP, the first video track, stream copy, fMP4 to stdout. */
export function liveFfmpegArgs(url: string): string[] {
  const rtsp = url.startsWith('rtsp');
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...(rtsp ? ['-rtsp_transport', 'tcp', '-timeout', '10000000'] : []),
    '-i', url,
    '-map', '0:v:0', '-c', 'copy',
    '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof',
    'pipe:1',
  ];
}

export class LiveStreamer {
  readonly name = 'live';
  private readonly sessions = new Map<string, Session>();
  private stopped = false;

  constructor(private readonly deps: LiveStreamerDeps) {}

  start(): void {
    // No reply: the centre sends these without a record (the token is not stored anywhere); it
    // learns the outcome from the WebSocket arriving, or not, within its deadline.
    this.deps.commands.register('live.start', (args) => this.begin(args), { reply: false });
    this.deps.commands.register('live.stop', (args) => {
      const p = LiveStopArgs.safeParse(args);
      if (p.success) this.end(p.data.sessionId, 'centre');
    }, { reply: false });
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.sessions.keys()]) this.end(id, 'agent-stopping');
  }

  /** Sessions streaming now (status, tests). */
  active(): Array<{ sessionId: string; cameraId: string; pid?: number }> {
    return [...this.sessions.values()].map((s) => ({ sessionId: s.id, cameraId: s.cameraId, pid: s.ffmpeg?.pid }));
  }

  private begin(raw: Record<string, unknown>): void {
    const log = this.deps.logger;
    const p = LiveStartArgs.safeParse(raw);
    if (!p.success) throw new CommandError('bad-args', 'live.start needs sessionId, cameraId and token');
    const args = p.data;
    if (this.stopped) return;
    if (!this.deps.httpUrl) throw new CommandError('no-centre-url', 'this agent knows no centre HTTP URL for live view');
    if (this.sessions.has(args.sessionId)) return;
    if (this.sessions.size >= (this.deps.maxSessions ?? 4)) throw new CommandError('busy', 'as many live cameras as this box streams');
    const cam = this.deps.camera(args.cameraId);
    if (!cam) throw new CommandError('unknown-camera', 'no such camera');
    const verdict = this.deps.sharing.mayServe(cam.id, args.grantId, 'snapshots');
    if (!verdict.ok) throw new CommandError(verdict.code, verdict.message);
    const streamUrl = (args.stream === 'sub' ? this.deps.inventory.subStreamUrl(cam) : undefined) ?? this.deps.inventory.streamUrl(cam);
    if (!streamUrl) throw new CommandError('no-stream', 'the camera has no known stream');

    const url = new URL(LIVE_AGENT_PATH, this.deps.httpUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: {
        [LIVE_HEADERS.agent]: this.deps.agentId,
        [LIVE_HEADERS.authorization]: `Bearer ${this.deps.password}`,
        [LIVE_HEADERS.session]: args.sessionId,
        [LIVE_HEADERS.token]: args.token,
      },
      ca: this.deps.caFile ? readFileSync(this.deps.caFile) : undefined,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      maxPayload: 64 * 1024,
    });
    const session: Session = { id: args.sessionId, cameraId: cam.id, ws, ended: false };
    this.sessions.set(session.id, session);
    ws.on('error', (err) => log.warn({ camera: cam.id, err: err.message }, 'live connection failed'));
    ws.on('close', () => this.end(session.id, 'socket-closed'));
    ws.on('open', () => {
      if (session.ended) return;
      const ff = spawnChild(ffmpegPath(), liveFfmpegArgs(recordingUrl({ ...cam, rtspUrl: streamUrl })), { name: `live:${cam.id}`, stdio: ['ignore', 'pipe', 'pipe'] });
      session.ffmpeg = ff;
      let stderr = '';
      ff.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
      });
      const maxBuffered = this.deps.maxBufferedBytes ?? 2 << 20;
      ff.stdout!.on('data', (chunk: Buffer) => {
        if (session.ended || ws.readyState !== WebSocket.OPEN) return;
        // One message per pipe read (≤ 64 KiB here), far below the relay's message limit.
        for (let i = 0; i < chunk.length; i += LIVE_MAX_MESSAGE_BYTES) ws.send(chunk.subarray(i, i + LIVE_MAX_MESSAGE_BYTES), { binary: true });
        if (ws.bufferedAmount > maxBuffered) {
          ff.stdout!.pause();
          const resume = setInterval(() => {
            if (session.ended || ws.bufferedAmount <= maxBuffered / 2) {
              clearInterval(resume);
              if (!session.ended) ff.stdout!.resume();
            }
          }, 50);
        }
      });
      ff.on('exit', (code) => {
        // ffmpeg's messages can carry the camera URL: redacted before they are logged.
        if (!session.ended) log.warn({ camera: cam.id, code, stderr: redactUrlsIn(stderr.trim()).slice(-500) }, 'live ffmpeg exited');
        this.end(session.id, 'ffmpeg-exited');
      });
      log.info({ camera: cam.id, session: session.id }, 'live view streaming');
    });
  }

  private end(sessionId: string, why: string): void {
    const s = this.sessions.get(sessionId);
    if (!s || s.ended) return;
    s.ended = true;
    this.sessions.delete(sessionId);
    if (s.ffmpeg && s.ffmpeg.exitCode === null && s.ffmpeg.signalCode === null) s.ffmpeg.kill('SIGTERM');
    if (s.ws.readyState === WebSocket.OPEN || s.ws.readyState === WebSocket.CONNECTING) {
      try {
        s.ws.close(1000, why);
      } catch {
        s.ws.terminate();
      }
    }
    this.deps.logger.info({ camera: s.cameraId, why }, 'live view ended');
  }
}
