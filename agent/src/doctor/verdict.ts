/**
 * The doctor's judgements, apart from the measuring: each takes a measured figure and returns
 * ok / warn / fail with a sentence a technician can act on. Pure, so thresholds are unit-tested.
 */
export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  status: Status;
  detail: string;
  /** What to do about a warn or fail. */
  hint?: string;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export function worst(results: Pick<CheckResult, 'status'>[]): Status {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'warn')) return 'warn';
  return 'ok';
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright …` → { version: '5.1.9-0+deb12u1', major: 5 }. */
export function parseFfmpegVersion(output: string): { version: string; major: number | undefined } | undefined {
  const m = /^ffmpeg version (\S+)/m.exec(output);
  if (!m) return undefined;
  const major = /^n?(\d+)\./.exec(m[1]!);
  return { version: m[1]!, major: major ? Number(major[1]) : undefined };
}

export function judgeFfmpeg(version: { version: string; major: number | undefined }, path: string): CheckResult {
  // Segment muxing with strftime names and -rtsp_transport tcp: present and stable since 4.x.
  if (version.major !== undefined && version.major < 4) {
    return { id: 'ffmpeg', status: 'warn', detail: `ffmpeg ${version.version} at ${path} is older than 4.0`, hint: 'install a current ffmpeg (Debian: apt-get install ffmpeg)' };
  }
  return { id: 'ffmpeg', status: 'ok', detail: `ffmpeg ${version.version} at ${path}` };
}

export function judgeDiskSpace(path: string, space: { freeBytes: number; totalBytes: number }): CheckResult {
  const free = `${(space.freeBytes / GiB).toFixed(1)} GiB free of ${(space.totalBytes / GiB).toFixed(1)} GiB at ${path}`;
  const share = space.totalBytes > 0 ? space.freeBytes / space.totalBytes : 0;
  if (space.freeBytes < 1 * GiB) return { id: 'disk-space', status: 'fail', detail: free, hint: 'recordings need room: free space or give the data directory its own disk' };
  if (space.freeBytes < 10 * GiB || share < 0.1) return { id: 'disk-space', status: 'warn', detail: free, hint: 'little room left for the recording ring buffer' };
  return { id: 'disk-space', status: 'ok', detail: free };
}

/** A 4-camera site records ~2 MB/s; the ring buffer also deletes while it writes. */
export function judgeWriteSpeed(path: string, bytesPerSecond: number): CheckResult {
  const speed = `${(bytesPerSecond / MiB).toFixed(0)} MiB/s sustained write (fsync) in ${path}`;
  if (bytesPerSecond < 5 * MiB) return { id: 'disk-speed', status: 'fail', detail: speed, hint: 'too slow to record several cameras: use an SSD or a better card' };
  if (bytesPerSecond < 20 * MiB) return { id: 'disk-speed', status: 'warn', detail: speed, hint: 'enough for a few cameras only' };
  return { id: 'disk-speed', status: 'ok', detail: speed };
}

/** Offset of the aggregator's clock minus ours, in ms (HTTP Date has a 1 s resolution). */
export function judgeClockOffset(offsetMs: number, source: string): CheckResult {
  const detail = `clock ${Math.abs(offsetMs / 1000).toFixed(1)} s ${offsetMs > 0 ? 'behind' : 'ahead of'} ${source}`;
  if (Math.abs(offsetMs) > 30_000) return { id: 'clock', status: 'fail', detail, hint: 'recordings would carry wrong times: enable NTP (systemd-timesyncd or chrony)' };
  if (Math.abs(offsetMs) > 2_000) return { id: 'clock', status: 'warn', detail, hint: 'enable NTP (systemd-timesyncd or chrony)' };
  return { id: 'clock', status: 'ok', detail: `clock within ${Math.ceil(Math.abs(offsetMs) / 1000)} s of ${source}` };
}

/** `timedatectl show -p NTPSynchronized --value` prints yes/no. */
export function judgeTimedatectl(output: string): CheckResult | undefined {
  const v = output.trim();
  if (v === 'yes') return { id: 'clock', status: 'ok', detail: 'clock synchronised (timedatectl: NTPSynchronized=yes)' };
  if (v === 'no') return { id: 'clock', status: 'warn', detail: 'clock not synchronised (timedatectl: NTPSynchronized=no)', hint: 'enable NTP: timedatectl set-ntp true' };
  return undefined;
}

/** `chronyc -n tracking`: "Leap status     : Normal" when synchronised. */
export function judgeChrony(output: string): CheckResult | undefined {
  const m = /^Leap status\s*:\s*(.+)$/m.exec(output);
  if (!m) return undefined;
  const offset = /^System time\s*:\s*([\d.]+) seconds (fast|slow)/m.exec(output);
  const suffix = offset ? `, ${offset[1]} s ${offset[2]}` : '';
  if (m[1]!.trim() === 'Normal') return { id: 'clock', status: 'ok', detail: `clock synchronised (chrony${suffix})` };
  return { id: 'clock', status: 'warn', detail: `clock not synchronised (chrony: ${m[1]!.trim()})`, hint: 'check chrony sources: chronyc sources' };
}

/** The credentials file holds the agent's MQTT password: owner-only. */
export function judgeCredentialsMode(path: string, mode: number): CheckResult {
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  if (mode & 0o077) return { id: 'credentials', status: 'fail', detail: `${path} is mode ${octal}: readable by others`, hint: `chmod 600 ${path}` };
  return { id: 'credentials', status: 'ok', detail: `${path} is mode ${octal}` };
}

export function formatReport(header: string, results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines = [header, ''];
  for (const r of results) {
    lines.push(`${r.status.padEnd(4)}  ${r.id.padEnd(width)}  ${r.detail}`);
    if (r.hint && r.status !== 'ok') lines.push(`${' '.repeat(6 + width)}  -> ${r.hint}`);
  }
  const counts = (s: Status) => results.filter((r) => r.status === s).length;
  lines.push('', `verdict: ${worst(results)} (${counts('ok')} ok, ${counts('warn')} warn, ${counts('fail')} fail)`);
  return lines.join('\n');
}
