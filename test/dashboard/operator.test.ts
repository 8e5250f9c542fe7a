/**
 * An operator signs in, sees the fleet, and watches a camera go offline live (no reload) when
 * its site reports it through the broker.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, launchBrowser, screenshot, signInWithToken, startTestAggregator, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let browser: TestBrowser;
let site: FakeSite;

test.before(async () => {
  env = await startTestAggregator();
  site = await FakeSite.connect(env.agg, 'ward-hoan-kiem-01', 'Hoàn Kiếm ward office');
  await site.reportCameras([
    camera('gate', 'Main gate', { verdict: 'pass' }),
    camera('lobby', 'Lobby', { verdict: 'warn' }),
    camera('yard', 'Yard', { online: true, recording: false, problem: 'disk full', verdict: 'fail' }),
  ]);
  await waitFor('the site\'s cameras in the fleet store', () => env.agg.fleet.listCameras().length === 3);
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
  await site?.close();
  await env?.close();
});

test('the dashboard shell and its assets come from the aggregator, with a strict CSP', async () => {
  const res = await fetch(`${env.url}/`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', "default-src 'self'");
  assert.match(await res.text(), '/assets/app.js');
  assert.is((await fetch(`${env.url}/assets/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.is((await fetch(`${env.url}/assets/..%2f..%2fserver.ts`)).status, 404);
  assert.is((await fetch(`${env.url}/api/v1/stream`)).status, 401, 'the live stream needs a token');
});

test('an operator signs in and sees the fleet', async () => {
  const operator = env.agg.users.create('op.nguyen', 'correct horse battery', 'operator');
  const token = env.agg.users.issueToken(operator.id, 'browser test');
  const { page } = browser;
  await signInWithToken(page, env.url, token);
  const tile = (kind: string) => page.locator(`[data-tile="${kind}"] .tile-value`);
  await page.locator('#live[data-state="live"]').waitFor();
  assert.is(await tile('total').textContent(), '3');
  assert.is(await tile('online').textContent(), '3');
  assert.is(await tile('not-recording').textContent(), '1');
  assert.is(await tile('non-conformant').textContent(), '1');
  await screenshot(page, 'overview');

  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
  assert.is(await page.locator('tr[data-camera]').count(), 3);
  await page.locator('#camera-search').fill('yard');
  await page.locator('#camera-count', { hasText: '1' }).waitFor();
  assert.is(await page.locator('tr[data-camera] .camera-link').textContent(), 'Yard');
  await page.locator('#camera-search').fill('');
  await page.locator('#state-filter').selectOption('not-recording');
  assert.is(await page.locator('tr[data-camera]').count(), 1);
  await page.locator('#state-filter').selectOption('');
  await screenshot(page, 'cameras');
});

test('a camera that stops turns offline on the open page without a reload', async () => {
  const { page } = browser;
  await page.evaluate('window.__noReload = true');
  const row = page.locator('tr[data-camera="ward-hoan-kiem-01/gate"]');
  assert.is(await row.getAttribute('data-state'), 'ok');
  // The site reports the gate camera's stream gone, as an agent does when RTSP stops answering.
  await site.reportCameras([
    camera('gate', 'Main gate', { online: false, problem: 'RTSP: connection refused', verdict: 'pass' }),
    camera('lobby', 'Lobby', { verdict: 'warn' }),
    camera('yard', 'Yard', { online: true, recording: false, problem: 'disk full', verdict: 'fail' }),
  ]);
  await page.locator('tr[data-camera="ward-hoan-kiem-01/gate"][data-state="offline"]').waitFor();
  assert.is(await page.evaluate('window.__noReload'), true, 'the page was not reloaded');
  await screenshot(page, 'cameras-live-offline');

  // The whole site drops off: every camera behind it goes offline on the overview.
  await page.locator('nav a[data-page="overview"]').click();
  await page.locator('main[data-page="overview"] [data-tile="offline"] .tile-value', { hasText: '1' }).waitFor();
  await site.close();
  await page.locator('[data-tile="offline"] .tile-value', { hasText: '3' }).waitFor();
});

test('a camera page shows the camera and says plainly which parts the server does not offer yet', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('tr[data-camera="ward-hoan-kiem-01/yard"] .camera-link').click();
  await page.locator('main[data-page="camera"] h1', { hasText: 'Yard' }).waitFor();
  assert.is(await page.locator('.head-badges [data-state]').getAttribute('data-state'), 'offline', 'its site dropped off in the test before');
  // Each part either shows data or a labelled state; never an empty or broken page.
  for (const part of ['#health', '#events', '#clips']) {
    await page.locator(`${part} :is(.chart, .snapshots, .table, .empty, .notice)`).first().waitFor();
  }
  await screenshot(page, 'camera');
});

test('the language switch turns the labels Vietnamese', async () => {
  const { page } = browser;
  await page.locator('#lang').click();
  await page.locator('nav a[data-page="overview"]', { hasText: 'Tổng quan' }).waitFor();
  assert.is(await page.locator('html').getAttribute('lang'), 'vi');
  await screenshot(page, 'overview-vi');
  await page.locator('#lang').click();
  await page.locator('nav a[data-page="overview"]', { hasText: 'Overview' }).waitFor();
});

test('logging out returns to the sign-in page and forgets the token', async () => {
  const { page } = browser;
  await page.locator('#logout').click();
  await page.locator('#login-form').waitFor();
  assert.is(await page.evaluate("sessionStorage.getItem('camfleet.session')"), null);
});

test.run();
