/**
 * The time-series port: the same health history read back from both adapters (SQLite table,
 * VictoriaMetrics started here on a free port), and the embedded store's retention and hourly
 * downsampling keeping the table within its stated bound.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import type { Message } from '@camfleet/shared';
import { openDatabase } from '../../src/db/database.ts';
import { IngestStore } from '../../src/ingest/store.ts';
import { SqliteTimeSeries } from '../../src/timeseries/sqlite.ts';
import { VictoriaTimeSeries } from '../../src/timeseries/victoria.ts';
import type { CameraHealthPoint } from '../../src/timeseries/port.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { freePort } from '../../../test/support/ports.ts';
import { waitFor } from '../../../test/support/wait.ts';

const silent = { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined } as never;

function health(agentId: string, seq: number, at: Date, cam: { online: boolean; fps: number; chainHead?: string }): Message<'health'> {
  return {
    v: 2, type: 'health', agentId, seq, ts: at.toISOString(),
    body: { sampledAt: at.toISOString(), cameras: [{ cameraId: 'gate', online: cam.online, recording: cam.online, fps: cam.fps, bitrateKbps: 2000 + seq, gapsLastHour: seq % 3, bytesStored: 1000 * seq, chainHead: cam.chainHead }] },
  } as unknown as Message<'health'>;
}

test('SQLite: retention folds old raw samples into hourly points and deletes expired ones; the table stays bounded', async () => {
  const db = openDatabase(':memory:');
  const store = new IngestStore(db);
  const ts = new SqliteTimeSeries(db, { rawHours: 24, retentionDays: 2 });
  const now = new Date('2026-06-10T12:30:00Z');
  const start = now.getTime() - 72 * 3600_000;
  let seq = 0;
  // A sample every 10 minutes for 72 hours; online except one minute in three.
  for (let t = start; t < now.getTime(); t += 600_000) {
    seq++;
    const m = health('ag', seq, new Date(t), { online: seq % 3 !== 0, fps: seq % 2 ? 10 : 20, chainHead: `link-${seq}` });
    store.addHealthSample('ag', seq, m.body);
  }
  const count = () => (db.prepare('SELECT COUNT(*) FROM camera_health_samples').pluck().get() as number);
  assert.is(count(), 432);
  const r = await ts.maintain(now);
  // Raw: the last 24 whole hours and the current one (cutoff 2026-06-09T12:00Z); hourly: from 2 days back to the cutoff.
  const raw = db.prepare('SELECT COUNT(*) FROM camera_health_samples WHERE bucket_seconds = 0').pluck().get() as number;
  const hourly = db.prepare('SELECT COUNT(*) FROM camera_health_samples WHERE bucket_seconds = 3600').pluck().get() as number;
  assert.ok(raw <= 25 * 6, `raw ${raw}`);
  assert.ok(hourly <= 24 + 1, `hourly ${hourly}`);
  assert.ok(r.downsampled > 0 && r.deleted > r.downsampled - 1);
  assert.ok(count() <= 25 * 6 + 25, `bound: ${count()}`);
  const oldest = db.prepare('SELECT MIN(sampled_at) FROM camera_health_samples').pluck().get() as string;
  assert.ok(oldest >= '2026-06-08T12:30:00.000Z', oldest);
  // One hourly point: 6 samples folded, majority online, averaged fps, the newest chain link kept as the anchor.
  const hour = db.prepare("SELECT * FROM camera_health_samples WHERE bucket_seconds = 3600 AND sampled_at = '2026-06-09T10:00:00.000Z'").get() as Record<string, unknown>;
  assert.is(hour.coalesced, 6);
  assert.is(hour.online, 1);
  assert.is(hour.fps, 15);
  const newest = db.prepare("SELECT chain_head FROM camera_health_samples WHERE bucket_seconds = 0 ORDER BY sampled_at LIMIT 1").pluck().get() as string;
  assert.match(hour.chain_head as string, /^link-\d+$/);
  assert.ok(Number((hour.chain_head as string).slice(5)) < Number(newest.slice(5)));
  // Running it again changes nothing (whole hours only).
  const again = await ts.maintain(now);
  assert.equal([again.downsampled, again.deleted], [0, 0]);
  // The chart reads both resolutions, oldest first.
  const points = await ts.cameraHealth({ agentId: 'ag', cameraId: 'gate', since: new Date(now.getTime() - 48 * 3600_000), limit: 2000 });
  assert.ok(points.length === count());
  assert.ok(points.every((p, k) => k === 0 || p.at >= points[k - 1]!.at));
  db.close();
});

test('the same history reads back alike from SQLite and from VictoriaMetrics', async () => {
  const has = spawnSync('sh', ['-c', 'command -v victoria-metrics']).status === 0;
  assert.ok(has, 'victoria-metrics is not installed (scripts/setup.sh installs it)');
  const dir = tempDir('camfleet-vm-');
  const port = await freePort();
  const child = spawn('victoria-metrics', [`-storageDataPath=${dir.path}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=30d', '-loggerLevel=ERROR'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('victoria-metrics up', () => fetch(`${url}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000 });
    const db = openDatabase(':memory:');
    const store = new IngestStore(db);
    const sqlite = new SqliteTimeSeries(db);
    const vm = new VictoriaTimeSeries({ url, flushIntervalMs: 50 }, silent);
    const base = Date.now() - 3600_000;
    for (let k = 0; k < 5; k++) {
      const m = health('ag-1', k + 1, new Date(base + k * 60_000), { online: k !== 2, fps: 12.5 + k });
      store.addHealthSample('ag-1', k + 1, m.body);
      vm.recordHealth(m);
    }
    // Another camera's series must not leak into this one.
    vm.recordHealth({ ...health('ag-2', 1, new Date(base), { online: true, fps: 99 }) });
    await vm.flush();
    const q = { agentId: 'ag-1', cameraId: 'gate', since: new Date(base - 60_000), limit: 100 };
    const fromSqlite = await sqlite.cameraHealth(q);
    let fromVm: CameraHealthPoint[] = [];
    await waitFor('points queryable in VictoriaMetrics', async () => (fromVm = await vm.cameraHealth(q)).length === 5, { timeoutMs: 30_000 });
    assert.equal(fromVm, fromSqlite);
    assert.equal(fromSqlite.map((p) => p.fps), [12.5, 13.5, 14.5, 15.5, 16.5]);
    assert.equal((await vm.cameraHealth({ ...q, limit: 2 })).map((p) => p.fps), [15.5, 16.5], 'the newest points when limited');
    await vm.close();
    db.close();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    dir.cleanup();
  }
});

test.run();
