/**
 * Time series in VictoriaMetrics (cluster mode): writes go out in InfluxDB line protocol through
 * the InfluxDB client (metrics/influx.ts: batched, retried, never blocking ingest), after ingest's
 * commit; reads use VictoriaMetrics' export API (raw samples, no query-time step or latency
 * offset). A field becomes the series `<measurement>_<field>` with labels `agent` and `camera`.
 * Retention is the server's `-retentionPeriod` (`timeseries.retentionDays` is what `npm run
 * cluster` passes it); `maintain` has nothing to do here.
 */
import type { Logger, Message, SecretRef } from '@camfleet/shared';
import { InfluxExporter } from '../metrics/influx.ts';
import type { CameraHealthPoint, CameraHealthQuery, MaintainResult, TimeSeriesStore } from './port.ts';

export interface VictoriaSettings {
  url: string;
  token?: SecretRef;
  flushIntervalMs?: number;
}

const FIELDS = ['online', 'recording', 'fps', 'bitrate_kbps', 'gaps_last_hour', 'bytes_stored'] as const;

export class VictoriaTimeSeries implements TimeSeriesStore {
  readonly engine = 'victoria' as const;
  private readonly writer: InfluxExporter;

  constructor(
    private readonly settings: VictoriaSettings,
    logger: Logger,
  ) {
    this.writer = new InfluxExporter({ url: settings.url, token: settings.token, org: 'camfleet', bucket: 'camfleet', flushIntervalMs: settings.flushIntervalMs ?? 1000 }, logger);
  }

  recordHealth(m: Message<'health'>): void {
    this.writer.health(m);
  }

  recordHeartbeat(m: Message<'heartbeat'>): void {
    this.writer.heartbeat(m);
  }

  /** Pushes buffered points out now (tests, shutdown). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async cameraHealth(q: CameraHealthQuery): Promise<CameraHealthPoint[]> {
    const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    const match = `{__name__=~"camera_health_(${FIELDS.join('|')})",agent="${label(q.agentId)}",camera="${label(q.cameraId)}"}`;
    const params = new URLSearchParams({ 'match[]': match, start: String(q.since.getTime() / 1000) });
    if (q.until) params.set('end', String(q.until.getTime() / 1000));
    const res = await fetch(`${this.settings.url.replace(/\/$/, '')}/api/v1/export?${params}`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`VictoriaMetrics at ${this.settings.url}: export answered ${res.status} ${(await res.text()).slice(0, 200)}`);
    const byTime = new Map<number, Record<string, number>>();
    for (const line of (await res.text()).split('\n')) {
      if (!line.trim()) continue;
      const s = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
      const field = s.metric.__name__!.slice('camera_health_'.length);
      s.timestamps.forEach((t, k) => {
        const point = byTime.get(t) ?? {};
        point[field] = s.values[k]!;
        byTime.set(t, point);
      });
    }
    const num = (v: number | undefined) => (v === undefined ? null : v);
    return [...byTime.entries()]
      .sort((a, b) => a[0] - b[0])
      .slice(-q.limit)
      .map(([t, f]) => ({
        at: new Date(t).toISOString(),
        online: f.online === 1,
        recording: f.recording === 1,
        fps: num(f.fps),
        bitrateKbps: num(f.bitrate_kbps),
        gapsLastHour: num(f.gaps_last_hour),
        bytesStored: num(f.bytes_stored),
      }));
  }

  async maintain(): Promise<MaintainResult> {
    return { downsampled: 0, hourly: 0, deleted: 0 };
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
