/**
 * The SOAP client against small hand-made servers: Digest and UsernameToken negotiation, and
 * hostile answers (huge, slow, garbage) that must end in a reported error, never a hang.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NS, OnvifClient } from '../../src/onvif/client.ts';
import { parseDigestChallenge, digestAuthorization } from '../../src/onvif/auth.ts';

const OK = (op: string) =>
  `<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><tds:${op}Response xmlns:tds="${NS.device}"><tds:Model>M</tds:Model></tds:${op}Response></env:Body></env:Envelope>`;

async function serve(handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/onvif/device_service`;
  return { url, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('HTTP Digest: 401 challenge, then accepted; the password never goes on the wire', async () => {
  const seen: string[] = [];
  const dev = await serve((req, body, res) => {
    seen.push(body, String(req.headers.authorization ?? ''));
    const auth = req.headers.authorization;
    if (!auth) {
      res.writeHead(401, { 'www-authenticate': 'Digest realm="cam", qop="auth", nonce="abc123", opaque="xyz"' }).end();
      return;
    }
    const p = Object.fromEntries([...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
    const H = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = H(`${H('admin:cam:s3cret!')}:abc123:${p.nc}:${p.cnonce}:auth:${H(`POST:${p.uri}`)}`);
    if (p.response !== expected) return void res.writeHead(401, { 'www-authenticate': 'Digest realm="cam", nonce="abc123"' }).end();
    res.writeHead(200, { 'content-type': 'application/soap+xml' }).end(OK('GetDeviceInformation'));
  });
  try {
    const c = new OnvifClient({ credentials: { username: 'admin', password: 's3cret!' } });
    const r = await c.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.ok(r.ok, JSON.stringify(r));
    assert.is(c.authMode, 'digest');
    assert.not.ok(seen.join('').includes('s3cret!'));
    const bad = new OnvifClient({ credentials: { username: 'admin', password: 'wrong' } });
    const r2 = await bad.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.is(r2.ok ? '' : r2.error.kind, 'auth');
  } finally {
    await dev.close();
  }
});

test('login attempts are counted; onlyAuth keeps a factory-credential test to one attempt per password', async () => {
  // Hikvision-style: a refused UsernameToken gets 401 with a Digest challenge.
  const dev = await serve((_req, _body, res) => void res.writeHead(401, { 'www-authenticate': 'Digest realm="cam", qop="auth", nonce="n1"' }).end());
  try {
    const both = new OnvifClient({ credentials: { username: 'admin', password: '12345' } });
    await both.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.is(both.credentialAttempts, 2, 'UsernameToken, then Digest');
    const one = new OnvifClient({ credentials: { username: 'admin', password: '12345' }, onlyAuth: 'usernameToken' });
    const r = await one.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.is(one.credentialAttempts, 1);
    assert.is(r.ok ? '' : r.error.kind, 'auth');
    const digestOnly = new OnvifClient({ credentials: { username: 'admin', password: '12345' }, onlyAuth: 'digest' });
    await digestOnly.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.is(digestOnly.credentialAttempts, 1, 'the challenge is fetched without credentials');
  } finally {
    await dev.close();
  }
});

test('digest challenge parsing: several headers, SHA-256, quoted commas', () => {
  const c = parseDigestChallenge(['Basic realm="x"', 'Digest realm="a, b", nonce="n", algorithm=SHA-256, qop="auth,auth-int"']);
  assert.equal(c, { realm: 'a, b', nonce: 'n', qop: 'auth,auth-int', opaque: undefined, algorithm: 'SHA-256' });
  const h = digestAuthorization(c!, { username: 'u', password: 'p' }, 'POST', '/x', 1, 'cn');
  assert.match(h, /response="[0-9a-f]{64}"/);
  assert.match(h, /qop=auth, nc=00000001/);
});

test('UsernameToken Created follows the device clock offset', async () => {
  const deviceSkewMs = -3_600_000;
  const dev = await serve((_req, body, res) => {
    const created = /<wsu:Created>([^<]+)<\/wsu:Created>/.exec(body)?.[1];
    const nonce = /<wsse:Nonce[^>]*>([^<]+)</.exec(body)?.[1];
    const digest = /<wsse:Password[^>]*>([^<]+)</.exec(body)?.[1];
    const expected = nonce && created ? createHash('sha1').update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created + 'pw')])).digest('base64') : '';
    const fresh = created && Math.abs(Date.parse(created) - (Date.now() + deviceSkewMs)) < 5_000;
    if (digest === expected && fresh) res.writeHead(200).end(OK('GetDeviceInformation'));
    else
      res.writeHead(400).end(
        `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>ter:NotAuthorized</e:Value></e:Subcode></e:Code><e:Reason><e:Text>Sender not Authorized</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`,
      );
  });
  try {
    const c = new OnvifClient({ credentials: { username: 'admin', password: 'pw' } });
    const refused = await c.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.is(refused.ok ? '' : refused.error.kind, 'auth', 'our own clock is an hour ahead of the device');
    c.clockOffsetMs = deviceSkewMs;
    const r = await c.call(dev.url, NS.device, 'GetDeviceInformation');
    assert.ok(r.ok, JSON.stringify(r));
    assert.is(c.authMode, 'usernameToken');
  } finally {
    await dev.close();
  }
});

test('hostile answers: too large, too slow, garbage, entity bombs, HTML error pages', async () => {
  let mode = '';
  const dev = await serve((_req, _body, res) => {
    if (mode === 'huge') {
      res.writeHead(200);
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
    } else if (mode === 'slow') {
      res.writeHead(200);
      res.write('<env:Envelope');
      // never ends
    } else if (mode === 'garbage') res.writeHead(200).end('\u0000\u0001garbage<<<>>>');
    else if (mode === 'bomb')
      res.writeHead(200).end(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Envelope><Body><GetDeviceInformationResponse><Model>&b;</Model></GetDeviceInformationResponse></Body></Envelope>`);
    else res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal error</body></html>');
  });
  try {
    const c = new OnvifClient({ timeoutMs: 1_000, maxBytes: 1024 * 1024 });
    const expect = async (m: string, kind: string) => {
      mode = m;
      const r = await c.call(dev.url, NS.device, 'GetDeviceInformation');
      assert.is(r.ok ? 'ok' : r.error.kind, kind, m);
    };
    await expect('huge', 'too-large');
    await expect('slow', 'timeout');
    await expect('garbage', 'xml');
    await expect('bomb', 'xml');
    await expect('html', 'http');
  } finally {
    await dev.close();
  }
});

test('an unreachable device is a network error, not an exception', async () => {
  const dev = await serve(() => {});
  const url = dev.url;
  await dev.close();
  const r = await new OnvifClient({ timeoutMs: 2_000 }).call(url, NS.device, 'GetSystemDateAndTime', '', { authenticate: false });
  assert.is(r.ok ? '' : r.error.kind, 'network');
});

test('a camera that accepts connections and never answers: the probe gives up after two calls', async () => {
  const { probeCamera } = await import('../../src/onvif/probe.ts');
  let requests = 0;
  const dev = await serve(() => {
    requests++; // and never answer
  });
  try {
    const r = await probeCamera(dev.url, undefined, { timeoutMs: 500 });
    assert.is(r.reachable, false);
    assert.equal(r.faults.map((f) => f.kind), ['timeout', 'timeout']);
    assert.is(requests, 2);
  } finally {
    await dev.close();
  }
});

test('a camera answering garbage to everything: reachable, every field empty, faults listed', async () => {
  const { probeCamera } = await import('../../src/onvif/probe.ts');
  const dev = await serve((_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('\u0000garbage'));
  try {
    const r = await probeCamera(dev.url, undefined, { timeoutMs: 2_000 });
    assert.is(r.reachable, true);
    assert.is(r.record.manufacturer, '');
    assert.equal(r.record.profiles, []);
    assert.ok(r.faults.every((f) => f.kind === 'xml'));
  } finally {
    await dev.close();
  }
});

test.run();
