import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, type CameraRecord } from '@camfleet/shared';
import { CameraInventory, pickStreams } from '../../src/cameras/inventory.ts';
import { CameraConfigSchema } from '../../src/config.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS, type SimulatedSite } from '../../../test/sim/site.ts';
import { freePort } from '../../../test/support/ports.ts';

const logger = createLogger('test', { level: 'silent' });
let site: SimulatedSite;

test.before(async () => {
  site = await startSimulatedSite({ cameras: 1, width: 320, height: 240, fps: 5 });
});
test.after(async () => {
  await site?.close();
});

function profile(token: string, width: number, height: number, streamUri: string) {
  return { token, name: token, encoding: 'H264', width, height, fps: 10, streamUri };
}

test('pickStreams: the largest profile is the main stream, the smallest the sub stream', () => {
  const record = { profiles: [profile('sub', 640, 360, 'rtsp://x/sub'), profile('main', 1920, 1080, 'rtsp://x/main')] } as CameraRecord;
  assert.equal(pickStreams(record), { main: 'rtsp://x/main', sub: 'rtsp://x/sub' });
  const single = { profiles: [profile('only', 1280, 720, 'rtsp://x/only')] } as CameraRecord;
  assert.equal(pickStreams(single), { main: 'rtsp://x/only', sub: undefined });
});

test('an ONVIF camera is probed, checked, and its stream URL found', async () => {
  const cam = site.cameras[0]!;
  const config = CameraConfigSchema.parse({
    id: 'gate',
    onvifUrl: cam.onvifUrl,
    username: DEFAULT_SIM_CREDENTIALS.username,
    password: { value: DEFAULT_SIM_CREDENTIALS.password },
  });
  const inventory = new CameraInventory([config], logger);
  await inventory.probeAll();
  const entry = inventory.entry('gate');
  assert.is(entry.probeError, undefined);
  assert.ok(entry.record?.manufacturer, 'record has a manufacturer');
  assert.ok(entry.conformance && ['pass', 'warn', 'fail'].includes(entry.conformance.verdict));
  const url = inventory.streamUrl(config)!;
  assert.is(new URL(url).pathname, new URL(cam.rtspUrl).pathname);
  assert.not.match(url, /camfleet-sim/, 'no credential in the stream URL');
  assert.not.match(JSON.stringify(entry), /camfleet-sim/, 'no credential anywhere in the record');
});

test('an unreachable camera gets a probe error, not an exception', async () => {
  const port = await freePort();
  const config = CameraConfigSchema.parse({ id: 'gone', onvifUrl: `http://127.0.0.1:${port}/onvif/device_service` });
  const inventory = new CameraInventory([config], logger);
  await inventory.probeAll();
  assert.ok(inventory.entry('gone').probeError);
  assert.is(inventory.streamUrl(config), undefined);
});

test.run();
