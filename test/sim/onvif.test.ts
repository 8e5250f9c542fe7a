import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Cam } from 'onvif';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DISCOVERY_GROUP,
  DISCOVERY_PORT,
  digestResponse,
  fixturesDir,
  parseDigestHeader,
  passwordDigest,
  probe,
  startFixtureDevice,
  startOnvifDevice,
  type OnvifDeviceSim,
} from './onvif/index.ts';

const DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
const MEDIA1 = 'http://www.onvif.org/ver10/media/wsdl';
const MEDIA2 = 'http://www.onvif.org/ver20/media/wsdl';

function usernameToken(username: string, password: string, createdMs = Date.now()): string {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date(createdMs).toISOString();
  return (
    `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ` +
    `xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>` +
    `<wsse:Username>${username}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${passwordDigest(nonce, created, password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

function request(ns: string, operation: string, inner = '', header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body><op:${operation} xmlns:op="${ns}">${inner}</op:${operation}></s:Body></s:Envelope>`;
}

async function call(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...headers } });
  return { status: res.status, text: await res.text(), challenge: res.headers.get('www-authenticate') ?? undefined };
}

/** One HTTP Digest round trip: the 401 challenge, then the answer. */
async function digestFetch(url: string, username: string, password: string, init: { method: string; body?: string }) {
  const first = await fetch(url, init);
  await first.arrayBuffer();
  const challenge = parseDigestHeader(first.headers.get('www-authenticate') ?? undefined);
  assert.ok(challenge, `a Digest challenge from ${url} (status ${first.status})`);
  const uri = new URL(url).pathname + new URL(url).search;
  const cnonce = randomBytes(8).toString('hex');
  const response = digestResponse({ username, realm: challenge.realm!, password, method: init.method, uri, nonce: challenge.nonce!, nc: '00000001', cnonce, qop: 'auth' });
  return fetch(url, {
    ...init,
    headers: { Authorization: `Digest username="${username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=MD5` },
  });
}

function utcFromDateAndTime(xml: string): number {
  const utc = /<tt:UTCDateTime>([\s\S]*?)<\/tt:UTCDateTime>/.exec(xml)![1]!;
  const n = (tag: string) => Number(new RegExp(`<tt:${tag}>(\\d+)</tt:${tag}>`).exec(utc)![1]);
  return Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second'));
}

const sims: OnvifDeviceSim[] = [];
test.after.each(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
async function device(...args: Parameters<typeof startOnvifDevice>) {
  const d = await startOnvifDevice(...args);
  sims.push(d);
  return d;
}

test('UsernameToken: right password accepted, wrong or missing refused with ter:NotAuthorized', async () => {
  const d = await device({ username: 'admin', password: 'Right-1', manufacturer: 'Acme', model: 'X1', defaultCredentials: [{ username: 'admin2', password: '12345' }] });
  assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service$/);

  const ok = await call(d.url, request(DEVICE, 'GetDeviceInformation', '', usernameToken('admin', 'Right-1')));
  assert.is(ok.status, 200);
  assert.match(ok.text, /<tds:Manufacturer>Acme<\/tds:Manufacturer>/);
  assert.match(ok.text, /<tds:Model>X1<\/tds:Model>/);

  const wrong = await call(d.url, request(DEVICE, 'GetDeviceInformation', '', usernameToken('admin', 'wrong')));
  assert.is(wrong.status, 400);
  assert.match(wrong.text, /ter:NotAuthorized/);
  const anonymous = await call(d.url, request(DEVICE, 'GetDeviceInformation'));
  assert.match(anonymous.text, /ter:NotAuthorized/);

  const weak = await call(d.url, request(DEVICE, 'GetDeviceInformation', '', usernameToken('admin2', '12345')));
  assert.is(weak.status, 200, 'default credentials accepted on a "vulnerable" device');

  const time = await call(d.url, request(DEVICE, 'GetSystemDateAndTime'));
  assert.is(time.status, 200, 'GetSystemDateAndTime needs no credentials');

  assert.equal(d.requests.map((r) => [r.operation, r.authenticated]), [
    ['GetDeviceInformation', true],
    ['GetDeviceInformation', false],
    ['GetDeviceInformation', false],
    ['GetDeviceInformation', true],
    ['GetSystemDateAndTime', false],
  ]);
});

