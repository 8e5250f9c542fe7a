/**
 * Loud-sound detection under `camfleet-agent run` (issue 15: it never ran for ONVIF cameras,
 * whose picture size the probe knows, because audio was only looked for when the size was
 * unknown). A simulated ONVIF camera streams a loud burst every 5 s over near-silence; a real
 * agent process probes it, records it, and its detection must decode the audio and send sound
 * events that reach the centre.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS, type SimulatedSite } from '../sim/site.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';

const dir = tempDir();
let agg: RunningAggregator;
let site: SimulatedSite;
let agent: Child | undefined;

test.before(async () => {
  site = await startSimulatedSite({ cameras: 1, width: 320, height: 240, fps: 5, audio: 'bang' });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent('bang-site');
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds);
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir.path, 'agent'),
      credentialsFile,
      heartbeatSeconds: 2,
      recording: { segmentSeconds: 2 },
      detection: { fps: 1, prerollMs: 1000, postrollMs: 1000 },
      cameras: [{ id: 'square', onvifUrl: site.cameras[0]!.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'SIM_PW' } }],
    }),
  );
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', SIM_PW: DEFAULT_SIM_CREDENTIALS.password } });
});

test.after(async () => {
  if (process.env.AGENT_LOG) console.log(agent?.output());
  agent?.kill('SIGKILL');
  await agg?.close();
  await site?.close();
  dir.cleanup();
});

test('a bang on an ONVIF camera’s stream gives sound events at the centre, with the peak over a quiet background', async () => {
  const cam = await waitFor('the ONVIF camera probed (its size known)', () => agg.fleet.listCameras().find((c) => c.agentId === 'bang-site' && c.cameraId === 'square' && c.record), { timeoutMs: 60_000 });
  assert.ok(cam.record, 'probed over ONVIF');
  const events = await waitFor(
    'two sound events',
    () => {
      const found = agg.ingest.store?.events({ agentId: 'bang-site', kind: 'sound' }) ?? [];
      return found.length >= 2 ? found : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  for (const e of events) {
    assert.is(e.cameraId, 'square');
    const peak = e.data.peakDbfs as number;
    const background = e.data.backgroundDbfs as number;
    assert.ok(peak > -10, `peak ${peak} dBFS`);
    assert.ok(peak - background >= 25, `a bang over the background: ${peak} vs ${background}`);
  }
  // One event per bang (5 s apart), not one per audio window.
  const times = events.map((e) => Date.parse(e.startedAt)).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 2_000, `events ${times[i]! - times[i - 1]!} ms apart`);
});

test.run();
