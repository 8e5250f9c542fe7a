/**
 * The doctor's measurements on this box: each check runs one probe (a process, a file write, a
 * socket) and hands the figure to verdict.ts. A check never throws: a failure is a result.
 */
import { measureClockOffset } from '../system/clock.ts';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, fsyncSync, readFileSync, rmSync, statSync, statfsSync, writeSync, accessSync, constants } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { delimiter, dirname, join } from 'node:path';
import { ffmpegPath } from '../recorder/ffmpeg.ts';
import { CredentialsSchema } from '../uplink/credentials.ts';
import {
  judgeChrony,
  judgeClockOffset,
  judgeCredentialsMode,
  judgeDiskSpace,
  judgeFfmpeg,
  judgeTimedatectl,
  judgeWriteSpeed,
  parseFfmpegVersion,
  type CheckResult,
} from './verdict.ts';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<{ ok: boolean; stdout: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) => resolve({ ok: !error, stdout: stdout ?? '', error: error ? (error as NodeJS.ErrnoException) : undefined }));
  });
}

/** The file PATH lookup would run for `cmd` (for the report; execFile does its own lookup). */
function which(cmd: string, env: NodeJS.ProcessEnv): string {
  if (cmd.includes('/')) return cmd;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return cmd;
}

export async function checkFfmpeg(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const cmd = ffmpegPath(env);
  const r = await run(cmd, ['-hide_banner', '-version'], env);
  const version = parseFfmpegVersion(r.stdout);
  if (!version) {
    const why = r.error?.code === 'ENOENT' ? 'not found' : `did not answer -version (${r.error?.message ?? 'unexpected output'})`;
    return { id: 'ffmpeg', status: 'fail', detail: `ffmpeg ${why}: ${cmd}`, hint: 'Debian: apt-get install ffmpeg (or set FFMPEG_PATH)' };
  }
  return judgeFfmpeg(version, which(cmd, env));
}

/** The data directory if it exists, else its nearest existing parent (what `install` would create it in). */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

export function checkDataDir(dataDir: string): CheckResult[] {
  const where = existingAncestor(dataDir);
  const results: CheckResult[] = [];
  if (where !== dataDir) {
    results.push({ id: 'data-dir', status: 'warn', detail: `${dataDir} does not exist yet (measured in ${where})`, hint: 'install creates it, owned by the service user' });
  } else {
    try {
      accessSync(dataDir, constants.W_OK);
      results.push({ id: 'data-dir', status: 'ok', detail: `${dataDir} is writable` });
    } catch {
      results.push({ id: 'data-dir', status: 'fail', detail: `${dataDir} is not writable by this user`, hint: 'run as the service user, or fix the owner' });
    }
  }
  try {
    const s = statfsSync(where);
    results.push(judgeDiskSpace(where, { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }));
  } catch (err) {
    results.push({ id: 'disk-space', status: 'fail', detail: `cannot read free space of ${where}: ${(err as Error).message}` });
  }
  return results;
}

/** Writes `mib` MiB and fsyncs, the way recording segments land, then removes the file. */
export function checkWriteSpeed(dataDir: string, mib = 32): CheckResult {
  const where = existingAncestor(dataDir);
  const file = join(where, `.camfleet-doctor-${process.pid}.tmp`);
  const chunk = Buffer.alloc(1024 * 1024, 0xa5);
  try {
    const started = process.hrtime.bigint();
    const fd = openSync(file, 'w', 0o600);
    try {
      for (let i = 0; i < mib; i++) writeSync(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return judgeWriteSpeed(where, (mib * chunk.length) / Math.max(seconds, 1e-6));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'run as the service user, or fix the owner' : undefined;
    return { id: 'disk-speed', status: 'fail', detail: `cannot write a test file in ${where}: ${(err as Error).message}`, hint };
  } finally {
    rmSync(file, { force: true });
  }
}

export async function checkClock(env: NodeJS.ProcessEnv, aggregatorHttpUrl?: string): Promise<CheckResult> {
  if (aggregatorHttpUrl) {
    // Unreachable: fall through to the local sources; reachability is reported by its own check.
    const reading = await measureClockOffset(aggregatorHttpUrl);
    if (reading) return judgeClockOffset(reading.offsetMs, `the aggregator (${new URL(aggregatorHttpUrl).host})`);
  }
  const timedatectl = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], env);
  const fromTimedatectl = timedatectl.ok ? judgeTimedatectl(timedatectl.stdout) : undefined;
  if (fromTimedatectl) return fromTimedatectl;
  const chrony = await run('chronyc', ['-n', 'tracking'], env);
  const fromChrony = chrony.ok ? judgeChrony(chrony.stdout) : undefined;
  if (fromChrony) return fromChrony;
  return {
    id: 'clock',
    status: 'warn',
    detail: 'cannot tell whether the clock is synchronised (no answer from timedatectl or chronyc)',
    hint: 'enable systemd-timesyncd or chrony, or pass --aggregator-http <url> to compare with the aggregator',
  };
}

/** Opens a TCP (or TLS, for mqtts://) connection to the broker; no MQTT session, so a running agent is not disturbed. */
export async function checkAggregator(mqttUrl: string | undefined, caFile?: string): Promise<CheckResult> {
  if (!mqttUrl) return { id: 'aggregator', status: 'fail', detail: 'no aggregator MQTT URL (config aggregator.mqttUrl or the credentials)', hint: 'enroll the agent' };
  let url: URL;
  try {
    url = new URL(mqttUrl);
  } catch {
    return { id: 'aggregator', status: 'fail', detail: `aggregator URL is not a URL: ${mqttUrl}` };
  }
  const secure = url.protocol === 'mqtts:' || url.protocol === 'ssl:';
  const port = Number(url.port || (secure ? 8883 : 1883));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = `${url.protocol}//${url.host}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (r: CheckResult) => {
      socket.destroy();
      resolve(r);
    };
    const socket = secure
      ? tlsConnect({ host, port, servername: host, ca: caFile ? readFileSync(caFile) : undefined }, () =>
          done({ id: 'aggregator', status: 'ok', detail: `${where} reachable, TLS certificate valid (${Date.now() - started} ms)` }),
        )
      : tcpConnect({ host, port }, () => done({ id: 'aggregator', status: 'ok', detail: `${where} reachable (${Date.now() - started} ms)` }));
    socket.setTimeout(5000, () => done({ id: 'aggregator', status: 'fail', detail: `${where}: no answer within 5 s`, hint: 'check the network path and firewall to the aggregator' }));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done({ id: 'aggregator', status: 'fail', detail: `${where}: ${err.code ?? err.message}`, hint: 'check the aggregator address and that it is running' }),
    );
  });
}

export function checkCredentials(file: string): CheckResult {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return { id: 'credentials', status: 'fail', detail: `${file} does not exist`, hint: 'enroll the agent first' };
  }
  const byMode = judgeCredentialsMode(file, mode);
  if (byMode.status !== 'ok') return byMode;
  try {
    const parsed = CredentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) return { id: 'credentials', status: 'fail', detail: `${file} is malformed: ${parsed.error.issues[0]?.message}`, hint: 'enroll the agent again' };
    return { ...byMode, detail: `${byMode.detail}, agent ${parsed.data.agentId}` };
  } catch (err) {
    return { id: 'credentials', status: 'fail', detail: `${file} cannot be read: ${(err as Error).message}` };
  }
}
