/**
 * A clip requested by the centre: the agent cuts it from its recording buffer, pins the footage
 * while uploading, offers it; the aggregator receives it verified with the source segments'
 * hashes; the pin and the exported file go once the upload is done.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations } from '../../agent/src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../agent/src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../agent/src/storage/segment-index.ts';
import { registerClipRequest } from '../../agent/src/uplink/clip-request.ts';
import { recordFake } from '../../agent/test/recorder/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { enrollAgent, quietLogger, startTestAggregator, startTestUplink } from './support.ts';

const T0 = Date.parse('2026-11-22T06:00:00Z');

test('clip.request: exported, pinned, uploaded, verified; then unpinned and cleaned up', async () => {
  const dir = tempDir();
  const agentDir = join(dir.path, 'agent');
  const agg = await startTestAggregator(join(dir.path, 'agg'));
  const creds = enrollAgent(agg);
  const agent = startTestUplink({ dataDir: agentDir, credentials: creds });
  try {
    applyMigrations(agent.db, RECORDER_MIGRATIONS);
    const index = new SegmentIndex(agent.db);
    const rows = await recordFake(index, agentDir, 'cam1', 5, T0);
    registerClipRequest(agent.uplink, index, agentDir, quietLogger());
    await waitFor('connected', () => agent.uplink.connected && agg.broker.connectedAgents().includes(creds.agentId));

    const cmd = agg.uplink.commands.send(creds.agentId, 'clip.request', { cameraId: 'cam1', from: new Date(T0 + 3000).toISOString(), to: new Date(T0 + 7000).toISOString() }, { timeoutMs: 60_000 });
    const settled = await waitFor('reply', () => {
      const r = agg.uplink.commands.get(cmd.commandId)!;
      return r.state === 'pending' ? undefined : r;
    });
    assert.is(settled.state, 'ok', JSON.stringify(settled.error));
    const { clipId } = settled.result as { clipId: string };
    await waitFor('clip complete', () => agg.uplink.clips.get(creds.agentId, clipId)?.state === 'complete');
    const clip = agg.uplink.clips.get(creds.agentId, clipId)!;
    assert.equal(clip.segmentHashes, rows.slice(1, 4).map((r) => r.sha256));
    assert.is(clip.commandId, cmd.commandId);
    await waitFor('upload finished on the agent', () => agent.uplink.clips.state(clipId) === 'done');
    assert.equal(index.pins('cam1').filter((p) => p.id === `upload:${clipId}`), [], 'pin released');
    assert.not.ok(existsSync(join(agentDir, 'clips', 'upload', `${clipId}.mp4`)), 'exported file removed');

    const none = agg.uplink.commands.send(creds.agentId, 'clip.request', { cameraId: 'cam1', from: new Date(T0 - 60_000).toISOString(), to: new Date(T0 - 30_000).toISOString() }, { timeoutMs: 60_000 });
    const failed = await waitFor('reply', () => {
      const r = agg.uplink.commands.get(none.commandId)!;
      return r.state === 'pending' ? undefined : r;
    });
    assert.is(failed.error?.code, 'no-footage');
  } finally {
    await agent.close();
    await agg.close();
    dir.cleanup();
  }
});

test.run();
