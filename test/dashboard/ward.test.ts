/**
 * A ward officer sees only their ward: the cameras of Hoàn Kiếm, none of Ba Đình and no
 * business camera that was not shared; a Ba Đình camera's page is simply not there for them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, launchBrowser, screenshot, seedCity, signIn, startTestAggregator, tokenFor, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let browser: TestBrowser;
const sites: FakeSite[] = [];

test.before(async () => {
  env = await startTestAggregator();
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
  const res = await fetch(`${env.url}/api/v1/cameras/bd-01/square`, { headers: { authorization: `Bearer ${tokenFor(env.agg, 'ward.hoankiem')}` } });
  assert.ok(res.status === 403 || res.status === 404, `the API refuses too (${res.status})`);
});

test('the ward map draws its cameras coloured by state, without any map tiles', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="map"]').click();
  await page.locator('svg#map circle[data-camera]').first().waitFor();
  assert.equal(await page.locator('svg#map circle').evaluateAll((dots) => dots.map((d) => `${d.getAttribute('data-camera')}:${d.getAttribute('data-state')}`).sort()), [
    'hk-01/gate:ok',
    'hk-01/lake:offline',
    'hk-01/yard:ok',
  ]);
  assert.ok((await page.locator('svg#map path.area').count()) >= 1, 'the ward is outlined');
  await screenshot(page, 'ward-map');
  await page.locator('svg#map circle[data-camera="hk-01/lake"]').click();
  await page.locator('main[data-page="camera"] h1', { hasText: 'Hoàn Kiếm lake north' }).waitFor();
});

test.run();
