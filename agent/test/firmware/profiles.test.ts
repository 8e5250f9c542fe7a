/** Every file in firmware-profiles/ validates, and the families recognise real devices. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { defaultProfilesDir, findVulnerabilities, loadProfiles, matchProfile, parseVersion } from '../../src/firmware/index.ts';

const profiles = loadProfiles();

test('every profile file validates against the schema and is loaded', () => {
  const files = readdirSync(defaultProfilesDir()).filter((f) => f.endsWith('.json'));
  assert.is(profiles.length, files.length);
  const ids = profiles.map((p) => p.id);
  for (const id of ['hikvision', 'dahua', 'uniview', 'axis', 'hanwha', 'bosch', 'xiongmai', 'reolink', 'tp-link-tapo', 'd-link', 'generic-onvif']) {
    assert.ok(ids.includes(id), `${id} profile present`);
  }
  assert.is(ids[ids.length - 1], 'generic-onvif', 'generic profile is tried last');
  assert.ok(profiles.find((p) => p.id === 'dahua')!.oems.some((o) => /KBVision/.test(o)));
});

test('the real fixtures are recognised (OEMs included)', () => {
  const id = (d: Parameters<typeof matchProfile>[1]) => matchProfile(profiles, d)?.id;
  assert.is(id({ manufacturer: 'ONVIF', model: 'ENP1A14-IR/25X', firmwareVersion: 'V5.5.3 build 180822' }), 'hikvision');
  assert.is(id({ manufacturer: 'SUNBA', model: 'Performance-Series', firmwareVersion: 'QIPC-B2202.3.73.C06290.NB.230628' }), 'uniview');
  assert.is(id({ manufacturer: 'D-Link Corporation', model: 'DCS-6511', firmwareVersion: '1.16.00' }), 'd-link');
  assert.is(id({ manufacturer: 'KBVision', model: 'KX-A2111N2', firmwareVersion: '2.800.0000000.3.R' }), 'dahua');
  assert.is(id({ manufacturer: 'Happytimesoft', model: 'IPCamera', firmwareVersion: '2.4' }), undefined);
});

test('vulnerable ranges: below, through, models, HTTP banner; advisories without ranges are unverified', () => {
  const byId = (id: string) => profiles.find((p) => p.id === id)!;
  const cves = (id: string, d: Parameters<typeof findVulnerabilities>[1]) =>
    findVulnerabilities(byId(id), d).map((f) => `${f.vulnerability.cve}:${f.status}`);
  assert.equal(cves('hikvision', { firmwareVersion: 'V5.4.0 build 160530' }), ['CVE-2017-7921:affected', 'CVE-2021-36260:unverified']);
  assert.equal(cves('hikvision', { firmwareVersion: 'V5.5.3 build 180822' }), ['CVE-2021-36260:unverified']);
  assert.equal(cves('tp-link-tapo', { model: 'Tapo C200', firmwareVersion: '1.1.15 Build 211130 Rel.12345n' }), ['CVE-2021-4045:affected']);
  assert.equal(cves('tp-link-tapo', { model: 'Tapo C200', firmwareVersion: '1.1.16 Build 211209 Rel.37726N' }), []);
  assert.equal(cves('tp-link-tapo', { model: 'Tapo C310', firmwareVersion: '1.0.0' }), []);
  assert.equal(cves('d-link', { model: 'DCS-2530L', firmwareVersion: '1.05.05' }), ['CVE-2020-25078:affected', 'CVE-2020-25079:affected']);
  assert.equal(cves('d-link', { model: 'DCS-6511', firmwareVersion: '1.16.00' }), []);
  assert.equal(cves('xiongmai', { httpServer: 'uc-httpd 1.0.0' }), ['CVE-2017-7577:affected', 'CVE-2018-10088:affected']);
  assert.equal(parseVersion('QIPC-B2202.3.73.C06290'), [2202, 3, 73]);
});

test.run();
