import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { SiteRecorder } from '../../src/recorder/site-recorder.ts';
import { cameraDir, type ReconcileResult } from '../../src/recorder/reconcile.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { presentRows, quietLogger, SMALL, startAgentCli } from './helpers.ts';

/** Processes whose command line mentions `needle` (the recorder's ffmpeg children). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) pids.push(Number(p));
    } catch {
      /* exited */
    }
  }
  return pids;
}

test('kill -9 mid-segment, restart: the partial segment is repaired, index and disk agree, the gap is recorded', async () => {
  const dir = tempDir();
  let sim: RtspSim | undefined;
  let rec: SiteRecorder | undefined;
  const data = join(dir.path, 'data');
  const agent = { kill: () => {} };
  try {
    sim = await startRtspSim({ streams: [{ name: 'gate', ...SMALL }] });
    const cli = startAgentCli(['record', sim.url('gate'), '--data', data, '--camera', 'gate', '--segment-seconds', '2', '--audio', 'none']);
    agent.kill = () => cli.child.kill('SIGKILL');
    await waitFor('2 segments indexed by the child', () => (cli.output().stderr.match(/^segment /gm) ?? []).length >= 2);
    const camDir = cameraDir(data, 'gate');
    // mid-segment: the newest file has data in it, and the next is not open yet
    await waitFor('a segment half written', () => {
      const newest = readdirSync(camDir).sort().pop();
      return newest && statSync(join(camDir, newest)).size > 2000;
    });
    cli.child.kill('SIGKILL');
    await new Promise((r) => cli.child.once('exit', r));
    // what the crash left: files the index does not know (at least the one being written)
    const { openAgentDbReadonly } = await import('../../src/storage/db.ts');
    const db = openAgentDbReadonly(data);
    const indexed = new Set((db.prepare('SELECT path FROM segments').all() as { path: string }[]).map((row) => row.path.split('/').pop()));
    db.close();
    const unindexed = readdirSync(camDir).filter((f) => !indexed.has(f));
    assert.ok(unindexed.length >= 1, 'the segment being written is not indexed');
    // the kernel takes the agent's ffmpeg down with it (PR_SET_PDEATHSIG)
    await waitFor('ffmpeg gone with its parent', () => processesMentioning(camDir).length === 0, { timeoutMs: 10_000 });

    rec = new SiteRecorder({ dataDir: data, cameras: [{ id: 'gate', rtspUrl: sim.url('gate'), audio: 'none' }], segmentSeconds: 2, logger: quietLogger });
    const reconciled: ReconcileResult[] = [];
    rec.on('reconciled', (r) => reconciled.push(r));
    await rec.start();
    const atStart = reconciled[0]!;
    const handled = [...atStart.repaired.map((r) => r.path), ...atStart.removed].map((p) => p.split('/').pop()).sort();
    assert.equal(handled, unindexed.sort(), 'every file the crash left unindexed was repaired or removed');
    assert.ok(atStart.repaired.every((row) => row.durationMs > 0 && row.origin === 'repaired'));

    const r = rec;
    const before = presentRows(r.index, 'gate').length;
    await waitFor('recording resumed', () => presentRows(r.index, 'gate').length >= before + 2);
    await rec.stop();
    rec = undefined;

    // after a clean stop, every file is indexed and every present row has its file
    const { openAgentDb } = await import('../../src/storage/db.ts');
    const { SegmentIndex } = await import('../../src/storage/segment-index.ts');
    const index = new SegmentIndex(openAgentDb(data));
    const files = readdirSync(camDir).sort();
    assert.equal(presentRows(index, 'gate').map((row) => row.path.split('/').pop()).sort(), files);
    const gaps = index.gaps('gate');
    assert.is(gaps.length, 1);
    assert.is(gaps[0]!.cause, 'agent-down');
    const report = await verifyCamera(index, data, 'gate');
    assert.ok(report.ok, JSON.stringify(report.counts));
    index.db.close();
  } finally {
    agent.kill();
    await rec?.stop();
    await sim?.close();
    dir.cleanup();
  }
});

test.run();
