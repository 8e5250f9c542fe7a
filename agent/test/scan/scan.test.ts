/** The range scan on loopback: open ports, banners, the ONVIF check, the /16 limit. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { startOnvifDevice } from '../../../test/sim/onvif/index.ts';
import { freePort } from '../../../test/support/ports.ts';
import { contains, hostCount, hosts, parseCidr } from '../../src/scan/cidr.ts';
import { parsePorts } from '../../src/scan/ports.ts';
import { scan } from '../../src/scan/scan.ts';
import { runCli } from '../onvif/cli.ts';

test('ranges: host lists stay inside the range; /31 and /32 keep every address', () => {
  const c = parseCidr('192.168.1.77/30');
  assert.equal([...hosts(c)], ['192.168.1.77', '192.168.1.78']);
  assert.equal([...hosts(parseCidr('10.0.0.5'))], ['10.0.0.5']);
  assert.equal([...hosts(parseCidr('10.0.0.4/31'))], ['10.0.0.4', '10.0.0.5']);
  const c24 = parseCidr('172.16.4.9/24');
  const all = [...hosts(c24)];
  assert.is(all.length, 254);
  assert.is(hostCount(c24), 254);
  assert.ok(all.every((h) => contains(c24, h)));
  assert.is(all[0], '172.16.4.1');
  assert.is(all[253], '172.16.4.254');
  assert.throws(() => parseCidr('300.1.1.1/24'));
  assert.throws(() => parseCidr('10.0.0.0/33'));
  assert.equal(parsePorts('80,554,8000-8002'), [80, 554, 8000, 8001, 8002]);
});

test('scan of 127.0.0.1: ONVIF simulator, an RTSP-like server, a closed port', async () => {
  const dev = await startOnvifDevice({ auth: 'usernameToken' });
  // A tiny RTSP responder: answers OPTIONS with a Server header.
  const rtsp = net.createServer((s) => s.once('data', () => s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: TestCam RTSP 1.0\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n')));
  await new Promise<void>((r) => rtsp.listen(0, '127.0.0.1', r));
  const rtspPort = (rtsp.address() as net.AddressInfo).port;
  const closed = await freePort();
  try {
    const results = await scan({ cidr: '127.0.0.1/32', ports: [dev.port, rtspPort, closed], concurrency: 4 });
    assert.is(results.length, 1);
    const h = results[0]!;
    assert.is(h.host, '127.0.0.1');
    assert.equal(h.ports.map((p) => p.port).sort(), [dev.port, rtspPort].sort());
    assert.is(h.onvif?.deviceServiceUrl, `http://127.0.0.1:${dev.port}/onvif/device_service`);
    // A port outside the well-known list is tried as HTTP: the RTSP server answers RTSP.
    const r = h.ports.find((p) => p.port === rtspPort)!;
    assert.match(r.banner ?? '', /TestCam RTSP 1\.0|RTSP\/1\.0 200/);
  } finally {
    await dev.close();
    await new Promise((r) => rtsp.close(r));
  }
});

test('scan CLI: JSON output, and ranges larger than a /16 refused without --force', async () => {
  const dev = await startOnvifDevice({});
  try {
    const out = await runCli(['scan', '--cidr', '127.0.0.1/32', '--ports', String(dev.port), '--json']);
    assert.is(out.code, 0, out.stderr);
    const list = JSON.parse(out.stdout);
    assert.is(list[0].onvif.deviceServiceUrl, `http://127.0.0.1:${dev.port}/onvif/device_service`);
    const table = await runCli(['scan', '--cidr', '127.0.0.1', '--ports', String(dev.port)]);
    assert.match(table.stdout, /127\.0\.0\.1\s+\d+\/(http|unknown)/);
    assert.match(table.stdout, /1 host\(s\) with open camera ports, 1 ONVIF/);
  } finally {
    await dev.close();
  }
  const big = await runCli(['scan', '--cidr', '10.0.0.0/15']);
  assert.is(big.code, 2);
  assert.match(big.stderr, /larger than a \/16 need --force/);
  assert.is((await runCli(['scan', '--cidr', 'not-a-range'])).code, 2);
});

test.run();
