/** The doctor's probes on this machine: loopback servers, temp files, a missing ffmpeg. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/tmp.ts';
import { freePort } from '../../../test/support/ports.ts';
import { checkAggregator, checkClock, checkCredentials, checkDataDir, checkFfmpeg, checkWriteSpeed } from '../../src/doctor/checks.ts';
import { checkSqlite } from '../../src/doctor/runtime-checks.ts';

test('ffmpeg: found and versioned on PATH; a missing FFMPEG_PATH fails with the install hint', async () => {
  const ok = await checkFfmpeg(process.env);
  assert.is(ok.status, 'ok', ok.detail);
  assert.match(ok.detail, /^ffmpeg \S+ at \//);
  const missing = await checkFfmpeg({ ...process.env, FFMPEG_PATH: '/nonexistent/ffmpeg' });
  assert.is(missing.status, 'fail');
  assert.is(missing.detail, 'ffmpeg not found: /nonexistent/ffmpeg');
  assert.match(missing.hint!, /apt-get install ffmpeg/);
});

test('data directory: a missing one is measured in its parent; the write test leaves no file', () => {
  const dir = tempDir();
  try {
    const [exists, space] = checkDataDir(join(dir.path, 'data'));
    assert.is(exists!.status, 'warn');
    assert.match(exists!.detail, /does not exist yet/);
    assert.is(space!.id, 'disk-space');
    const speed = checkWriteSpeed(dir.path, 4);
    assert.is(speed.id, 'disk-speed');
    assert.match(speed.detail, /MiB\/s sustained write/);
    assert.equal(readdirSync(dir.path), []);
  } finally {
    dir.cleanup();
  }
});

test('credentials: missing, readable by others, malformed and good', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'credentials.json');
    assert.is(checkCredentials(file).status, 'fail');
    writeFileSync(file, JSON.stringify({ agentId: 'site-1', password: 'a-long-enough-password' }), { mode: 0o644 });
    chmodSync(file, 0o644);
    assert.match(checkCredentials(file).detail, /readable by others/);
    chmodSync(file, 0o600);
    assert.equal(checkCredentials(file), { id: 'credentials', status: 'ok', detail: `${file} is mode 0600, agent site-1` });
    writeFileSync(file, '{"agentId":');
    assert.is(checkCredentials(file).status, 'fail');
  } finally {
    dir.cleanup();
  }
});

test('aggregator: reachable over TCP, refused when nothing listens, no URL at all', async () => {
  const server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const ok = await checkAggregator(`mqtt://127.0.0.1:${port}`);
    assert.is(ok.status, 'ok', ok.detail);
    const refused = await checkAggregator(`mqtt://127.0.0.1:${await freePort()}`);
    assert.is(refused.status, 'fail');
    assert.match(refused.detail, /ECONNREFUSED/);
    assert.is((await checkAggregator(undefined)).status, 'fail');
  } finally {
    server.close();
  }
});

test("clock: compared with the aggregator's HTTP Date header", async () => {
  let skewMs = 0;
  const server = createHttpServer((_req, res) => {
    res.setHeader('date', new Date(Date.now() + skewMs).toUTCString());
    res.end('{}');
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.is((await checkClock(process.env, url)).status, 'ok');
    skewMs = 120_000;
    const skewed = await checkClock(process.env, url);
    assert.is(skewed.status, 'fail');
    assert.match(skewed.detail, /^clock 1[12]\d\.\d s behind the aggregator/);
  } finally {
    server.close();
  }
});

test('sqlite: the native addon loads', () => {
  const r = checkSqlite();
  assert.is(r.status, 'ok', r.detail);
  assert.match(r.detail, /^SQLite 3\./);
});

test.run();
