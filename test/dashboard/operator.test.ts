/**
 * An operator of the city's operations centre signs in, sees the state cameras of the city (not a
 * business's unshared camera), and watches a camera go offline live, without reloading, when its
 * site reports it through the broker; then opens a camera, switches language and logs out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, probeRecord, launchBrowser, screenshot, seedCity, signIn, startTestAggregator, testJpeg, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let browser: TestBrowser;
const sites: FakeSite[] = [];
let hk: FakeSite;

const HK_CAMERAS = (gateOnline: boolean) => [
  camera('gate', 'Ward office gate', { online: gateOnline, problem: gateOnline ? undefined : 'RTSP: connection refused', verdict: 'pass' }),
  camera('lake', 'Hoàn Kiếm lake north', { verdict: 'warn' }),
  camera('yard', 'Yard', { online: true, recording: false, problem: 'disk full', verdict: 'fail' }),
];

test.before(async () => {
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  hk = await FakeSite.connect(env.agg, 'hk-01', undefined, passwords.get('hk-01'));
  const bd = await FakeSite.connect(env.agg, 'bd-01', undefined, passwords.get('bd-01'));
  const shop = await FakeSite.connect(env.agg, 'shop-01', undefined, passwords.get('shop-01'));
  sites.push(hk, bd, shop);
  await hk.reportCameras(HK_CAMERAS(true));
  await bd.reportCameras([camera('square', 'Ba Đình square', { verdict: 'pass', record: probeRecord('Hikvision', 'DS-2CD2143G2-I', 'V5.7.3') })]);
  await shop.reportCameras([camera('door', 'Shop door', { verdict: 'pass' })]);
  await bd.send('event', {
    eventId: 'ev-1', kind: 'object', cameraId: 'square', startedAt: new Date().toISOString(),
    data: { label: 'motorbike', score: 0.87 }, snapshotJpegBase64: testJpeg().toString('base64'),
  });
  await waitFor('reports stored', () => env.agg.fleet.listCameras().filter((c) => c.online).length === 5);
  await waitFor('the event stored', () => env.agg.domain.events.events({ agentId: 'bd-01' }).length === 1);
  // Three health samples a minute apart; recording stopped in the last one.
  for (const [i, recording] of [true, true, false].entries()) {
    const sampledAt = new Date(Date.now() - (3 - i) * 60_000).toISOString();
    await bd.send('health', { sampledAt, cameras: [{ cameraId: 'square', online: true, recording, fps: recording ? 10 : 0 }] });
  }
  await waitFor('health stored', () => env.agg.domain.events.healthSamples({ agentId: 'bd-01' }).length === 3);
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
  for (const s of sites) await s.close().catch(() => {});
  await env?.close();
});

test('the dashboard shell and its assets come from the aggregator, with a strict CSP', async () => {
  const res = await fetch(`${env.url}/`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', "default-src 'self'");
  assert.match(await res.text(), '/assets/app.js');
  assert.is((await fetch(`${env.url}/assets/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.is((await fetch(`${env.url}/api/v1/stream`)).status, 401, 'the live stream needs a token');
});

test('a wrong password is refused with a clear message', async () => {
  const { page } = browser;
  await page.goto(`${env.url}/#/login`);
  await page.locator('#username').fill('op.nguyen');
  await page.locator('#password').fill('not the password');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#login-error:not([hidden])').waitFor();
  assert.match((await page.locator('#login-error').textContent()) ?? '', /wrong|sai/i);
});

test('an operator signs in and sees the state cameras of the city', async () => {
  const { page } = browser;
  await signIn(page, env.url, 'op.nguyen');
  const tile = (kind: string) => page.locator(`main[data-page="overview"] [data-tile="${kind}"] .tile-value`);
  await page.locator('#live[data-state="live"]').waitFor();
  assert.is(await tile('total').textContent(), '4', "the business's unshared camera is not counted");
  assert.is(await tile('online').textContent(), '4');
  assert.is(await tile('not-recording').textContent(), '1');
  assert.is(await tile('non-conformant').textContent(), '1');
  assert.is(await page.locator('tr[data-group]').count(), 2, 'two wards');
  await screenshot(page, 'overview');

  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
  assert.equal(await page.locator('tr[data-camera]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-camera')).sort()), ['bd-01/square', 'hk-01/gate', 'hk-01/lake', 'hk-01/yard']);
  await page.locator('#camera-search').fill('lake');
  await page.locator('#camera-count', { hasText: /^1 / }).waitFor();
  assert.is(await page.locator('tr[data-camera] .camera-link').textContent(), 'Hoàn Kiếm lake north');
  await page.locator('#camera-search').fill('');
  await page.locator('#state-filter').selectOption('not-recording');
  assert.is(await page.locator('tr[data-camera]').count(), 1);
  await page.locator('#state-filter').selectOption('');
  // The area filter takes an area and everything under it (the area tree is data).
  await page.locator('#area-filter').selectOption('ba-dinh');
  assert.equal(await page.locator('tr[data-camera]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-camera'))), ['bd-01/square']);
  await page.locator('#area-filter').selectOption('hanoi');
  assert.is(await page.locator('tr[data-camera]').count(), 4);
  await page.locator('#area-filter').selectOption('');
  await screenshot(page, 'cameras');
});

test('the alert list shows the non-conformant camera', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="alerts"]').click();
  await page.locator('#alerts tr[data-kind="non_conformant"]').waitFor();
  assert.match((await page.locator('#alerts tr[data-kind="non_conformant"]').textContent()) ?? '', 'yard');
  await screenshot(page, 'alerts');
  // Taking it in hand: the button gives way to who acknowledged it, and the server recorded it.
  const row = page.locator('#alerts tr[data-kind="non_conformant"]');
  await row.locator('button.ack').click();
  await waitFor('acknowledged on the page', async () => /op\.nguyen/.test((await row.textContent()) ?? ''));
  assert.is(await row.locator('button.ack').count(), 0);
  const stored = env.agg.domain.alertStore.list({ state: 'active', limit: 100 }).find((a) => a.kind === 'non_conformant');
  assert.is(stored?.acknowledgedBy, 'op.nguyen');
  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
});

test('the inventory export downloads a CSV of the cameras in scope', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="inventory"]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-format="csv"]').click()]);
  assert.is(download.suggestedFilename(), 'camfleet-inventory.csv');
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  assert.is(lines.length, 1 + 4, 'a header and the four cameras the operator may see');
  assert.not.match(lines.join('\n'), 'Shop door');
  await page.locator('#export-result .notice.ok').waitFor();
  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
});

test('a camera that stops turns offline on the open page without a reload', async () => {
  const { page } = browser;
  await page.evaluate('window.__noReload = true');
  const row = page.locator('tr[data-camera="hk-01/gate"]');
  assert.is(await row.getAttribute('data-state'), 'ok');
  // The site reports the gate camera's stream gone, as an agent does when RTSP stops answering.
  await hk.reportCameras(HK_CAMERAS(false));
  await page.locator('tr[data-camera="hk-01/gate"][data-state="offline"]').waitFor();
  assert.is(await page.evaluate('window.__noReload'), true, 'the page was not reloaded');
  await screenshot(page, 'cameras-live-offline');

  // The whole site drops off: every camera behind it goes offline on the overview.
  await page.locator('nav a[data-page="overview"]').click();
  await page.locator('main[data-page="overview"] [data-tile="offline"] .tile-value', { hasText: /^1$/ }).waitFor();
  await hk.close();
  await page.locator('main[data-page="overview"] [data-tile="offline"] .tile-value', { hasText: /^3$/ }).waitFor();
});

test('a camera page shows what an operator may see, says which parts the server does not offer, and offers no footage', async () => {
  const { page } = browser;
  await page.locator('nav a[data-page="cameras"]').click();
  await page.locator('tr[data-camera="bd-01/square"] .camera-link').click();
  await page.locator('main[data-page="camera"] h1', { hasText: 'Ba Đình square' }).waitFor();
  assert.is(await page.locator('.head-badges [data-state]').getAttribute('data-state'), 'ok');
  // Each part either shows data or a labelled state; never an empty or broken page.
  for (const part of ['#health', '#events']) {
    await page.locator(`${part} :is(.chart, .snapshots, .table, .empty, .notice)`).first().waitFor();
  }
  // The probe's record and the conformance result, rule by rule.
  assert.match((await page.locator('main dl.record').nth(1).textContent()) ?? '', 'DS-2CD2143G2-I');
  assert.match((await page.locator('main dl.record').nth(1).textContent()) ?? '', 'V5.7.3');
  assert.is(await page.locator('tr[data-rule="codec"] [data-conformance="pass"]').count(), 1);
  // Health over time: online throughout, recording in two samples of three, and the fps line.
  const chart = page.locator('#health svg.chart');
  assert.is(await chart.locator('rect.band-on').count(), 3 + 2);
  assert.is(await chart.locator('rect.band-off').count(), 1);
  assert.is(await chart.locator('polyline').count(), 1);
  assert.is(await page.locator('main [data-state="error"]').count(), 0);
  // The operator role has no clip permissions: the page offers neither clips nor a clip request.
  assert.is(await page.locator('#clips, #clip-request').count(), 0);
  // The recent event is listed; its snapshot shows once the operator states a purpose.
  const event = page.locator('#events figure[data-event="ev-1"]');
  // Events read as a sentence in the page's language, with the class and the score.
  assert.match((await event.textContent()) ?? '', /motorbike.*\(87 %\)/);
  assert.is(await event.locator('img').count(), 0, 'no snapshot without a purpose');
  await page.locator('#purpose').selectOption('public_order');
  await waitFor('the snapshot decoded', async () => ((await page.locator('#events figure[data-event="ev-1"] img').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth).catch(() => 0)) as number) === 160);
  const views = (await env.agg.domain.audit.query({ action: 'snapshot.view', limit: 5 })) as Array<{ actorUsername: string | null; purpose: string | null }>;
  assert.ok(views.some((v) => v.actorUsername === 'op.nguyen' && v.purpose === 'public_order'), 'the snapshot viewing is audited with its purpose');
  assert.not.match(await page.locator('main').innerText(), /\b(undefined|null|false|NaN)\b|\[object Object\]/);
  await screenshot(page, 'camera');
});

test('the language switch turns the labels Vietnamese', async () => {
  const { page } = browser;
  await page.locator('#lang').click();
  await page.locator('nav a[data-page="overview"]', { hasText: 'Tổng quan' }).waitFor();
  assert.is(await page.locator('html').getAttribute('lang'), 'vi');
  await page.locator('nav a[data-page="overview"]').click();
  await page.locator('main[data-page="overview"] .tiles').waitFor();
  await screenshot(page, 'overview-vi');
  await page.locator('#lang').click();
  await page.locator('nav a[data-page="overview"]', { hasText: 'Overview' }).waitFor();
});

test('logging out ends the session on the server and forgets the token', async () => {
  const { page } = browser;
  const token = (await page.evaluate("JSON.parse(sessionStorage.getItem('camfleet.session')).token")) as string;
  await page.locator('#logout').click();
  await page.locator('#login-form').waitFor();
  assert.is(await page.evaluate("sessionStorage.getItem('camfleet.session')"), null);
  const res = await fetch(`${env.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(res.status, 401, 'the old token no longer works');
});

test.run();
