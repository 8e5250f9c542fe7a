/**
 * A ward officer sees only their ward: the cameras of Hoàn Kiếm, none of Ba Đình and no
 * business camera that was not shared; a Ba Đình camera's page is simply not there for them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, launchBrowser, screenshot, seedCity, signIn, startTestAggregator, tokenFor, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let browser: TestBrowser;
const sites: FakeSite[] = [];
// A map tile server on loopback, as a city data centre would run one; it counts what it serves.
const tileRequests: string[] = [];
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z/C/HgAGgwJ/lK3Q6wAAAABJRU5ErkJggg==', 'base64');
const tiles = createServer((req, res) => {
  tileRequests.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'image/png' }).end(TILE);
});

test.before(async () => {
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const tilePort = (tiles.address() as AddressInfo).port;
  env = await startTestAggregator({ dashboard: { mapTiles: { url: `http://127.0.0.1:${tilePort}/{z}/{x}/{y}.png`, attribution: 'test tiles' } } });
  const passwords = await seedCity(env.agg);
  for (const id of ['hk-01', 'bd-01', 'shop-01']) sites.push(await FakeSite.connect(env.agg, id, undefined, passwords.get(id)));
  await sites[0]!.reportCameras([camera('gate', 'Ward office gate', { verdict: 'pass' }), camera('lake', 'Hoàn Kiếm lake north', { online: false, problem: 'no RTSP answer' }), camera('yard', 'Yard', { verdict: 'fail' })]);
  await sites[1]!.reportCameras([camera('square', 'Ba Đình square', { verdict: 'pass' })]);
  await sites[2]!.reportCameras([camera('door', 'Shop door', { verdict: 'pass' })]);
  await waitFor('reports stored', () => env.agg.fleet.listCameras().length === 5);
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
  for (const s of sites) await s.close().catch(() => {});
  await env?.close();
  tiles.close();
});

test('a ward officer sees the cameras of their ward and nothing else', async () => {
  const { page } = browser;
  await signIn(page, env.url, 'ward.hoankiem');
  assert.is(await page.locator('[data-tile="total"] .tile-value').textContent(), '3');
  assert.is(await page.locator('[data-tile="offline"] .tile-value').textContent(), '1');
  assert.equal(await page.locator('tr[data-group] td:first-child').allTextContents(), ['Phường Hoàn Kiếm']);
  await screenshot(page, 'ward-overview');

  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
  const shown = await page.locator('tr[data-camera]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-camera')).sort());
  assert.equal(shown, ['hk-01/gate', 'hk-01/lake', 'hk-01/yard']);

  // The menu offers only what the role may do: no audit trail, no sharing page for a ward officer.
  assert.equal(await page.locator('nav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-page'))), ['overview', 'map', 'cameras', 'alerts', 'inventory']);
});

test("another ward's camera is not there, in the page or in the API", async () => {
  const { page } = browser;
  await page.goto(`${env.url}/#/cameras/${encodeURIComponent('bd-01/square')}`);
  await page.locator('#camera-not-found').waitFor();
  assert.not.match((await page.locator('main').textContent()) ?? '', 'Ba Đình square');
  const auth = { authorization: `Bearer ${tokenFor(env.agg, 'ward.hoankiem')}` };
  for (const path of ['/api/v1/cameras/bd-01/square', '/api/v1/cameras/bd-01/square/health']) {
    const res = await fetch(`${env.url}${path}`, { headers: auth });
    assert.ok(res.status === 403 || res.status === 404, `the API refuses ${path} too (${res.status})`);
  }
  const own = await fetch(`${env.url}/api/v1/cameras/hk-01/gate/health`, { headers: auth });
  assert.is(own.status, 200, 'while their own camera answers');
});

test('the ward map draws its cameras coloured by state over tiles from the configured tile server', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="map"]').click();
  await page.locator('svg#map circle[data-camera]').first().waitFor();
  assert.equal(await page.locator('svg#map circle').evaluateAll((dots) => dots.map((d) => `${d.getAttribute('data-camera')}:${d.getAttribute('data-state')}`).sort()), [
    'hk-01/gate:ok',
    'hk-01/lake:offline',
    'hk-01/yard:ok',
  ]);
  assert.ok((await page.locator('svg#map path.area').count()) >= 1, 'the ward is outlined');
  assert.ok((await page.locator('svg#map g.tiles image').count()) >= 1, 'tiles are drawn');
  await waitFor('tiles fetched from the tile server (allowed by the CSP)', () => tileRequests.length > 0);
  // A ward a few hundred metres across is drawn at street-level zoom.
  assert.match(tileRequests[0]!, /^\/1[6-9]\/\d+\/\d+\.png$/);
  await screenshot(page, 'ward-map');
  await page.locator('svg#map circle[data-camera="hk-01/lake"]').click();
  await page.locator('main[data-page="camera"] h1', { hasText: 'Hoàn Kiếm lake north' }).waitFor();
});

test.run();
