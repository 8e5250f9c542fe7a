/**
 * AI on a live camera, end to end: a simulated camera streams real street footage (OpenCV's
 * vtest.avi, pedestrians); the agent records it and runs detection on it; a person gives one
 * tracked event with a snapshot, and the clip around it arrives whole at the centre.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';

const FOOTAGE = '/usr/share/doc/opencv-doc/examples/data/vtest.avi'; // Debian's opencv-doc (installed by setup)
const dir = tempDir();
let agg: RunningAggregator;
let sim: RtspSim;
let agent: Child | undefined;
let agentId = '';

test.before(async () => {
  assert.ok(existsSync(FOOTAGE), `${FOOTAGE} (Debian package opencv-doc) is needed`);
  sim = await startRtspSim({ streams: [{ name: 'street', width: 768, height: 576, fps: 10, footage: FOOTAGE }] });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent('street-site');
  agentId = creds.agentId;
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds);
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir.path, 'agent'),
      credentialsFile,
      heartbeatSeconds: 2,
      recording: { segmentSeconds: 2 },
      detection: { fps: 2, prerollMs: 2000, postrollMs: 2000, sound: { enabled: false } },
      cameras: [{ id: 'street', rtspUrl: sim.url('street') }],
    }),
  );
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn' } });
});

test.after(async () => {
  if (process.env.AGENT_LOG) console.log(agent?.output());
  agent?.kill('SIGKILL');
  await agg?.close();
  await sim?.close();
  dir.cleanup();
});

test('a person walking by gives one tracked event with a snapshot, and its clip reaches the centre verified', async () => {
  const event = await waitFor(
    'a person event',
    () => agg.ingest.store?.events({ agentId, kind: 'object' }).find((e) => e.data.class === 'person' && e.endedAt),
    { timeoutMs: 180_000, intervalMs: 500 },
  );
  assert.is(event.cameraId, 'street');
  assert.ok(event.hasSnapshot, 'the event carries a JPEG snapshot');
  assert.ok(Date.parse(event.endedAt!) >= Date.parse(event.startedAt), 'a start and an end: one event per object, not per frame');
  const box = event.data.box as number[];
  assert.is(box.length, 4);
  assert.ok(box.every((v) => v >= 0) && box[0]! + box[2]! <= 768 + 1 && box[1]! + box[3]! <= 576 + 1, `box in source pixels: ${box}`);

  const clip = await waitFor(
    'the event clip, complete',
    () => agg.uplink.clips.list({ agentId }).find((c) => c.eventId === event.eventId && c.state === 'complete'),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const file = agg.uplink.clips.filePath(clip)!;
  assert.is(createHash('sha256').update(readFileSync(file)).digest('hex'), clip.sha256, 'stored bytes match the hash the agent sent');
  assert.ok(clip.segmentHashes.length >= 1, 'the clip names the segments it was cut from');
  assert.ok(Date.parse(clip.from) <= Date.parse(event.startedAt) && Date.parse(clip.to) >= Date.parse(event.endedAt!), 'the clip covers the event');
});

test('the agent keeps recording while it detects', async () => {
  const cam = await waitFor('the camera reported recording', () => agg.fleet.listCameras().find((c) => c.agentId === agentId && c.recording));
  assert.is(cam.cameraId, 'street');
});

test.run();
