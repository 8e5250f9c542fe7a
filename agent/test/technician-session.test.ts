/**
 * A technician's session against a simulated site, end to end through the CLI: discover the
 * cameras, scan the range, probe each one, check each one against the standard.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFixtureDevice, startOnvifDevice } from '../../test/sim/onvif/index.ts';
import { runCli } from './onvif/cli.ts';

test('discover, scan, probe --json and check on a two-camera site', async () => {
  const site = [
    await startFixtureDevice('SUNBA', { discovery: true }),
    await startOnvifDevice({ name: 'Market gate', manufacturer: 'Hikvision', model: 'DS-2CD2143G2-I', firmwareVersion: 'V5.7.3 build 220112', discovery: true, username: 'admin', password: 'Gate-Passw0rd!' }),
  ];
  const env = { CAM_PW: 'Gate-Passw0rd!' };
  try {
    const found = await runCli(['discover', '--interface', '127.0.0.1', '--timeout', '3000', '--json']);
    assert.is(found.code, 0, found.stderr);
    const devices = (JSON.parse(found.stdout) as Array<{ endpointReference: string; xaddrs: string[] }>).filter((d) => site.some((s) => s.endpointReference === d.endpointReference));
    assert.is(devices.length, 2, 'each camera once');

    const scanned = await runCli(['scan', '--cidr', '127.0.0.1/32', '--ports', site.map((s) => s.port).join(','), '--json']);
    const onvif = (JSON.parse(scanned.stdout) as Array<{ onvif?: { deviceServiceUrl: string } }>)[0]!;
    assert.ok(onvif.onvif, 'the scan recognises ONVIF');

    const urls = devices.map((d) => d.xaddrs[0]!).sort();
    const sunbaUrl = urls.find((u) => u === site[0]!.url)!;
    const gateUrl = urls.find((u) => u === site[1]!.url)!;

    const sunba = await runCli(['probe', sunbaUrl, '--json']);
    assert.is(JSON.parse(sunba.stdout).firmwareProfile, 'uniview');
    const gate = await runCli(['probe', gateUrl, '--user', 'admin', '--password-env', 'CAM_PW', '--json'], env);
    assert.is(JSON.parse(gate.stdout).scopes.name, 'Market gate');

    // The captured SUNBA clock is from 2023: it cannot pass.
    const sunbaCheck = await runCli(['check', sunbaUrl]);
    assert.is(sunbaCheck.code, 1);
    assert.match(sunbaCheck.stdout, /Clock within 5 s\s+FAIL/);
    const gateCheck = await runCli(['check', gateUrl, '--user', 'admin', '--password-env', 'CAM_PW'], env);
    assert.match(gateCheck.stdout, /Verdict\s+(PASS|WARN|FAIL)/);
    assert.not.match(gateCheck.stdout + gateCheck.stderr, /Gate-Passw0rd/);
  } finally {
    await Promise.all(site.map((s) => s.close()));
  }
});

test.run();
