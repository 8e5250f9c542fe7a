/**
 * `camfleet-agent record <rtsp-url> --data <dir>`: a technician's test recording of one camera,
 * with the same recorder and index as the running agent, so `export` and `verify` work on it.
 */
import { int, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { SiteRecorder, CAMERA_ID } from '../../recorder/site-recorder.ts';
import type { AudioMode } from '../../recorder/ffmpeg-args.ts';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, readCredentials } from '../credentials.ts';
import { redactUrl, REDACT_PATHS } from '@camfleet/shared';
import { pino } from 'pino';

/** A camera id from the stream URL: host, port and path, as letters, digits, _ and -. */
export function cameraIdFromUrl(url: URL): string {
  const raw = `${url.hostname}${url.port ? `-${url.port}` : ''}${url.pathname}`;
  const id = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
  return CAMERA_ID.test(id) ? id : 'camera';
}

export const record: Command = {
  name: 'record',
  summary: 'record one camera into a data directory (test recording; same format as the agent)',
  usage: 'record <rtsp-url> --data <dir> [--camera <id>] [--segment-seconds <n>] [--duration <s>] [--user <u>] [--password-env <VAR>]',
  details: [
    '  --data <dir>            data directory (database and segments)',
    '  --camera <id>           camera id to record under (default: from the URL); printed on stdout',
    '  --segment-seconds <n>   segment length (default 10)',
    '  --duration <s>          stop after this many seconds (default: until Ctrl-C)',
    '  --audio <mode>          copy | aac | none (default aac: G.711 does not fit in MP4)',
    CREDENTIAL_HELP,
    '  The password never goes in the URL or on the command line.',
  ].join('\n'),
  options: {
    ...CREDENTIAL_OPTIONS,
    data: { type: 'string' },
    camera: { type: 'string' },
    'segment-seconds': { type: 'string' },
    duration: { type: 'string' },
    audio: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [target, ...extra] = ctx.positionals;
    if (!target || extra.length) throw new UsageError('give exactly one rtsp:// URL');
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new UsageError(`not a URL: ${redactUrl(target)}`);
    }
    if (!/^rtsps?:$/.test(url.protocol)) throw new UsageError('the URL must be rtsp:// or rtsps://');
    if (url.password) throw new UsageError('no password in the URL: use --user with --password-env, --password-file or the prompt');
    const dataDir = requireStr(ctx, 'data');
    const cameraId = str(ctx, 'camera') ?? cameraIdFromUrl(url);
    if (!CAMERA_ID.test(cameraId)) throw new UsageError(`--camera: letters, digits, _ and - only (max 64)`);
    const segmentSeconds = int(ctx, 'segment-seconds', 10);
    const durationS = int(ctx, 'duration', 0);
    // refused here with the option's name rather than deep in the recorder
    if (segmentSeconds < 1 || segmentSeconds > 3600) throw new UsageError('--segment-seconds: between 1 and 3600');
    if (durationS < 0) throw new UsageError('--duration: seconds, 0 (until Ctrl-C) or more');
    const audio = (str(ctx, 'audio') ?? 'aac') as AudioMode;
    if (!['copy', 'aac', 'none'].includes(audio)) throw new UsageError('--audio: copy, aac or none');
    // rtsp://user@host/...: the user from the URL, the password asked for like --user's
    if (url.username && !str(ctx, 'user')) ctx.values.user = decodeURIComponent(url.username);
    const creds = await readCredentials(ctx);
    if (creds) {
      url.username = encodeURIComponent(creds.username);
      url.password = encodeURIComponent(creds.password);
    }

    // logs go to stderr: stdout carries only the camera id
    const logger = pino({ name: 'record', level: ctx.env.CAMFLEET_LOG_LEVEL ?? 'warn', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
    const rec = new SiteRecorder({ dataDir, cameras: [{ id: cameraId, rtspUrl: url.toString(), audio }], segmentSeconds, logger });
    rec.on('segment', (s) => {
      ctx.stderr.write(`segment ${s.path} ${new Date(s.startMs).toISOString()} ${(s.durationMs / 1000).toFixed(1)}s ${s.bytes} bytes\n`);
    });
    rec.on('event', (e) => {
      if (e.kind === 'recording.gap' || e.kind === 'disk.full' || e.kind === 'camera.offline') ctx.stderr.write(`${e.kind} ${JSON.stringify(e.data)}\n`);
    });
    await rec.start();
    ctx.stdout.write(`${cameraId}\n`);
    ctx.stderr.write(`recording ${redactUrl(url.toString())} as ${cameraId} into ${dataDir}${durationS ? ` for ${durationS} s` : ' (Ctrl-C stops)'}\n`);
    await new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = durationS > 0 ? setTimeout(done, durationS * 1000) : undefined;
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
    const health = rec.health()[0];
    await rec.stop();
    ctx.stderr.write(`stopped: ${health?.bytesStored ?? 0} bytes stored\n`);
    return 0;
  },
};
