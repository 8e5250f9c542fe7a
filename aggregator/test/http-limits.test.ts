/**
 * Issue 13, holes 8 and 9 on the HTTP side, against a real aggregator on loopback: body limit,
 * deep JSON, enrollment throttle and audit, /metrics closed by default, HTTPS, file modes.
 * (127.0.0.2 and 127.0.0.3 stand for other clients: Linux answers all of 127/8 on loopback.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { createSite, startTestAggregator } from '../../test/uplink/support.ts';
import type { RunningAggregator } from '../src/server.ts';

async function withAggregator(overrides: Record<string, unknown>, fn: (agg: RunningAggregator, dir: string) => Promise<void>) {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path, overrides);
  try {
    await fn(agg, dir.path);
  } finally {
    await agg.close();
    dir.cleanup();
  }
}

interface Sent {
  status: number;
  body: string;
  /** Body bytes the client had written when the answer came. */
  written: number;
}

/**
 * Streams a JSON body of `total` bytes (a long string inside `{"username": ...}`) in 64 KiB
 * chunks, as fast as the socket takes them, and stops writing as soon as the server answers.
 */
function streamBody(port: number, path: string, total: number, opts: { declareLength: boolean }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...(opts.declareLength ? { 'content-length': String(total) } : {}) } },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        // The server may close the connection while the client is still sending: whichever
        // comes first, the end of the answer or the close of the socket, settles it.
        const done = () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, written });
        };
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', (err) => (answered ? undefined : reject(err)));
    req.on('close', () => (answered ? undefined : reject(new Error(`closed without an answer after ${written} bytes`))));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const head = Buffer.from('{"username":"');
    req.write(head);
    written += head.length;
    const pump = () => {
      while (!answered && written < total) {
        if (!req.write(chunk)) return void req.once('drain', pump);
        written += chunk.length;
      }
    };
    pump();
  });
}

test('hole 8: a 300 MiB JSON body to /auth/login or /enroll is refused with 413 before it is read', async () => {
  await withAggregator({}, async (agg) => {
    const rssBefore = process.memoryUsage().rss;
    for (const path of ['/api/v1/auth/login', '/api/v1/enroll']) {
      for (const declareLength of [true, false]) {
        const r = await streamBody(agg.httpPort, path, 300 * 1024 * 1024, { declareLength });
        assert.is(r.status, 413, `${path} ${declareLength ? 'with' : 'without'} Content-Length`);
        assert.is(JSON.parse(r.body).error.code, 'too-large');
        // Refused at the limit (1 MiB), not after the whole body: far less than 300 MiB was sent.
        assert.ok(r.written < 64 * 1024 * 1024, `${path}: ${r.written} bytes written before the answer`);
      }
    }
    // Before: the process grew by about 600 MiB for one such request.
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * 1024 * 1024, 'memory stays bounded');
  });
});

