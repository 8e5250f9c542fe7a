/**
 * Every page of the dashboard renders, in both languages, on a laptop and on a phone: it shows
 * data or says plainly why not (not available yet / not permitted), never a blank or broken page.
 * The browser-side helpers (labels, map geometry) are checked in the browser that runs them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, launchBrowser, screenshot, seedCity, signIn, signInWithToken, startTestAggregator, tokenFor, type TestAggregator } from './harness.ts';

const PAGES = ['overview', 'map', 'cameras', 'alerts', 'inventory', 'audit', 'sharing'];
const SHOWN = ':is(.tiles, .table, .empty, .notice, svg.map, [data-format])';

let env: TestAggregator;
let site: FakeSite;

// A business owner's role reaches every page (overview to audit and sharing), over its own camera.
test.before(async () => {
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  site = await FakeSite.connect(env.agg, 'shop-01', undefined, passwords.get('shop-01'));
  await site.reportCameras([camera('door', 'Shop door', { online: false, problem: 'no RTSP answer' })]);
  await waitFor('cameras stored', () => env.agg.fleet.listCameras().length === 1);
});

test.after(async () => {
  await site?.close();
  await env?.close();
});

test('labels exist in both languages, key for key', async () => {
  const b = await launchBrowser();
  try {
    await b.page.goto(`${env.url}/`);
    const missing = (await b.page.evaluate(`import('/assets/i18n.js').then(({ _strings: s }) => {
      const vi = Object.keys(s.vi), en = Object.keys(s.en);
      return [...vi.filter((k) => !en.includes(k)).map((k) => 'en:' + k), ...en.filter((k) => !vi.includes(k)).map((k) => 'vi:' + k)];
    })`)) as string[];
    assert.equal(missing, []);
    // Every label the pages ask for exists (a missing key would show as the key itself).
    const used = new Set<string>();
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../aggregator/src/dashboard/public/', import.meta.url);
    const files = [...readdirSync(dir).filter((f) => f.endsWith('.js')), ...readdirSync(new URL('pages/', dir)).map((f) => `pages/${f}`)];
    for (const f of files) for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/\bt\('([a-z0-9]+\.[A-Za-z0-9.-]+)'/g)) used.add(m[1]!);
    const known = (await b.page.evaluate(`import('/assets/i18n.js').then(({ _strings: s }) => Object.keys(s.en))`)) as string[];
    assert.equal([...used].filter((k) => !known.includes(k)), []);
  } finally {
    await b.close();
  }
});

test('map geometry: the projection keeps points inside the box and hulls enclose their points', async () => {
  const b = await launchBrowser();
  try {
    await b.page.goto(`${env.url}/`);
    const r = (await b.page.evaluate(`import('/assets/geo.js').then(({ fitProjection, convexHull }) => {
      const pts = [[105.80, 21.00], [105.86, 21.04], [105.86, 21.00], [105.80, 21.04], [105.83, 21.02]];
      const p = fitProjection(pts, 1000, 700);
      const xy = pts.map(p);
      return { inside: xy.every(([x, y]) => x >= 0 && x <= 1000 && y >= 0 && y <= 700), northUp: xy[3][1] < xy[0][1], hull: convexHull(xy).length };
    })`)) as { inside: boolean; northUp: boolean; hull: number };
    assert.ok(r.inside);
    assert.ok(r.northUp, 'north is up');
    assert.is(r.hull, 4);
  } finally {
    await b.close();
  }
});

test('an API token from the CLI signs in too, as its user', async () => {
  const b = await launchBrowser();
  try {
    await signInWithToken(b.page, env.url, tokenFor(env.agg, 'ward.hoankiem'));
    await b.page.locator('#whoami', { hasText: 'ward.hoankiem' }).waitFor();
    assert.is(await b.page.locator('nav a[data-page="sharing"]').count(), 0, 'a ward officer has no sharing page');
  } finally {
    await b.close();
  }
});

test('the health chart draws bands for online and recording and a line for frames per second', async () => {
  const b = await launchBrowser();
  try {
    await b.page.goto(`${env.url}/`);
    const r = (await b.page.evaluate(`import('/assets/chart.js').then(({ healthChart }) => {
      const t0 = Date.parse('2026-11-22T00:00:00Z');
      const samples = [0, 1, 2, 3].map((i) => ({ at: new Date(t0 + i * 60000).toISOString(), online: i !== 2, recording: i < 2, fps: i === 2 ? 0 : 10 }));
      const svg = healthChart(samples, { title: 'h', online: 'online', recording: 'rec', fps: 'fps' }, 'en-GB');
      return { on: svg.querySelectorAll('rect.band-on').length, off: svg.querySelectorAll('rect.band-off').length, line: svg.querySelector('polyline').getAttribute('points').split(' ').length };
    })`)) as { on: number; off: number; line: number };
    assert.equal(r, { on: 3 + 2, off: 1 + 2, line: 4 });
  } finally {
    await b.close();
  }
});

for (const [device, viewport] of [['laptop', { width: 1366, height: 850 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`every page renders on a ${device}, in English and Vietnamese`, async () => {
    const b = await launchBrowser({ viewport, isMobile: device === 'phone' });
    try {
      const { page } = b;
      await signIn(page, env.url, 'owner.phothin');
      if (device === 'laptop') assert.equal(await page.locator('nav a').evaluateAll((a) => a.map((x) => x.getAttribute('data-page'))), PAGES);
      for (const lang of ['en', 'vi']) {
        if (lang === 'vi') await page.locator('#lang').click();
        // Every page in English; a few in Vietnamese (the key-parity test covers every label).
        for (const name of lang === 'en' ? PAGES : ['overview', 'cameras', 'sharing']) {
          await page.goto(`${env.url}/#/${name}`);
          await page.locator(`main[data-page="${name}"] ${SHOWN}`).first().waitFor();
          await waitFor(`${name} to finish loading`, async () => (await page.locator('main .loading').count()) === 0);
          const errors = await page.locator('main [data-state="error"]').allTextContents();
          assert.equal(errors, [], `${name} shows no error`);
          const text = (await page.locator('main').innerText()) ?? '';
          assert.not.match(text, /\b(undefined|null|false|NaN)\b|\[object Object\]/, `${name} shows no programming leftovers`);
          if (device === 'phone') {
            const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
            assert.ok(overflow <= 1, `${name} does not scroll sideways on a phone (${overflow}px)`);
          }
          if (lang === 'en' || name === 'overview') await screenshot(page, `${device}-${name}-${lang}`);
        }
      }
      if (device === 'phone') {
        await page.locator('#menu-toggle').click();
        await page.locator('nav.open a[data-page="cameras"]').click();
        await page.locator('main[data-page="cameras"] tr[data-camera]').first().waitFor();
        await screenshot(page, 'phone-cameras-vi');
      }
    } finally {
      await b.close();
    }
  });
}

test.run();
