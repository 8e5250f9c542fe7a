/**
 * `camfleet-agent check` end to end against simulated cameras and RTSP servers: a conforming
 * camera exits 0, a non-conforming one exits 1 with each failure explained, and the
 * factory-credential test never logs in more than three times.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startOnvifDevice } from '../../../test/sim/onvif/index.ts';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { ConformanceResult } from '@camfleet/shared/protocol/camera';
import { runCli } from '../onvif/cli.ts';

const creds = { username: 'admin', password: 'Sim-Passw0rd!' };
const env = { CAM_PW: creds.password };
let secured: RtspSim | undefined;
let open: RtspSim | undefined;

test.before(async () => {
  secured = await startRtspSim({ streams: [{ name: 'main', width: 320, height: 240, fps: 5 }, { name: 'sub', width: 160, height: 120, fps: 5 }], username: 'admin', password: creds.password });
  open = await startRtspSim({ streams: [{ name: 'main', width: 320, height: 240, fps: 5 }] });
});

test.after(async () => {
  await secured?.close();
  await open?.close();
});

function rules(stdout: string) {
  const parsed = JSON.parse(stdout);
  const c = ConformanceResult.parse(parsed.conformance);
  return { record: parsed.record, result: c, status: Object.fromEntries(c.rules.map((r) => [r.id, r.status])), evidence: Object.fromEntries(c.rules.map((r) => [r.id, r.evidence])) as Record<string, string> };
}

test('a conforming camera: nothing fails, exit 0 (the unverifiable Hikvision advisory only warns)', async () => {
  const dev = await startOnvifDevice({
    auth: 'digest',
    ...creds,
    manufacturer: 'Hikvision',
    model: 'DS-2CD2143G2-I',
    firmwareVersion: 'V5.7.3 build 220112',
    httpsAdvertised: true,
    profiles: [
      { token: 'main', name: 'Main', encoding: 'H265', width: 2560, height: 1440, fps: 20, streamUrl: secured!.url('main') },
      { token: 'sub', name: 'Sub', encoding: 'H264', width: 640, height: 360, fps: 10, streamUrl: secured!.url('sub') },
    ],
  });
  try {
    const out = await runCli(['check', dev.url, '--user', 'admin', '--password-env', 'CAM_PW', '--json'], env);
    const { status, result } = rules(out.stdout);
    assert.equal(status, {
      'onvif-profile': 'pass', codec: 'pass', 'main-stream': 'pass', 'sub-stream': 'pass', clock: 'pass',
      'rtsp-anonymous': 'pass', 'default-credentials': 'pass', firmware: 'warn', https: 'pass',
    }, JSON.stringify(result.rules, null, 1));
    assert.is(out.code, 0);
    assert.not.match(out.stdout, /Sim-Passw0rd/);

    const table = await runCli(['check', dev.url, '--user', 'admin', '--password-env', 'CAM_PW'], env);
    assert.is(table.code, 0);
    assert.match(table.stdout, /RULE\s+STATUS\s+EVIDENCE/);
    assert.match(table.stdout, /RTSP refuses anonymous access\s+PASS\s+DESCRIBE without credentials: 401/);
    assert.match(table.stdout, /Verdict\s+WARN \(0 failed, 1 warning\)/);
  } finally {
    await dev.close();
  }
});

test('a non-conforming camera: each failure with its evidence, exit 1', async () => {
  const dev = await startOnvifDevice({
    auth: 'usernameToken',
    username: 'operator',
    password: creds.password,
    manufacturer: 'D-Link Corporation',
    model: 'DCS-2530L',
    firmwareVersion: '1.05.05',
    clockOffsetMs: 3_600_000,
    maxSkewMs: 10_000,
    media2: false,
    onvifProfiles: [],
    defaultCredentials: [{ username: 'admin', password: '' }],
    profiles: [{ token: 'only', name: 'Only', encoding: 'JPEG', width: 1280, height: 720, fps: 10, streamUrl: open!.url('main') }],
  });
  try {
    const out = await runCli(['check', dev.url, '--user', 'operator', '--password-env', 'CAM_PW', '--json'], env);
    assert.is(out.code, 1);
    const { status, evidence } = rules(out.stdout);
    assert.equal(status, {
      'onvif-profile': 'warn', codec: 'fail', 'main-stream': 'fail', 'sub-stream': 'fail', clock: 'fail',
      'rtsp-anonymous': 'fail', 'default-credentials': 'fail', firmware: 'fail', https: 'warn',
    });
    assert.match(evidence.clock!, /1 h: the camera probably reports local time as UTC/);
    assert.match(evidence.firmware!, /CVE-2020-25078/);
    assert.match(evidence['default-credentials']!, /'admin'/);
    assert.match(evidence['rtsp-anonymous']!, /open to anyone/);
  } finally {
    await dev.close();
  }
});

test('factory credentials: at most three logins, and --no-credential-test makes none', async () => {
  const dev = await startOnvifDevice({ auth: 'usernameToken', ...creds, manufacturer: 'Nobody Knows', model: 'X1', profiles: [] });
  try {
    // The simulator logs every request; failed logins are the unauthenticated ones.
    const logins = () => dev.requests.filter((r) => r.operation === 'GetDeviceInformation').length;
    const out = await runCli(['check', dev.url, '--user', 'admin', '--password-env', 'CAM_PW', '--json'], env);
    const { status, evidence } = rules(out.stdout);
    assert.is(status['default-credentials'], 'pass');
    assert.match(evidence['default-credentials']!, /3 factory credential\(s\) of generic-onvif refused/);
    assert.is(logins(), 1 + 1 + 3, 'the probe login, one anonymous call, three factory credentials');
    const before = logins();
    await runCli(['check', dev.url, '--user', 'admin', '--password-env', 'CAM_PW', '--json', '--no-credential-test'], env);
    assert.is(logins() - before, 2, 'only the probe login and the anonymous call');
  } finally {
    await dev.close();
  }
});

test('a camera that needs no credentials at all fails the credential rule', async () => {
  const dev = await startOnvifDevice({ auth: 'none', profiles: [] });
  try {
    const out = await runCli(['check', dev.url, '--json']);
    assert.is(out.code, 1);
    assert.match(rules(out.stdout).evidence['default-credentials']!, /without any credentials/);
  } finally {
    await dev.close();
  }
});

test('a custom standard file is honoured and a bad one is refused with the key named', async () => {
  const { writeFileSync } = await import('node:fs');
  const { tempDir } = await import('../../../test/support/tmp.ts');
  const dir = tempDir();
  const dev = await startOnvifDevice({ ...creds, profiles: [{ token: 'm', name: 'M', encoding: 'H264', width: 1280, height: 720, fps: 25, streamUrl: secured!.url('main') }] });
  try {
    writeFileSync(`${dir.path}/std.yaml`, 'name: ward standard\nmainStream: { minWidth: 1280, minHeight: 720, minFps: 25 }\nmaxClockOffsetMs: 2000\nsubStreamRequired: false\n');
    const out = await runCli(['check', dev.url, '--user', 'admin', '--password-env', 'CAM_PW', '--json', '--standard', `${dir.path}/std.yaml`], env);
    const { result, status } = rules(out.stdout);
    assert.is(result.standard, 'ward standard');
    assert.is(status['main-stream'], 'pass');
    assert.is(status['sub-stream'], 'warn');
    writeFileSync(`${dir.path}/bad.yaml`, 'name: x\nmainStream: { minWidth: 1280, minHeight: 720, minFps: 25 }\nmaxClockOffsetMs: 2000\ndefaultCredentialAttempts: 10\n');
    const bad = await runCli(['check', dev.url, '--standard', `${dir.path}/bad.yaml`]);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /defaultCredentialAttempts/);
  } finally {
    await dev.close();
    dir.cleanup();
  }
});

test.run();
