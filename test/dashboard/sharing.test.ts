/**
 * A business owner shares a camera with the city police from their sharing page, the police see
 * it, the owner revokes the grant, and the police lose it at once, in the browser and in the API.
 * The owner's access log shows the grant and the revocation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait.ts';
import { FakeSite, camera, launchBrowser, screenshot, seedCity, signIn, startTestAggregator, tokenFor, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let owner: TestBrowser;
let police: TestBrowser;
const sites: FakeSite[] = [];

test.before(async () => {
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  for (const id of ['hk-01', 'shop-01']) sites.push(await FakeSite.connect(env.agg, id, undefined, passwords.get(id)));
  await sites[0]!.reportCameras([camera('gate', 'Ward office gate', { verdict: 'pass' })]);
  await sites[1]!.reportCameras([camera('door', 'Shop door', { verdict: 'pass' })]);
  await waitFor('reports stored', () => env.agg.fleet.listCameras().length === 2);
  owner = await launchBrowser();
  police = await launchBrowser();
});

test.after(async () => {
  await owner?.close();
  await police?.close();
  for (const s of sites) await s.close().catch(() => {});
  await env?.close();
});

async function policeCameras(): Promise<string[]> {
  const { page } = police;
  await page.goto(`${env.url}/#/cameras`);
  await page.reload(); // a fresh read, as an officer opening the page would get
  await page.locator('main[data-page="cameras"] :is(tr[data-camera], .empty)').first().waitFor();
  return page.locator('tr[data-camera]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-camera')!).sort());
}

test('the owner sees their camera and shares nothing yet', async () => {
  const { page } = owner;
  await signIn(page, env.url, 'owner.phothin');
  await page.locator('nav a[data-page="sharing"]').click();
  await page.locator('#grants .empty').waitFor();
  assert.equal(await page.locator('#my-cameras tr[data-camera]').evaluateAll((r) => r.map((x) => x.getAttribute('data-camera'))), ['shop-01/door']);
  await signIn(police.page, env.url, 'police.le');
  assert.not.ok((await policeCameras()).includes('shop-01/door'), 'the police do not see an unshared business camera');
});

test('the owner shares the door camera with the police, with consent', async () => {
  const { page } = owner;
  await page.locator('#grant-cameras input[value="shop-01/door"]').check();
  await page.locator('#grant-org').selectOption('hanoi-police');
  await page.locator('#grant-levels input[value="events"]').check();
  await page.locator('#grant-purposes input[value="public_order"]').check();
  await page.locator('#grant-consent').check();
  await page.locator('#grant-form button[type=submit]').click();
  await page.locator('#grants tr[data-grant][data-revoked="no"]').waitFor();
  const row = (await page.locator('#grants tr[data-grant]').textContent()) ?? '';
  assert.match(row, 'Shop door');
  assert.match(row, 'Hanoi City Police');
  await screenshot(page, 'sharing-granted');
  assert.ok((await policeCameras()).includes('shop-01/door'), 'the police now see the shared camera');
});

test('revoking takes effect at once: the police lose the camera in the page and the API', async () => {
  const { page } = owner;
  page.once('dialog', (d) => void d.accept());
  await page.locator('#grants button.revoke').click();
  await page.locator('#grants tr[data-grant][data-revoked="yes"]').waitFor();
  assert.not.ok((await policeCameras()).includes('shop-01/door'), 'gone from the police dashboard');
  await police.page.goto(`${env.url}/#/cameras/${encodeURIComponent('shop-01/door')}`);
  await police.page.locator('#camera-not-found').waitFor();
  const res = await fetch(`${env.url}/api/v1/cameras/shop-01/door`, { headers: { authorization: `Bearer ${tokenFor(env.agg, 'police.le')}` } });
  assert.ok(res.status === 403 || res.status === 404, `the API refuses the police (${res.status})`);
});

test("the owner's access log shows the grant and its revocation", async () => {
  const { page } = owner;
  await page.reload();
  await page.locator('#access-log tr code').first().waitFor();
  const actions = await page.locator('#access-log tr code').allTextContents();
  assert.ok(actions.includes('grant.create'), actions.join(','));
  assert.ok(actions.includes('grant.revoke'), actions.join(','));
  await screenshot(page, 'sharing-revoked');
});

test.run();
