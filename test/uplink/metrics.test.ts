/**
 * Metrics: camera and agent series written to an InfluxDB-compatible endpoint (Debian's
 * VictoriaMetrics, started here on a free port) and read back through its query API; the
 * aggregator's own figures on GET /metrics in the Prometheus format.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/ports.ts';
import { enrollAgent, startTestAggregator, startTestUplink } from './support.ts';

async function startVictoriaMetrics(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('victoria-metrics', [`-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=1d', '-loggerLevel=ERROR'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('victoria-metrics up', () => fetch(`${url}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000 });
  return { url, child };
}

/** Raw samples of one series from VictoriaMetrics' export API (no query-time latency offset). */
async function exported(url: string, metric: string): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[] }>> {
  await fetch(`${url}/internal/force_flush`).catch(() => undefined);
  const res = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(metric)}`);
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('health and heartbeat land in VictoriaMetrics; /metrics shows the aggregator’s figures', async () => {
  const dir = tempDir();
  const vm = await startVictoriaMetrics(join(dir.path, 'vm'));
  // /metrics is closed unless configured: here with a scraper token.
  const agg = await startTestAggregator(join(dir.path, 'agg'), { metrics: { influx: { url: vm.url, flushIntervalMs: 50 }, prometheus: { token: { value: 'metrics-test-scraper-token' } } } });
  const creds = enrollAgent(agg);
  const agent = startTestUplink({ dataDir: join(dir.path, 'agent'), credentials: creds });
  try {
    await waitFor('connected', () => agent.uplink.connected);
    const sampledAt = new Date(Date.now() - 5000).toISOString();
    await agent.uplink.publish('health', { sampledAt, cameras: [{ cameraId: 'cam1', online: true, recording: false, fps: 12.5, bitrateKbps: 2048 }] });
    await agent.uplink.publish('heartbeat', {
      version: '1.0.0', build: 'test', startedAt: new Date().toISOString(), uptimeS: 42, cameraCount: 1,
      cpuPercent: 7.5, disk: { totalBytes: 1e9, freeBytes: 4e8 },
    });
    await waitFor('health stored', () => (agg.ingest.counters.byType.health ?? 0) >= 1 && (agg.ingest.counters.byType.heartbeat ?? 0) >= 1);
    await agg.uplink.influx!.flush();

    const fps = await waitFor('fps series in VictoriaMetrics', async () => {
      const series = await exported(vm.url, 'camera_health_fps');
      return series.length ? series : undefined;
    });
    assert.equal(fps[0]!.metric, { __name__: 'camera_health_fps', agent: creds.agentId, camera: 'cam1' });
    assert.equal(fps[0]!.values, [12.5]);
    assert.equal(fps[0]!.timestamps, [Date.parse(sampledAt)]);
    const online = await exported(vm.url, 'camera_health_online');
    assert.equal(online[0]!.values, [1]);
    const disk = await waitFor('agent disk series', async () => {
      const s = await exported(vm.url, 'agent_disk_free_bytes');
      return s.length ? s : undefined;
    });
    assert.equal(disk[0]!.values, [4e8]);

    // Prometheus figures of the aggregator itself.
    agg.ingest.reject(creds.agentId, 'not-json', 'test');
    const text = await (await fetch(`${agg.httpUrl}/metrics`, { headers: { authorization: 'Bearer metrics-test-scraper-token' } })).text();
    assert.match(text, /^camfleet_agents_connected 1$/m);
    assert.match(text, /^camfleet_messages_in_total\{type="health"\} 1$/m);
    assert.match(text, /^camfleet_messages_rejected_total\{reason="not-json"\} 1$/m);
    assert.match(text, /^camfleet_clip_bytes_total 0$/m);
  } finally {
    await agent.close();
    await agg.close();
    vm.child.kill('SIGTERM');
    await new Promise((resolve) => (vm.child.exitCode !== null ? resolve(undefined) : vm.child.once('exit', resolve)));
    dir.cleanup();
  }
});

test.run();