test('device clock: offset visible in GetSystemDateAndTime and used to check Created', async () => {
  const twoHours = 2 * 3600_000;
  const d = await device({ username: 'admin', password: 'pw', clockOffsetMs: twoHours });
  const reported = utcFromDateAndTime((await call(d.url, request(DEVICE, 'GetSystemDateAndTime'))).text);
  assert.ok(Math.abs(reported - (Date.now() + twoHours)) < 10_000, `reported ${new Date(reported).toISOString()}`);

  const withOurClock = await call(d.url, request(DEVICE, 'GetScopes', '', usernameToken('admin', 'pw')));
  assert.match(withOurClock.text, /ter:NotAuthorized/, 'Created two hours off the device clock is refused');
  const withDeviceClock = await call(d.url, request(DEVICE, 'GetScopes', '', usernameToken('admin', 'pw', Date.now() + twoHours)));
  assert.is(withDeviceClock.status, 200);

  d.setClockOffset(0);
  const now = utcFromDateAndTime((await call(d.url, request(DEVICE, 'GetSystemDateAndTime'))).text);
  assert.ok(Math.abs(now - Date.now()) < 10_000);
});

test('a device reporting local time as UTC is off by its time zone', async () => {
  const d = await device({ reportsLocalTimeAsUtc: true, utcOffsetMinutes: 180, auth: 'none' });
  const reported = utcFromDateAndTime((await call(d.url, request(DEVICE, 'GetSystemDateAndTime'))).text);
  assert.ok(Math.abs(reported - (Date.now() + 3 * 3600_000)) < 10_000);
});

test('HTTP Digest: challenge, right answer accepted, wrong password refused with 401', async () => {
  const d = await device({ auth: 'digest', username: 'op', password: 'Digest-Pw' });
  const body = request(DEVICE, 'GetDeviceInformation');
  const anonymous = await call(d.url, body);
  assert.is(anonymous.status, 401);
  assert.match(anonymous.challenge ?? '', /^Digest realm="[^"]+", qop="auth", nonce="[0-9a-f]+", algorithm=MD5$/);

  const ok = await digestFetch(d.url, 'op', 'Digest-Pw', { method: 'POST', body });
  assert.is(ok.status, 200);
  assert.match(await ok.text(), /GetDeviceInformationResponse/);

  const wrong = await digestFetch(d.url, 'op', 'nope', { method: 'POST', body });
  assert.is(wrong.status, 401);
  await wrong.arrayBuffer();

  const time = await call(d.url, request(DEVICE, 'GetSystemDateAndTime'));
  assert.is(time.status, 200);
});