test('hole 8: a 5,000-deep JSON body is a clear 400, not a 500', async () => {
  await withAggregator({}, async (agg) => {
    const user = agg.users.create('deep-admin', 'a long enough password', 'admin', null);
    const token = agg.users.issueToken(user.id, 'test');
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const post = (path: string, body: string) =>
      fetch(`${agg.httpUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    for (const [path, body] of [
      ['/api/v1/agents/some-agent/commands', `{"name":"reprobe","args":{"x":${deep}}}`],
      ['/api/v1/auth/login', `{"username":${deep},"password":"x"}`],
      ['/api/v1/sites', `{"id":${deep}}`],
    ] as const) {
      const res = await post(path, body);
      assert.is(res.status, 400, path);
      const err = ((await res.json()) as { error: { code: string; message: string } }).error;
      assert.is(err.code, 'too-deep', path);
    }
    // Strings holding brackets are not nesting.
    const res = await post('/api/v1/auth/login', JSON.stringify({ username: '['.repeat(60), password: 'x' }));
    assert.is(res.status, 401);
  });
});

/** A POST from a chosen loopback address. */
function postFrom(localAddress: string, port: number, path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('hole 8: enrollment is throttled per address, and every attempt is logged in the audit trail', async () => {
  await withAggregator({}, async (agg) => {
    const site = createSite(agg.db);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await postFrom('127.0.0.2', agg.httpPort, '/api/v1/enroll', { token: `cfe_wrong-token-${i}` })).status);
    assert.equal(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), `then throttled: ${statuses}`);
    // Another address enrolls normally.
    const { token } = agg.uplink.enrollment.createToken(site, 3600);
    const ok = await postFrom('127.0.0.3', agg.httpPort, '/api/v1/enroll', { token });
    assert.is(ok.status, 200);
    const entries = await agg.domain.audit.query({ action: 'agent.enroll', limit: 100 });
    assert.is(entries.length, 9, 'every attempt recorded');
    assert.is(entries.filter((e) => e.outcome === 'failed').length, 8);
    assert.ok(entries.some((e) => e.outcome === 'done' && e.ip?.endsWith('127.0.0.3')));
    assert.ok(entries.filter((e) => e.outcome === 'failed').every((e) => e.ip?.endsWith('127.0.0.2')));
  });
});

test('hole 9: /metrics is closed by default; with a token it needs it; or it is served on a separate listener', async () => {
  await withAggregator({}, async (agg) => {
    assert.is((await fetch(`${agg.httpUrl}/metrics`)).status, 404, 'not offered on the API port without configuration');
  });
  await withAggregator({ metrics: { prometheus: { token: { value: 'scraper-token-0123456789' } } } }, async (agg) => {
    assert.is((await fetch(`${agg.httpUrl}/metrics`)).status, 401);
    assert.is((await fetch(`${agg.httpUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    const ok = await fetch(`${agg.httpUrl}/metrics`, { headers: { authorization: 'Bearer scraper-token-0123456789' } });
    assert.is(ok.status, 200);
    assert.match(await ok.text(), 'camfleet_agents_connected');
  });
  await withAggregator({ metrics: { prometheus: { listen: { host: '127.0.0.1', port: 0 } } } }, async (agg) => {
    assert.is((await fetch(`${agg.httpUrl}/metrics`)).status, 404, 'not on the API port');
    const ok = await fetch(`http://127.0.0.1:${agg.metricsPort}/metrics`);
    assert.is(ok.status, 200);
    assert.match(await ok.text(), 'camfleet_agents_connected');
  });
});

test('hole 9: the data directory is 0700, the database and the agent key 0600', async () => {
  await withAggregator({}, async (agg, dir) => {
    assert.is(statSync(dir).mode & 0o777, 0o700);
    assert.is(statSync(join(dir, 'aggregator.db')).mode & 0o777, 0o600);
    assert.is(statSync(join(dir, 'agent-secret.key')).mode & 0o777, 0o600);
    for (const f of ['aggregator.db-wal', 'aggregator.db-shm']) {
      try {
        assert.is(statSync(join(dir, f)).mode & 0o077, 0, `${f} readable by others`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    void agg;
  });
});

test('hole 9: HTTPS when http.tls is configured', async () => {
  const certs = tempDir();
  try {
    const key = join(certs.path, 'key.pem');
    const cert = join(certs.path, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    await withAggregator({ http: { tls: { certFile: cert, keyFile: key } } }, async (agg) => {
      assert.match(agg.httpUrl, /^https:\/\//);
      const { readFileSync } = await import('node:fs');
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: agg.httpPort, path: '/api/v1/health', ca: readFileSync(cert) }, (res) => {
          let t = '';
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(t));
        });
        req.on('error', reject);
        req.end();
      });
      assert.is(JSON.parse(body).status, 'ok');
      // Plain HTTP on the same port is not answered as HTTP.
      const plain = await fetch(`http://127.0.0.1:${agg.httpPort}/api/v1/health`).then(
        (r) => r.status,
        () => 'refused',
      );
      assert.is.not(plain, 200);
    });
  } finally {
    certs.cleanup();
  }
});

test.run();
