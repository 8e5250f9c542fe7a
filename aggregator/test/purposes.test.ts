/**
 * Hole 6 of issue 13: purposes are not free text. A stated purpose must be one of the city's
 * controlled list (the `purposes` table, served at /api/v1/purposes), one of the user's
 * organisation's purposes, and one the camera serves (or, through a grant, one the grant allows).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONSENT_VERSION } from '../src/sharing/types.ts';
import { smallCity } from './fixtures/small-city.ts';

const snap = (agent: string, cam: string, purpose: string) => `/api/v1/events/${agent}/ev-${cam}/snapshot?purpose=${encodeURIComponent(purpose)}`;

test('a free-text purpose is refused, even on your own camera, and not recorded as a served view', async () => {
  const city = await smallCity();
  const res = await city.call('ward-a', 'GET', snap('agent-a', 'cam-a', 'watching my neighbour'));
  assert.is(res.status, 403, await res.text());
  assert.is((await city.call('shop-owner', 'GET', snap('agent-shop', 'cam-1', 'curiosity'))).status, 403);
  const views = await city.domain.audit.query({ action: 'snapshot.view', limit: 10 });
  assert.equal(views.map((e) => e.purpose), [], 'no view was served under a free-text purpose');
  const denied = (await city.domain.audit.query({ action: 'view_snapshot', limit: 10 })).filter((e) => e.outcome === 'denied');
  assert.ok(denied.some((e) => e.actorUsername === 'ward-a' && e.purpose === null && e.detail.reason === 'unknown-purpose' && e.detail.statedPurpose === 'watching my neighbour'), 'the refused attempt is recorded, the free text only as evidence');
  // The controlled purpose the camera serves works.
  assert.is((await city.call('ward-a', 'GET', snap('agent-a', 'cam-a', 'public_order'))).status, 200);
});

test("the purpose must be one the camera serves, and one of the organisation's", async () => {
  const city = await smallCity();
  // The police may state 'traffic', but camera A serves public order only.
  assert.is((await city.call('police', 'GET', snap('agent-a', 'cam-a', 'traffic'))).status, 403);
  assert.is((await city.call('police', 'GET', snap('agent-a', 'cam-a', 'public_order'))).status, 200);
  // A known purpose outside the police's function.
  assert.is((await city.call('police', 'GET', snap('agent-a', 'cam-a', 'defence'))).status, 403);
  // The shop's own camera is for premises security, not defence.
  assert.is((await city.call('shop-owner', 'GET', snap('agent-shop', 'cam-1', 'defence'))).status, 403);
  assert.is((await city.call('shop-owner', 'GET', snap('agent-shop', 'cam-1', 'business_security'))).status, 200);
});

test("through a grant: the grant's purposes, and within the grantee's own", async () => {
  const city = await smallCity();
  const body = { cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeOrgIds: ['police'], levels: ['health', 'events', 'snapshots'], purposes: [], consent: { version: CONSENT_VERSION, accepted: true } };
  assert.is((await city.call('shop-owner', 'POST', '/api/v1/sharing/grants', body)).status, 201);
  // A grant open to any purpose still does not open free text, nor purposes outside the police's function.
  assert.is((await city.call('police', 'GET', snap('agent-shop', 'cam-1', 'just looking'))).status, 403);
  assert.is((await city.call('police', 'GET', snap('agent-shop', 'cam-1', 'defence'))).status, 403);
  assert.is((await city.call('police', 'GET', snap('agent-shop', 'cam-1', 'public_order'))).status, 200);
});

test('footage commands follow the same rule', async () => {
  const city = await smallCity();
  const cmd = { name: 'clip.request', args: { cameraId: 'cam-a', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:01:00Z' } };
  assert.is((await city.call('ward-a', 'POST', '/api/v1/agents/agent-a/commands?purpose=because', cmd)).status, 403);
  assert.is((await city.call('ward-a', 'POST', '/api/v1/agents/agent-a/commands?purpose=public_order', cmd)).status, 202);
});

test.run();