test('media1 and media2: profiles, stream and snapshot URIs; a real JPEG behind the snapshot URI', async () => {
  const d = await device({
    auth: 'digest',
    username: 'u',
    password: 'p',
    profiles: [{ token: 'p0', name: 'main', encoding: 'H265', width: 1280, height: 720, fps: 15, bitrateKbps: 2048, streamUrl: 'rtsp://127.0.0.1:9/cam?a=1&b=2' }],
  });
  const media1Url = d.url.replace('/onvif/device_service', '/onvif/media_service');
  const media2Url = d.url.replace('/onvif/device_service', '/onvif/media2_service');
  const services = await (await digestFetch(d.url, 'u', 'p', { method: 'POST', body: request(DEVICE, 'GetServices', '<op:IncludeCapability>false</op:IncludeCapability>') })).text();
  assert.ok(services.includes(media1Url) && services.includes(media2Url));

  const profiles2 = await (await digestFetch(media2Url, 'u', 'p', { method: 'POST', body: request(MEDIA2, 'GetProfiles') })).text();
  assert.match(profiles2, /<tr2:Profiles token="p0"/);
  assert.match(profiles2, /<tt:Encoding>H265<\/tt:Encoding>/);
  assert.match(profiles2, /<tt:Width>1280<\/tt:Width>/);

  const uri1 = await (await digestFetch(media1Url, 'u', 'p', { method: 'POST', body: request(MEDIA1, 'GetStreamUri', '<op:ProfileToken>p0</op:ProfileToken>') })).text();
  assert.match(uri1, /<tt:Uri>rtsp:\/\/127\.0\.0\.1:9\/cam\?a=1&amp;b=2<\/tt:Uri>/, 'query string escaped as XML');
  const noProfile = await digestFetch(media2Url, 'u', 'p', { method: 'POST', body: request(MEDIA2, 'GetStreamUri', '<op:ProfileToken>zz</op:ProfileToken>') });
  assert.match(await noProfile.text(), /ter:NoProfile/);

  const snap = await (await digestFetch(media2Url, 'u', 'p', { method: 'POST', body: request(MEDIA2, 'GetSnapshotUri', '<op:ProfileToken>p0</op:ProfileToken>') })).text();
  const snapUrl = /<tr2:Uri>([^<]+)<\/tr2:Uri>/.exec(snap)![1]!.replace(/&amp;/g, '&');
  assert.is((await fetch(snapUrl)).status, 401, 'snapshot needs credentials too');
  const jpeg = Buffer.from(await (await digestFetch(snapUrl, 'u', 'p', { method: 'GET' })).arrayBuffer());
  assert.equal([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');

  const media1Only = await device({ auth: 'none', media2: false });
  const absent = await call(media1Only.url.replace('device_service', 'media2_service'), request(MEDIA2, 'GetProfiles'));
  assert.is(absent.status, 500);
  assert.match(absent.text, /ter:ActionNotSupported/);
  assert.not.match((await call(media1Only.url, request(DEVICE, 'GetServices'))).text, /<tds:Namespace>http:\/\/www.onvif.org\/ver20\/media/);
});

test('interop: the onvif npm client connects (clock 1 h off), reads the device and the stream URI', async () => {
  const d = await device({
    username: 'admin',
    password: 'pw',
    clockOffsetMs: 3600_000,
    manufacturer: 'Acme',
    profiles: [{ token: 'main', name: 'Main', encoding: 'H264', width: 1280, height: 720, fps: 10, streamUrl: 'rtsp://127.0.0.1:8554/cam1' }],
  });
  const cam = new Cam({ hostname: '127.0.0.1', port: d.port, username: 'admin', password: 'pw', timeout: 15_000, autoconnect: false });
  await new Promise<void>((resolve, reject) => cam.connect((err) => (err ? reject(err) : resolve())));
  const info = await new Promise<{ manufacturer: string }>((resolve, reject) => cam.getDeviceInformation((err, v) => (err ? reject(err) : resolve(v as { manufacturer: string }))));
  assert.is(info.manufacturer, 'Acme');
  const stream = await new Promise<{ uri: string }>((resolve, reject) => cam.getStreamUri({ protocol: 'RTSP' }, (err, v) => (err ? reject(err) : resolve(v as { uri: string }))));
  assert.is(stream.uri, 'rtsp://127.0.0.1:8554/cam1');
  assert.ok(d.requests.filter((r) => r.operation !== 'GetSystemDateAndTime').every((r) => r.authenticated));
});

test('malformed XML gets a SOAP fault, not a crash', async () => {
  const d = await device({ auth: 'none' });
  const bad = await call(d.url, '<s:Envelope><s:Body><unclosed></s:Body>');
  assert.is(bad.status, 400);
  assert.match(bad.text, /env:Fault/);
  const ok = await call(d.url, request(DEVICE, 'GetDeviceInformation'));
  assert.is(ok.status, 200);
});

// --- Fixture replay ---------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const FIXTURE_FOLDERS = readdirSync(fixturesDir()).filter((n) => statSync(join(fixturesDir(), n)).isDirectory());
const NAMESPACE_BY_SERVICE: Record<string, string> = {
  device_management: DEVICE,
  media1: MEDIA1,
  media2: MEDIA2,
  ptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  recordings: 'http://www.onvif.org/ver10/recording/wsdl',
  device: DEVICE,
  media: MEDIA1,
  imaging: 'http://www.onvif.org/ver20/imaging/wsdl',
  events: 'http://www.onvif.org/ver10/events/wsdl',
};

/** Every IPv4 address written in the fixtures that is a device's (not 0.0.0.0, multicast or loopback). */
const fixtureAddresses = new Set(
  filesUnder(fixturesDir())
    .flatMap((f) => readFileSync(f, 'latin1').match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [])
    .filter((ip) => ip !== '0.0.0.0' && !ip.startsWith('127.') && !/^2(2[4-9]|3\d)\./.test(ip)),
);

test('fixture replay: every operation of every folder answers with its file, no fixture address left', async () => {
  assert.ok(fixtureAddresses.size >= 5, 'the fixtures do carry device addresses');
  let served = 0;
  for (const folder of FIXTURE_FOLDERS) {
    const d = await startFixtureDevice(folder);
    sims.push(d);
    const base = `http://127.0.0.1:${d.port}`;
    for (const file of filesUnder(join(fixturesDir(), folder))) {
      const rel = relative(join(fixturesDir(), folder), file);
      const parts = rel.split('/');
      let ns: string;
      let operation: string;
      if (parts.length === 2) {
        if (parts[1] === 'Fault.xml') continue;
        ns = NAMESPACE_BY_SERVICE[parts[0]!]!;
        operation = parts[1]!.replace(/Response\.xml$/, '');
      } else {
        const name = parts[0]!.replace(/\.xml$/, '');
        if (['Probe', 'Error', 'GetCapabilitiesEncoder', 'GetVideoSourcesEncoder'].includes(name)) continue;
        const dot = name.indexOf('.');
        ns = dot > 0 ? NAMESPACE_BY_SERVICE[name.slice(0, dot)]! : DEVICE;
        operation = dot > 0 ? name.slice(dot + 1) : name;
        if (dot < 0 && ['GetProfiles', 'GetStreamUri', 'GetSnapshotUri', 'GetVideoSourceConfigurations'].includes(name)) ns = MEDIA1;
        if (dot < 0 && ['GetNodes', 'GetStatus', 'GetConfigurations', 'GetConfigurationOptions'].includes(name)) ns = NAMESPACE_BY_SERVICE.ptz!;
        if (dot < 0 && ['PullMessages', 'Unsubscribe', 'GetEventProperties'].includes(name)) ns = NAMESPACE_BY_SERVICE.events!;
      }
      const res = await call(`${base}/onvif/whatever`, request(ns, operation));
      assert.is(res.status, 200, `${folder}/${rel}: status ${res.status}: ${res.text.slice(0, 300)}`);
      served++;
      const original = readFileSync(file, 'latin1');
      const leaked = [...fixtureAddresses].filter((ip) => res.text.includes(ip));
      assert.equal(leaked, [], `${folder}/${rel} still carries ${leaked.join(', ')}`);
      // Same bytes apart from addresses: identical once both sides have their addresses blanked.
      const blank = (s: string) =>
        s.replace(/\b(https?|rtsp):\/\/[^/<\s"']+/g, '$1://ADDR').replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, 'IP').replace(/[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}/g, (m) => (m.includes('::') ? 'IP6' : m));
      assert.ok(blank(res.text) === blank(original), `${folder}/${rel} changed beyond its addresses`);
      for (const m of res.text.matchAll(/\b(?:https?|rtsp):\/\/([^/<\s"']+)/g)) {
        const host = m[1]!;
        assert.ok(!/^\d|^\[/.test(host) || host.startsWith(`127.0.0.1:${d.port}`), `${folder}/${rel}: URL host ${host}`);
      }
    }
  }
  assert.ok(served >= 200, `served ${served} fixture files`);
});

test('fixture replay: media1 and media2 GetProfiles differ, faults on request, utf-16 declarations kept', async () => {
  const d = await startFixtureDevice('ENP1A14-IR_25X', { faultOn: ['GetNTP'] });
  sims.push(d);
  const p1 = await call(d.url, request(MEDIA1, 'GetProfiles'));
  const p2 = await call(d.url, request(MEDIA2, 'GetProfiles'));
  assert.is(p1.text, readFileSync(join(fixturesDir(), 'ENP1A14-IR_25X/media1/GetProfilesResponse.xml'), 'latin1'));
  assert.is.not(p1.text, p2.text);
  const uri = await call(d.url, request(MEDIA2, 'GetStreamUri'));
  assert.match(uri.text, new RegExp(`rtsp://127\\.0\\.0\\.1:${d.port}/`));
  const ntp = await call(d.url, request(DEVICE, 'GetNTP'));
  assert.ok(ntp.status >= 400);
  assert.match(ntp.text, /Fault/);
  const missing = await call(d.url, request(DEVICE, 'GetAccessPolicy'));
  assert.match(missing.text, /ter:ActionNotSupported/);

  const agsh = await startFixtureDevice('agsh-mockup');
  sims.push(agsh);
  const caps = await call(agsh.url, request(DEVICE, 'GetCapabilities'));
  assert.is(caps.status, 200);
  const encoderFile = readdirSync(join(fixturesDir(), 'agsh-mockup')).find((f) => /encoding="utf-16"/i.test(readFileSync(join(fixturesDir(), 'agsh-mockup', f), 'latin1')));
  assert.ok(encoderFile, 'a utf-16-declared file exists');
  const name = encoderFile.replace(/\.xml$/, '');
  const dot = name.indexOf('.');
  const res = await call(agsh.url, request(dot > 0 ? NAMESPACE_BY_SERVICE[name.slice(0, dot)]! : DEVICE, dot > 0 ? name.slice(dot + 1) : name));
  assert.match(res.text, /encoding="utf-16"/i);
});

// --- WS-Discovery ------------------------------------------------------------------------------

/**
 * Listens on loopback (an ephemeral port, or the discovery group itself for announcements),
 * lets `onReady` send, and resolves once `until` holds for what arrived (deadline: a failure).
 */
function collect(opts: { group?: boolean; until: (got: string[]) => boolean; onReady: (send: (msg: string) => void) => void; timeoutMs?: number }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const got: string[] = [];
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    const finish = (err?: Error) => {
      clearTimeout(timer);
      s.close();
      if (err) reject(err);
      else resolve(got);
    };
    const timer = setTimeout(() => finish(new Error(`discovery: expected datagrams did not arrive; got ${got.length}: ${got.map((g) => g.slice(0, 120)).join(' | ')}`)), opts.timeoutMs ?? 20_000);
    s.on('error', (err) => finish(err));
    s.on('message', (m) => {
      got.push(m.toString('utf8'));
      if (opts.until(got)) finish();
    });
    const ready = () => {
      s.setMulticastInterface('127.0.0.1');
      if (opts.group) s.addMembership(DISCOVERY_GROUP, '127.0.0.1');
      opts.onReady((msg) => s.send(msg, DISCOVERY_PORT, DISCOVERY_GROUP));
    };
    if (opts.group) s.bind(DISCOVERY_PORT, DISCOVERY_GROUP, ready);
    else s.bind(0, '127.0.0.1', ready);
  });
}

const has = (got: string[], ...needles: string[]) => got.some((m) => needles.every((n) => m.includes(n)));

test('WS-Discovery on loopback: Hello on start, ProbeMatches (with duplicates and garbage), Bye on close', async () => {
  let device: OnvifDeviceSim | undefined;
  let other: OnvifDeviceSim | undefined;
  const hellos = await collect({
    group: true,
    onReady: () => {
      void (async () => {
        device = await startOnvifDevice({ name: 'Gate 3', model: 'SIM-9', serialNumber: 'SN42', discovery: { duplicates: 3, garbage: true } });
        sims.push(device);
        other = await startOnvifDevice({ name: 'Other', discovery: { soap11: true, oddPrefixes: true } });
        sims.push(other);
      })();
    },
    until: (got) => Boolean(device && other && has(got, '/discovery/Hello', device.endpointReference) && has(got, '/discovery/Hello', other.endpointReference)),
  });
  assert.ok(device && other, 'two devices share port 3702');
  assert.ok(has(hellos, device.endpointReference) && has(hellos, other.endpointReference));

  // A Probe for printers first, then one for cameras: each device answers in order, so when the
  // camera answers are in, an answer to the printer probe would have been too.
  const printerProbeId = 'urn:uuid:00000000-0000-0000-0000-00000000beef';
  const answers = await collect({
    onReady: (send) => {
      send(probe(printerProbeId, 'foo:Printer'));
      send(probe());
    },
    until: (got) => got.filter((m) => m.includes(device!.endpointReference)).length >= 3 && has(got, other!.endpointReference),
  });
  assert.not.ok(has(answers, printerProbeId), 'a Probe for printers gets no camera');
  const mine = answers.filter((m) => m.includes(device!.endpointReference));
  const relatesTo = (m: string) => /RelatesTo>([^<]+)</.exec(m)?.[1];
  assert.ok(mine.every((m) => relatesTo(m) === relatesTo(mine[0]!)), 'copies of one ProbeMatches');
  assert.match(mine[0]!, /dn:NetworkVideoTransmitter/);
  assert.ok(mine[0]!.includes(`<wsdd:XAddrs>${device.url}</wsdd:XAddrs>`));
  for (const scope of ['name/Gate%203', 'hardware/SIM-9', 'serial/SN42', 'MAC/', 'location/']) assert.ok(mine[0]!.includes(`onvif://www.onvif.org/${scope}`), scope);
  assert.ok(answers.indexOf(answers.find((m) => m.includes('this is not xml'))!) >= 0, 'the garbage datagram');
  const odd = answers.find((m) => m.includes(other!.endpointReference))!;
  assert.ok(odd.includes('http://schemas.xmlsoap.org/soap/envelope/') && odd.includes('ns4:NetworkVideoTransmitter'));

  const closing = device;
  const byes = await collect({ group: true, onReady: () => void closing.close(), until: (got) => has(got, '/discovery/Bye', closing.endpointReference) });
  assert.ok(has(byes, 'Bye'));
});

test.run();
