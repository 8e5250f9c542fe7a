/** The SOAP readers on real captured answers: prefixes, escaping, encodings, faults. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSoap, responseElement, type SoapResult } from '../../src/onvif/soap.ts';
import {
  parseCapabilities,
  parseDeviceInformation,
  parseMedia1Profiles,
  parseMedia2EncoderConfigurations,
  parseMedia2Profiles,
  parseMediaUri,
  parseServices,
  parseSystemDateAndTime,
} from '../../src/onvif/parse.ts';
import { parseScopes } from '../../src/onvif/scopes.ts';
import { parseXml, unescapeXml, XmlError } from '../../src/onvif/xml.ts';
import { fixture } from './fixtures.ts';

function body(path: string, op: string) {
  const r: SoapResult = parseSoap(fixture(path));
  if (!r.ok) throw new Error(`${path} is a fault`);
  const el = responseElement(r.body, op);
  if (!el) throw new Error(`${path}: no ${op}Response`);
  return el;
}

test('device information under three envelope prefixes (SOAP-ENV:, env:, gSOAP)', () => {
  assert.equal(parseDeviceInformation(body('ENP1A14-IR_25X/device_management/GetDeviceInformationResponse.xml', 'GetDeviceInformation')), {
    manufacturer: 'ONVIF',
    model: 'ENP1A14-IR/25X',
    firmwareVersion: 'V5.5.3 build 180822',
    serialNumber: 'ENP1A14-IR/25X20190430AAWRD14878498W',
    hardwareId: '88',
  });
  const dlink = parseDeviceInformation(body('DCS-6511/device_management/GetDeviceInformationResponse.xml', 'GetDeviceInformation'));
  assert.is(dlink.manufacturer, 'D-Link Corporation');
  assert.is(dlink.model, 'DCS-6511');
  assert.is(dlink.firmwareVersion, '1.16.00');
});

test('system date and time: UTC and local, non-POSIX zones', () => {
  const c = parseSystemDateAndTime(body('DCS-6511/device_management/GetSystemDateAndTimeResponse.xml', 'GetSystemDateAndTime'));
  assert.is(c.utcMs, Date.UTC(2023, 2, 7, 16, 14, 53));
  assert.is(c.localAsUtcMs, Date.UTC(2023, 2, 7, 11, 14, 53));
  assert.is(c.timeZone, 'COT5');
  assert.is(c.dateTimeType, 'NTP');
  for (const f of ['ENP1A14-IR_25X', 'SUNBA', 'happytimesoft']) {
    const k = parseSystemDateAndTime(body(`${f}/device_management/GetSystemDateAndTimeResponse.xml`, 'GetSystemDateAndTime'));
    assert.ok(k.utcMs !== undefined, `${f} has a UTC time`);
  }
});

test('stream URIs are unescaped (&amp; to &) and trimmed, media1 and media2', () => {
  assert.is(
    parseMediaUri(body('ENP1A14-IR_25X/media1/GetStreamUriResponse.xml', 'GetStreamUri')),
    'rtsp://192.168.1.182:554/Streaming/Channels/101?transportmode=mcast&profile=Profile_1',
  );
  assert.is(
    parseMediaUri(body('happytimesoft/media2/GetStreamUriResponse.xml', 'GetStreamUri')),
    'rtsp://192.168.2.119/test.mp4&ve=H264&w=1280&h=720&ae=PCMU&sr=8000',
  );
  assert.is(parseMediaUri(body('SUNBA/media2/GetSnapshotUriResponse.xml', 'GetSnapshotUri')), 'http://162.191.54.181:80/LAPI/V1.0/Media/Video/Streams/0/Snapshot');
  assert.is(
    parseMediaUri(body('agsh-mockup/GetSnapshotUri.xml', 'GetSnapshotUri')),
    'http://192.168.68.111/onvif-cgi/jpg/image.cgi?resolution=800x600&compression=20&camera=1',
  );
});

test('services by namespace (GetServices) and by capability (GetCapabilities)', () => {
  const s = parseServices(body('ENP1A14-IR_25X/device_management/GetServicesResponse.xml', 'GetServices'));
  assert.is(s.media, 'http://192.168.1.182/onvif/Media');
  assert.is(s.media2, 'http://192.168.1.182/onvif/Media2');
  assert.is(s.ptz, 'http://192.168.1.182/onvif/PTZ');
  const c = parseCapabilities(body('DCS-6511/device_management/GetCapabilitiesResponse.xml', 'GetCapabilities'));
  assert.ok(c.media, 'media from capabilities');
  assert.ok(c.device);
});

test('a utf-16-declared file that is ASCII parses', () => {
  const c = parseCapabilities(body('agsh-mockup/GetCapabilitiesEncoder.xml', 'GetCapabilities'));
  assert.is(c.device, 'http://192.168.30.65/onvif/device_service');
});

test('media1 profiles carry their encoder; media2 profiles may not', () => {
  const m1 = parseMedia1Profiles(body('SUNBA/media1/GetProfilesResponse.xml', 'GetProfiles'));
  assert.is(m1.length, 3);
  assert.equal({ ...m1[0] }, { token: 'media_profile1', name: 'media_profile1', encoding: 'H264', width: 2592, height: 1944, fps: 12, bitrateKbps: 6144 });
  const m2 = parseMedia2Profiles(body('SUNBA/media2/GetProfilesResponse.xml', 'GetProfiles'));
  assert.equal(m2.map((p) => p.token), ['media_profile1', 'media_profile2', 'media_profile3']);
  assert.is(m2[0]!.encoding, undefined);
  const enc = parseMedia2EncoderConfigurations(body('SUNBA/media2/GetVideoEncoderConfigurationsResponse.xml', 'GetVideoEncoderConfigurations'));
  assert.equal([enc[1]!.width, enc[1]!.height, enc[1]!.fps], [720, 576, 25]);
});

test('scopes: URL-decoded, Streaming reads S, legacy type/ scopes in any case', () => {
  const s = parseScopes([
    'onvif://www.onvif.org/Profile/Streaming',
    'onvif://www.onvif.org/Profile/T',
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Type/NetworkVideoTransmitter',
    'onvif://www.onvif.org/name/C%C3%B4ng%20vi%C3%AAn%20Th%E1%BB%91ng%20Nh%E1%BA%A5t',
    'onvif://www.onvif.org/hardware/DS-2CD2143G2-I',
    'onvif://www.onvif.org/location/city/hanoi',
    'onvif://www.onvif.org/MAC/44:19:b6:00:11:22',
    'http://example.com/not-a-scope',
  ]);
  assert.equal(s, {
    profiles: ['S', 'T'],
    types: ['video_encoder', 'NetworkVideoTransmitter'],
    name: 'Công viên Thống Nhất',
    hardware: 'DS-2CD2143G2-I',
    location: 'city/hanoi',
    mac: '44:19:b6:00:11:22',
  });
  // The space-separated form of a discovery answer, empty location included.
  const d = parseScopes('onvif://www.onvif.org/hardware/HD_PREDATOR onvif://www.onvif.org/name/PREDATOR onvif://www.onvif.org/location/');
  assert.is(d.hardware, 'HD_PREDATOR');
  assert.is(d.location, '');
});

test('faults with a subcode chain, with one subcode, and a gSOAP fault without ter: subcode', () => {
  const two = parseSoap(fixture('ENP1A14-IR_25X/device_management/Fault.xml'));
  assert.equal(two.ok ? null : two.fault, { code: 'Sender', subcodes: ['OperationProhibited', 'Password'], reason: 'Too weak password.' });
  const one = parseSoap(fixture('SUNBA/device_management/Fault.xml'));
  assert.equal(one.ok ? null : one.fault, { code: 'Receiver', subcodes: ['ActionNotSupported'], reason: 'Optional Action Not Implemented' });
  const odd = parseSoap(fixture('agsh-mockup/Error.xml'));
  assert.is(odd.ok, false);
  assert.is(odd.ok ? '' : odd.fault.reason, 'fault reason');
});

test('SOAP 1.1 faults', () => {
  const r = parseSoap(
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad</faultstring></soap:Fault></soap:Body></soap:Envelope>',
  );
  assert.equal(r.ok ? null : r.fault, { code: 'Client', subcodes: [], reason: 'bad' });
});

test('hostile documents: entities, external entities, deep nesting, not XML', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Envelope><Body>&lol2;</Body></Envelope>`;
  assert.throws(() => parseXml(laughs), (e: unknown) => e instanceof XmlError);
  const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Envelope><Body>&xxe;</Body></Envelope>`;
  assert.throws(() => parseXml(xxe), (e: unknown) => e instanceof XmlError);
  assert.throws(() => parseXml('<a>'.repeat(10_000) + '</a>'.repeat(10_000)), (e: unknown) => e instanceof XmlError);
  assert.throws(() => parseSoap('HTTP/1.1 200 OK garbage'));
  // Shapes that would hold the event loop for seconds are refused up front.
  const env = (inner: string) => `<e:Envelope xmlns:e="x"><e:Body><R>${inner}</R></e:Body></e:Envelope>`;
  assert.throws(() => parseXml(env('<a>x</a>'.repeat(60_000))), /more than 50000 tags/);
  assert.throws(() => parseXml(env(`<b ${Array.from({ length: 60_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`)), /attributes/);
  // An undeclared entity is left as written, never resolved; decoding happens once.
  const r = parseSoap('<e:Envelope xmlns:e="x"><e:Body><GetStreamUriResponse><Uri>a&unknown;b&amp;c&#65;&amp;lt;</Uri></GetStreamUriResponse></e:Body></e:Envelope>');
  assert.is(r.ok ? parseMediaUri(responseElement(r.body, 'GetStreamUri')!) : '', 'a&unknown;b&cA&lt;');
  assert.is(unescapeXml('&#x110000;&#0;'), '&#x110000;&#0;');
});

test.run();
