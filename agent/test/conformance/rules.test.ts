/** Each conformance rule with a passing and a failing camera (pure: records and facts by hand). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CameraRecord } from '@camfleet/shared/protocol/camera';
import { ConformanceResult } from '@camfleet/shared/protocol/camera';
import { checkCamera, type CheckFacts } from '../../src/conformance/rules.ts';
import { loadStandard } from '../../src/conformance/standard.ts';
import { findVulnerabilities, loadProfiles } from '../../src/firmware/index.ts';

const std = loadStandard();
const profiles = loadProfiles();

function camera(over: Partial<CameraRecord> = {}): CameraRecord {
  return {
    deviceServiceUrl: 'http://127.0.0.1:8080/onvif/device_service',
    manufacturer: 'Hikvision',
    model: 'DS-2CD2143G2-I',
    firmwareVersion: 'V5.7.3 build 220112',
    serialNumber: 'S1',
    hardwareId: '88',
    clockOffsetMs: 300,
    services: { device: 'http://127.0.0.1:8080/onvif/device_service', media: 'http://127.0.0.1:8080/onvif/Media' },
    profiles: [
      { token: 'p1', name: 'main', encoding: 'H265', width: 2688, height: 1520, fps: 20, streamUri: 'rtsp://127.0.0.1:554/Streaming/Channels/101' },
      { token: 'p2', name: 'sub', encoding: 'H264', width: 640, height: 360, fps: 15, streamUri: 'rtsp://127.0.0.1:554/Streaming/Channels/102' },
    ],
    scopes: { profiles: ['S', 'T'] },
    firmwareProfile: 'hikvision',
    ...over,
  };
}

const hik = profiles.find((p) => p.id === 'hikvision')!;
const goodFacts = (over: Partial<CheckFacts> = {}): CheckFacts => ({
  rtspAnonymous: { status: 'refused', detail: 'DESCRIBE without credentials: 401' },
  unauthenticatedAccess: false,
  defaultCredentials: { status: 'tested', tried: 1, accepted: [], detail: '1 factory credential(s) refused' },
  firmware: { profile: 'hikvision', findings: findVulnerabilities(hik, { firmwareVersion: 'V5.7.3 build 220112' }).filter((f) => f.status === 'affected') },
  httpsOffered: true,
  ...over,
});

const status = (r: ReturnType<typeof checkCamera>, id: string) => r.rules.find((x) => x.id === id)!;

test('a conforming camera passes every rule and the result fits the protocol schema', () => {
  const r = checkCamera(camera(), goodFacts(), std);
  assert.equal(r.rules.map((x) => `${x.id}:${x.status}`), [
    'onvif-profile:pass', 'codec:pass', 'main-stream:pass', 'sub-stream:pass', 'clock:pass',
    'rtsp-anonymous:pass', 'default-credentials:pass', 'firmware:pass', 'https:pass',
  ]);
  assert.is(r.verdict, 'pass');
  assert.ok(ConformanceResult.safeParse(r).success);
});

test('onvif-profile: no profile claimed and no media fails; media without a claim warns', () => {
  assert.is(status(checkCamera(camera({ scopes: { profiles: ['G'] }, services: { device: 'x' }, profiles: [] }), goodFacts(), std), 'onvif-profile').status, 'fail');
  assert.is(status(checkCamera(camera({ scopes: { profiles: [] } }), goodFacts(), std), 'onvif-profile').status, 'warn');
});

test('codec: MJPEG main stream fails', () => {
  const c = camera();
  c.profiles[0]!.encoding = 'JPEG';
  const r = status(checkCamera(c, goodFacts(), std), 'codec');
  assert.is(r.status, 'fail');
  assert.match(r.evidence, /JPEG 2688x1520/);
});

test('main-stream: 720p or 10 fps fails; portrait 1080x1920 passes', () => {
  const low = camera();
  low.profiles[0] = { ...low.profiles[0]!, width: 1280, height: 720 };
  assert.is(status(checkCamera(low, goodFacts(), std), 'main-stream').status, 'fail');
  const slow = camera();
  slow.profiles[0] = { ...slow.profiles[0]!, fps: 10 };
  assert.match(status(checkCamera(slow, goodFacts(), std), 'main-stream').evidence, /frame rate below 15 fps/);
  const portrait = camera();
  portrait.profiles[0] = { ...portrait.profiles[0]!, width: 1080, height: 1920 };
  assert.is(status(checkCamera(portrait, goodFacts(), std), 'main-stream').status, 'pass');
});

test('sub-stream: a single profile fails', () => {
  const c = camera();
  c.profiles = [c.profiles[0]!];
  assert.is(status(checkCamera(c, goodFacts(), std), 'sub-stream').status, 'fail');
});

test('clock: an hour off fails and names the local-time-as-UTC mistake; 37 s off fails plainly', () => {
  const hour = status(checkCamera(camera({ clockOffsetMs: 7 * 3_600_000 + 800 }), goodFacts({ clock: { utcMs: 1, timeZone: 'ICT-7' } }), std), 'clock');
  assert.is(hour.status, 'fail');
  assert.match(hour.evidence, /7 h: the camera probably reports local time as UTC/);
  const drift = status(checkCamera(camera({ clockOffsetMs: -37_000 }), goodFacts(), std), 'clock');
  assert.is(drift.status, 'fail');
  assert.match(drift.evidence, /offset -37\.0 s; set NTP/);
});

test('rtsp-anonymous: an open stream fails, an untested one warns', () => {
  assert.is(status(checkCamera(camera(), goodFacts({ rtspAnonymous: { status: 'accepted', detail: '200' } }), std), 'rtsp-anonymous').status, 'fail');
  assert.is(status(checkCamera(camera(), goodFacts({ rtspAnonymous: { status: 'unreachable', detail: 'refused' } }), std), 'rtsp-anonymous').status, 'warn');
});

test('default-credentials: a factory password accepted fails, and so does no authentication at all', () => {
  const acc = status(checkCamera(camera(), goodFacts({ defaultCredentials: { status: 'tested', tried: 1, accepted: ['admin'], detail: '' } }), std), 'default-credentials');
  assert.is(acc.status, 'fail');
  assert.match(acc.evidence, /'admin'/);
  assert.is(status(checkCamera(camera(), goodFacts({ unauthenticatedAccess: true }), std), 'default-credentials').status, 'fail');
});

test('firmware: a version in a published range fails with the CVE; an advisory without range warns', () => {
  const old = findVulnerabilities(hik, { firmwareVersion: 'V5.4.0 build 160530' });
  const r = status(checkCamera(camera(), goodFacts({ firmware: { profile: 'hikvision', findings: old } }), std), 'firmware');
  assert.is(r.status, 'fail');
  assert.match(r.evidence, /CVE-2017-7921/);
  const advisory = findVulnerabilities(hik, { firmwareVersion: 'V5.7.3 build 220112' });
  assert.is(status(checkCamera(camera(), goodFacts({ firmware: { profile: 'hikvision', findings: advisory } }), std), 'firmware').status, 'warn');
  assert.is(status(checkCamera(camera(), goodFacts({ firmware: { profile: 'generic-onvif', findings: [] } }), std), 'firmware').status, 'warn');
});

test('https is advisory: never fails the camera', () => {
  const r = checkCamera(camera(), goodFacts({ httpsOffered: false }), std);
  assert.is(status(r, 'https').status, 'warn');
  assert.is(r.verdict, 'warn');
});

test.run();
