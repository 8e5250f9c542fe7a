/**
 * A camera that is off when the agent starts (power cut at the site, a switch rebooting) is
 * recorded once it is back: the agent keeps probing cameras whose streams it does not know, and
 * restarts recording and detection with the streams it then finds.
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
  site = await startSimulatedSite({ cameras: 1, width: 320, height: 240, fps: 5 });
  await site.stopCamera(site.cameras[0]!.id);
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent('late-site');
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds);
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir.path, 'agent'),
      credentialsFile,
      heartbeatSeconds: 1,
      recording: { segmentSeconds: 2 },
      cameras: [{ id: 'gate', onvifUrl: site.cameras[0]!.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'SIM_PW' }, detect: false }],
    }),
  );
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', SIM_PW: DEFAULT_SIM_CREDENTIALS.password } });
});

test.after(async () => {
  agent?.kill('SIGKILL');
  await agg?.close();
  await site?.close();
  dir.cleanup();
});

test('off at start: reported with the reason; back on: probed, recorded and reported', async () => {
  const gate = () => agg.fleet.listCameras().find((c) => c.agentId === 'late-site' && c.cameraId === 'gate');
  const away = await waitFor('the camera reported without streams', () => (gate()?.problem?.includes('ONVIF probe failed') ? gate() : undefined));
  assert.is(away.online, false);

  await site.startCamera(site.cameras[0]!.id);
  // The agent retries such cameras every minute; the centre's re-probe command does it at once.
  agg.uplink.commands.send('late-site', 'reprobe', {}, { timeoutMs: 60_000 });
  const back = await waitFor('the camera recording', () => (gate()?.recording ? gate() : undefined), { timeoutMs: 120_000 });
  assert.is(back.online, true);
  assert.ok(back.record?.manufacturer, 'its probe record reached the inventory');
});

test.run();
