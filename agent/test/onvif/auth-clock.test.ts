/**
 * Probing simulated devices: UsernameToken and Digest, clocks an hour ahead or behind, a device
 * writing local time into its UTC field, wrong passwords.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startOnvifDevice } from '../../../test/sim/onvif/index.ts';
import { probeCamera } from '../../src/onvif/probe.ts';
import { runCli } from './cli.ts';

const creds = { username: 'admin', password: 'Sim-Passw0rd!' };
const HOUR = 3_600_000;

for (const offset of [HOUR, -HOUR]) {
  test(`UsernameToken with the device clock ${offset > 0 ? 'an hour ahead' : 'an hour behind'}: Created follows the device`, async () => {
    const dev = await startOnvifDevice({ auth: 'usernameToken', ...creds, clockOffsetMs: offset, maxSkewMs: 10_000 });
    try {
      const r = await probeCamera(dev.url, creds);
      assert.equal(r.faults, []);
      assert.ok(Math.abs(r.record.clockOffsetMs - offset) < 3_000, `offset ${r.record.clockOffsetMs}`);
      assert.is(r.record.auth, 'usernameToken');
      assert.is(r.record.profiles.length, 2);
      assert.equal(dev.requests[0], { operation: 'GetSystemDateAndTime', authenticated: false });
      assert.ok(dev.requests.slice(1).every((q) => q.authenticated));
    } finally {
      await dev.close();
    }
  });
}

test('HTTP Digest device: the probe switches to Digest after the 401 challenge', async () => {
  const dev = await startOnvifDevice({ auth: 'digest', ...creds, manufacturer: 'Dahua', model: 'IPC-HFW2431S', firmwareVersion: '2.800.0000000.16.R' });
  try {
    const out = await runCli(['probe', dev.url, '--user', 'admin', '--password-env', 'CAM_PW', '--json'], { CAM_PW: creds.password });
    assert.is(out.code, 0, out.stderr);
    const record = JSON.parse(out.stdout);
    assert.is(record.auth, 'digest');
    assert.is(record.manufacturer, 'Dahua');
    assert.is(record.firmwareProfile, 'dahua');
    assert.is(record.faults, undefined);
    assert.not.match(out.stdout + out.stderr, /Sim-Passw0rd/);
  } finally {
    await dev.close();
  }
});

test('a device reporting local time as UTC: the login still works, the offset shows the zone', async () => {
  const dev = await startOnvifDevice({ ...creds, reportsLocalTimeAsUtc: true, utcOffsetMinutes: 420, maxSkewMs: 10_000 });
  try {
    const r = await probeCamera(dev.url, creds);
    assert.equal(r.faults, []);
    assert.ok(Math.abs(r.record.clockOffsetMs - 7 * HOUR) < 3_000, `offset ${r.record.clockOffsetMs}`);
  } finally {
    await dev.close();
  }
});

test('wrong password: the probe reports auth faults, keeps the clock, and does not claim an auth mode', async () => {
  const dev = await startOnvifDevice({ ...creds });
  try {
    const r = await probeCamera(dev.url, { username: 'admin', password: 'wrong' });
    assert.ok(r.reachable);
    assert.is(r.record.auth, undefined);
    assert.ok(r.faults.some((f) => f.operation === 'GetDeviceInformation' && f.kind === 'auth'), JSON.stringify(r.faults));
    assert.ok(Math.abs(r.record.clockOffsetMs) < 3_000);
  } finally {
    await dev.close();
  }
});

test('a target given as host:port finds /onvif/device_service', async () => {
  const dev = await startOnvifDevice({ auth: 'none' });
  try {
    const r = await probeCamera(`127.0.0.1:${dev.port}`);
    assert.is(r.record.deviceServiceUrl, `http://127.0.0.1:${dev.port}/onvif/device_service`);
    assert.is(r.record.auth, 'none');
  } finally {
    await dev.close();
  }
});

test.run();
