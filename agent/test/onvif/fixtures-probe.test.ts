/**
 * Every real device folder in the shared fixtures, replayed by the simulator and probed through
 * the CLI (`probe --json`), with its fields asserted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { CameraRecord } from '@camfleet/shared/protocol/camera';
import { startFixtureDevice } from '../../../test/sim/onvif/index.ts';
import { runCli } from './cli.ts';
import { FIXTURES } from './fixtures.ts';

async function probeJson(folder: string, opts: Parameters<typeof startFixtureDevice>[1] = {}) {
  const dev = await startFixtureDevice(folder, opts);
  try {
    const out = await runCli(['probe', dev.url, '--json']);
    assert.is(out.code, 0, out.stderr);
    const record = CameraRecord.parse(JSON.parse(out.stdout));
    // Every URL in the record points at the simulator, never at an address from the capture.
    for (const u of [record.deviceServiceUrl, ...Object.values(record.services), ...record.profiles.flatMap((p) => [p.streamUri, p.snapshotUri ?? ''])]) {
      if (u) assert.match(u, /^(https?|rtsp):\/\/127\.0\.0\.1:\d+\//, u);
    }
    assert.not.match(out.stdout, /Sim-Passw0rd/);
    return { record, requests: dev.requests };
  } finally {
    await dev.close();
  }
}

test('the fixture set has the five device folders this test knows', () => {
  const folders = readdirSync(FIXTURES).filter((f) => statSync(`${FIXTURES}/${f}`).isDirectory()).sort();
  assert.equal(folders, ['DCS-6511', 'ENP1A14-IR_25X', 'SUNBA', 'agsh-mockup', 'happytimesoft']);
});

test('DCS-6511 (D-Link): GetCapabilities only, no GetStreamUri: stream URIs stay empty, the fault is reported', async () => {
  const { record, requests } = await probeJson('DCS-6511');
  assert.equal([record.manufacturer, record.model, record.firmwareVersion], ['D-Link Corporation', 'DCS-6511', '1.16.00']);
  assert.is(record.firmwareProfile, 'd-link');
  assert.ok(record.services.media);
  assert.equal(record.profiles.map((p) => [p.token, p.encoding, p.width, p.height, p.fps, p.streamUri]), [
    ['Profile1', 'H264', 1280, 1024, 7, ''],
    ['Profile2', 'H264', 640, 480, 30, ''],
  ]);
  assert.match(record.profiles[0]!.snapshotUri!, /\/dms\?nowprofileid=1$/);
  assert.ok(record.faults!.some((f) => f.operation === 'GetStreamUri'));
  assert.is(requests[0]!.operation, 'GetSystemDateAndTime', 'the clock is read first');
  // The capture is from March 2023: the offset is years, negative, and recorded as such.
  assert.ok(record.clockOffsetMs < -365 * 86_400_000);
});

test('ENP1A14-IR_25X (Hikvision OEM): Media2 profiles, encoder from Media1, &amp; unescaped', async () => {
  const { record } = await probeJson('ENP1A14-IR_25X');
  assert.equal([record.manufacturer, record.model, record.firmwareVersion, record.serialNumber, record.hardwareId], [
    'ONVIF', 'ENP1A14-IR/25X', 'V5.5.3 build 180822', 'ENP1A14-IR/25X20190430AAWRD14878498W', '88',
  ]);
  assert.is(record.firmwareProfile, 'hikvision');
  assert.match(record.services.media2!, /\/onvif\/Media2$/);
  assert.match(record.services.ptz!, /\/onvif\/PTZ$/);
  assert.equal(record.profiles.map((p) => p.name), ['mainStream', 'subStream', 'thirdStream']);
  assert.equal([record.profiles[0]!.encoding, record.profiles[0]!.width, record.profiles[0]!.height, record.profiles[0]!.fps], ['H265', 2560, 1440, 25]);
  assert.match(record.profiles[0]!.streamUri, /\/Streaming\/Channels\/101\?transportmode=unicast&profile=Profile_1$/);
});

test('SUNBA (Uniview OEM): Media2 only for stream URIs, LAPI snapshot', async () => {
  const { record } = await probeJson('SUNBA');
  assert.equal([record.manufacturer, record.firmwareVersion], ['SUNBA', 'QIPC-B2202.3.73.C06290.NB.230628']);
  assert.is(record.firmwareProfile, 'uniview');
  assert.equal(record.profiles.map((p) => `${p.width}x${p.height}@${p.fps}`), ['2592x1944@12', '720x576@25', '352x288@25']);
  assert.match(record.profiles[0]!.streamUri, /\/media\/video1$/);
  assert.match(record.profiles[0]!.snapshotUri!, /\/LAPI\/V1\.0\/Media\/Video\/Streams\/0\/Snapshot$/);
});

test('happytimesoft (simulator): odd stream path with &-joined parameters', async () => {
  const { record } = await probeJson('happytimesoft');
  assert.equal([record.manufacturer, record.model, record.firmwareVersion], ['Happytimesoft', 'IPCamera', '2.4']);
  assert.is(record.firmwareProfile, undefined);
  assert.match(record.profiles[0]!.streamUri, /\/test\.mp4&ve=H264&w=1280&h=720&ae=PCMU&sr=8000$/);
  assert.match(record.services.media!, /\/onvif\/media_service$/);
});

test('agsh-mockup (gSOAP, utf-16-declared files): scopes with legacy type/ entries', async () => {
  const { record } = await probeJson('agsh-mockup');
  assert.equal([record.manufacturer, record.model, record.firmwareVersion, record.hardwareId], ['Mockup Manufacturer', 'Mockup Model', 'Mockup_15_14_13', 'MOCKUP']);
  assert.equal(record.scopes, { name: 'PREDATOR', hardware: 'HD_PREDATOR', location: '', profiles: ['S'], types: ['video_encoder', 'audio_encoder', 'ptz'] });
  assert.equal(record.profiles.map((p) => [p.token, p.encoding, p.width, p.height, p.fps]), [['main', 'H264', 1920, 1080, 5]]);
  assert.match(record.profiles[0]!.snapshotUri!, /image\.cgi\?resolution=800x600&compression=20&camera=1$/);
});

test('faults do not stop the probe: with and without subcodes, every other field is kept', async () => {
  const withSub = await probeJson('ENP1A14-IR_25X', { faultOn: ['GetDeviceInformation'] });
  assert.is(withSub.record.manufacturer, '', 'a field the device did not give stays empty');
  assert.is(withSub.record.profiles.length, 3);
  const f = withSub.record.faults!.find((x) => x.operation === 'GetDeviceInformation')!;
  assert.match(f.message, /OperationProhibited\/Password: Too weak password/);

  const sunba = await probeJson('SUNBA', { faultOn: ['GetServices'] });
  assert.ok(sunba.record.profiles.length > 0, 'GetCapabilities used instead');
  assert.is(sunba.record.manufacturer, 'SUNBA');

  const gsoap = await probeJson('agsh-mockup', { faultOn: ['GetProfiles'] });
  assert.is(gsoap.record.profiles.length, 0);
  assert.is(gsoap.record.model, 'Mockup Model');
  assert.ok(gsoap.record.faults!.some((x) => x.operation === 'GetProfiles' && x.kind === 'fault'));
});

test('human output: a readable summary and a profile table', async () => {
  const dev = await startFixtureDevice('SUNBA');
  try {
    const out = await runCli(['probe', dev.url]);
    assert.is(out.code, 0);
    assert.match(out.stdout, /Device\s+SUNBA Performance-Series/);
    assert.match(out.stdout, /PROFILE\s+ENCODING\s+SIZE/);
    assert.match(out.stdout, /media_profile1\s+H264\s+2592x1944\s+12/);
  } finally {
    await dev.close();
  }
});

test('an unreachable target exits 1 with a clear message; bad arguments exit 2', async () => {
  const out = await runCli(['probe', '127.0.0.1:1', '--timeout', '2000']);
  assert.is(out.code, 1);
  assert.match(out.stderr, /no answer from http:\/\/127\.0\.0\.1:1\/onvif\/device_service/);
  assert.is((await runCli(['probe'])).code, 2);
  assert.is((await runCli(['probe', 'http://admin:pw@127.0.0.1/'])).code, 1);
  assert.is((await runCli(['probe', '127.0.0.1', '--user', 'admin', '--password-env', 'NOPE_UNSET'])).code, 2);
});

test.run();
