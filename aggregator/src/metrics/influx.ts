/**
 * Camera and agent time series, written in InfluxDB line protocol with the official client to
 * any compatible endpoint (InfluxDB 2, VictoriaMetrics' /api/v2/write). Measurements:
 *
 * - `camera_health` tags agent, camera; fields online, recording (0/1), fps, bitrate_kbps,
 *   gaps_last_hour, bytes_stored; time = the sample's sampledAt.
 * - `agent` tags agent; fields uptime_s, camera_count, cpu_percent, mem_rss_bytes,
 *   disk_free_bytes, disk_total_bytes, outbox_pending, clock_offset_ms, temperature_c.
 *
 * Writes are batched by the client and retried; a failing endpoint is logged, never blocks ingest.
 */
import { InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import { resolveSecret, type Logger, type Message, type SecretRef } from '@camfleet/shared';

export interface InfluxSettings {
  url: string;
  token?: SecretRef;
  org: string;
  bucket: string;
  flushIntervalMs: number;
}

export class InfluxExporter {
  private readonly writeApi: WriteApi;
  private warned = false;
  points = 0;

  constructor(settings: InfluxSettings, private readonly logger: Logger) {
    const token = settings.token ? resolveSecret(settings.token) : undefined;
    this.writeApi = new InfluxDB({ url: settings.url, token }).getWriteApi(settings.org, settings.bucket, 'ms', {
      flushInterval: settings.flushIntervalMs,
      batchSize: 5000,
      maxRetries: 3,
      maxBufferLines: 100_000,
      writeFailed: (error) => {
        if (!this.warned) {
          this.warned = true;
          this.logger.warn({ err: error.message }, 'time-series write failed (further failures not logged)');
        }
      },
      writeSuccess: () => {
        this.warned = false;
      },
    });
  }

  health(m: Message<'health'>): void {
    const at = new Date(m.body.sampledAt);
    for (const c of m.body.cameras) {
      const p = new Point('camera_health')
        .tag('agent', m.agentId)
        .tag('camera', c.cameraId)
        .intField('online', c.online ? 1 : 0)
        .intField('recording', c.recording ? 1 : 0)
        .timestamp(at);
      if (c.fps !== undefined) p.floatField('fps', c.fps);
      if (c.bitrateKbps !== undefined) p.floatField('bitrate_kbps', c.bitrateKbps);
      if (c.gapsLastHour !== undefined) p.intField('gaps_last_hour', c.gapsLastHour);
      if (c.bytesStored !== undefined) p.floatField('bytes_stored', c.bytesStored);
      this.writeApi.writePoint(p);
      this.points++;
    }
  }

  heartbeat(m: Message<'heartbeat'>, at = new Date(m.ts)): void {
    const h = m.body;
    const p = new Point('agent').tag('agent', m.agentId).floatField('uptime_s', h.uptimeS).intField('camera_count', h.cameraCount).timestamp(at);
    if (h.cpuPercent !== undefined) p.floatField('cpu_percent', h.cpuPercent);
    if (h.memRssBytes !== undefined) p.floatField('mem_rss_bytes', h.memRssBytes);
    if (h.disk) p.floatField('disk_free_bytes', h.disk.freeBytes).floatField('disk_total_bytes', h.disk.totalBytes);
    if (h.outboxPending !== undefined) p.intField('outbox_pending', h.outboxPending);
    if (h.clockOffsetMs !== undefined) p.floatField('clock_offset_ms', h.clockOffsetMs);
    if (h.temperatureC !== undefined) p.floatField('temperature_c', h.temperatureC);
    this.writeApi.writePoint(p);
    this.points++;
  }

  flush(): Promise<void> {
    return this.writeApi.flush();
  }

  async close(): Promise<void> {
    await this.writeApi.close().catch((err: Error) => this.logger.warn({ err: err.message }, 'time-series close failed'));
  }
}
