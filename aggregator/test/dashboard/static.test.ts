/** The dashboard's static files: only the public folder, only known types, never a path outside it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { PUBLIC_DIR, assetFile, createDashboardApp, isDashboardPath } from '../../src/dashboard/static.ts';
import { DashboardConfigSchema } from '../../src/dashboard/config.ts';

test('asset paths map into the public folder', () => {
  assert.is(assetFile('/assets/app.js'), join(PUBLIC_DIR, 'app.js'));
  assert.is(assetFile('/assets/pages/overview.js'), join(PUBLIC_DIR, 'pages/overview.js'));
});

test('paths that climb out, carry NUL bytes or name unknown types are refused', () => {
  for (const bad of ['/assets/../static.ts', '/assets/..%2fstatic.ts', '/assets/%2e%2e/%2e%2e/package.json', '/assets/app.js%00.css', '/assets/%E0%A4%A', '/assets/secret.env', '/assets/pages/../../stream.ts']) {
    assert.is(assetFile(bad), undefined, bad);
  }
});

test('the shell is served uncached with a same-origin content security policy', async () => {
  const app = createDashboardApp();
  const res = await app.request('/');
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'no-store');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, "default-src 'self'");
  assert.match(csp, "frame-ancestors 'none'");
  assert.not.match(csp, 'unsafe-inline');
  const html = await res.text();
  // Everything the page loads comes from the aggregator itself.
  assert.not.match(html, /(src|href)="(https?:)?\/\//);
});

test('an asset is served with its type; a missing one is a 404', async () => {
  const app = createDashboardApp();
  const css = await app.request('/assets/style.css');
  assert.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.is(css.headers.get('x-content-type-options'), 'nosniff');
  assert.is((await app.request('/assets/nope.js')).status, 404);
});

test('the dashboard answers its own paths and leaves /api to the API', () => {
  assert.ok(isDashboardPath('/'));
  assert.ok(isDashboardPath('/assets/app.js'));
  assert.not.ok(isDashboardPath('/api/v1/fleet'));
  assert.not.ok(isDashboardPath('/metrics'));
});

test('map tiles are optional; when configured, the page learns the URL and the CSP allows that origin only', async () => {
  const none = await createDashboardApp().request('/dashboard-config.json');
  assert.equal(await none.json(), { mapTiles: null });
  const config = DashboardConfigSchema.parse({ mapTiles: { url: 'https://tiles.dc.hanoi.local:8443/{z}/{x}/{y}.png' } });
  const app = createDashboardApp(config);
  const res = await app.request('/dashboard-config.json');
  assert.equal(await res.json(), { mapTiles: { url: 'https://tiles.dc.hanoi.local:8443/{z}/{x}/{y}.png', attribution: '', maxZoom: 19 } });
  assert.match(res.headers.get('content-security-policy') ?? '', "img-src 'self' blob: data: https://tiles.dc.hanoi.local:8443;");
});

test('a tile URL must be an http(s) template without credentials', () => {
  for (const url of ['ftp://x/{z}/{x}/{y}', 'https://x/tiles.png', 'https://user:pw@x/{z}/{x}/{y}.png', 'javascript:alert(1)//{z}{x}{y}']) {
    assert.not.ok(DashboardConfigSchema.safeParse({ mapTiles: { url } }).success, url);
  }
});

test.run();
