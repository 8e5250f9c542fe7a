/**
 * WS-Discovery over loopback multicast against simulated devices: one result per endpoint
 * however often it answers, SOAP 1.1 and odd prefixes, garbage ignored, Hello heard.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFixtureDevice, startOnvifDevice } from '../../../test/sim/onvif/index.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { DiscoverySession } from '../../src/discovery/discover.ts';
import { parseDiscoveryMessage } from '../../src/discovery/messages.ts';
import { fixture } from '../onvif/fixtures.ts';
import { runCli } from '../onvif/cli.ts';

const LOOPBACK = ['127.0.0.1'];

test('the captured ProbeMatches (agsh-mockup) parses: endpoint, types, scopes', () => {
  const m = parseDiscoveryMessage(fixture('agsh-mockup/Probe.xml'));
  assert.is(m?.kind, 'ProbeMatches');
  const d = m!.matches[0]!;
  assert.is(d.endpointReference, 'uuid:c9790c3a-701b-464d-a189-0060351c8ada');
  assert.equal(d.types, ['NetworkVideoTransmitter', 'Device']);
  assert.is(d.scopes.hardware, 'HD_PREDATOR');
  assert.equal(d.scopes.types, ['video_encoder', 'audio_encoder', 'ptz']);
  assert.equal(d.xaddrs, [], 'SERVICE_URI is not a URL and is dropped');
});

test('probe: duplicates collapse, SOAP 1.1 and odd prefixes read, garbage ignored', async () => {
  const devices = await Promise.all([
    startOnvifDevice({ name: 'Dup Cam', discovery: { duplicates: 4, garbage: true }, location: 'ward/Hoan Kiem' }),
    startOnvifDevice({ name: 'Old Cam', discovery: { soap11: true, oddPrefixes: true } }),
  ]);
  const session = new DiscoverySession({ interfaces: LOOPBACK });
  try {
    await session.start();
    session.probe();
    const mine = () => devices.map((d) => session.devices.get(d.endpointReference));
    await waitFor('both simulated devices to answer', () => mine().every(Boolean) && mine(), { timeoutMs: 20_000 });
    const [dup, old] = mine();
    assert.is(dup!.scopes.name, 'Dup Cam');
    assert.is(dup!.scopes.location, 'ward/Hoan Kiem', 'URL-decoded');
    assert.equal(dup!.xaddrs, [devices[0]!.url]);
    assert.is(old!.scopes.name, 'Old Cam');
    assert.ok(old!.types.includes('NetworkVideoTransmitter'));
    assert.ok(session.ignored >= 1, 'the garbage datagram was counted, not fatal');
    // Four answers per probe, four probes: still one entry.
    assert.is([...session.devices.values()].filter((d) => d.endpointReference === devices[0]!.endpointReference).length, 1);
  } finally {
    session.stop();
    await Promise.all(devices.map((d) => d.close()));
  }
});

test('Hello: a camera switched on while we listen is found without a probe', async () => {
  const session = new DiscoverySession({ interfaces: LOOPBACK });
  await session.start();
  const dev = await startFixtureDevice('ENP1A14-IR_25X', { discovery: true });
  try {
    const found = await waitFor('the Hello', () => session.devices.get(dev.endpointReference), { timeoutMs: 20_000 });
    assert.ok(found.via.includes('hello'));
    assert.equal(found.xaddrs, [dev.url]);
  } finally {
    session.stop();
    await dev.close();
  }
});

test('discover --json through the CLI lists the device once', async () => {
  const dev = await startOnvifDevice({ name: 'CLI Cam', discovery: { duplicates: 3 } });
  try {
    const out = await runCli(['discover', '--interface', '127.0.0.1', '--timeout', '3000', '--json']);
    assert.is(out.code, 0, out.stderr);
    const list = JSON.parse(out.stdout) as Array<{ endpointReference: string; scopes: { name?: string } }>;
    const hits = list.filter((d) => d.endpointReference === dev.endpointReference);
    assert.is(hits.length, 1);
    assert.is(hits[0]!.scopes.name, 'CLI Cam');
  } finally {
    await dev.close();
  }
});

test.run();
