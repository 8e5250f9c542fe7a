/** A business shares a camera with the police, the police use it, the owner revokes, the police are denied at once. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONSENT_VERSION } from '../src/sharing/types.ts';
import { smallCity } from './fixtures/small-city.ts';

const SNAP = '/api/v1/events/agent-shop/ev-cam-1/snapshot';

test('grant, use, revoke, denial right after; the agent is told; the audit trail shows it all', async () => {
  const told: Array<{ agentId: string; args: Record<string, unknown> }> = [];
  const city = await smallCity({ notifyAgent: (agentId, args) => told.push({ agentId, args }) });

  // Before: the police cannot see the shop's camera.
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 403);

  // Consent is required, and must be to the current terms.
  const body = { cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeOrgIds: ['police'], levels: ['health', 'events', 'snapshots'], purposes: ['public_order'] };
  assert.is((await city.call('shop-owner', 'POST', '/api/v1/sharing/grants', { ...body, consent: { version: 'old-terms', accepted: true } })).status, 400);
  const created = await city.call('shop-owner', 'POST', '/api/v1/sharing/grants', { ...body, consent: { version: CONSENT_VERSION, accepted: true } });
  assert.is(created.status, 201);
  const grant = (await created.json()) as { id: string; consentVersion: string; consentedAt: string };
  assert.is(grant.consentVersion, CONSENT_VERSION);
  assert.ok(grant.consentedAt);
  assert.equal(told.at(-1), { agentId: 'agent-shop', args: { grantId: grant.id, change: 'granted', levels: ['events', 'health', 'snapshots'], cameras: [{ cameraId: 'cam-1', levels: ['events', 'health', 'snapshots'], grants: [grant.id] }] } });

  // Use: within the grant's purpose only; a camera not in the grant stays hidden.
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 200);
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=traffic`)).status, 403);
  assert.is((await city.call('police', 'GET', '/api/v1/events/agent-shop/ev-cam-2/snapshot?purpose=public_order')).status, 403);
  const list = (await (await city.call('police', 'GET', '/api/v1/cameras')).json()) as { items: Array<{ cameraId: string }> };
  assert.ok(list.items.some((c) => c.cameraId === 'cam-1'));
  assert.not.ok(list.items.some((c) => c.cameraId === 'cam-2'));
  // Another agency is not a grantee; nobody else may revoke.
  assert.is((await city.call('construction', 'GET', `${SNAP}?purpose=urban_order`)).status, 403);
  assert.is((await city.call('admin', 'POST', `/api/v1/sharing/grants/${grant.id}/revoke`)).status, 403);

  // Revoke: effective at once, and the agent is told no level is shared any more.
  const revoked = await city.call('shop-owner', 'POST', `/api/v1/sharing/grants/${grant.id}/revoke`);
  assert.is(revoked.status, 200);
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 403);
  assert.is((await city.call('police', 'GET', '/api/v1/cameras/agent-shop/cam-1')).status, 403);
  assert.equal(told.at(-1), { agentId: 'agent-shop', args: { grantId: grant.id, change: 'revoked', levels: ['events', 'health', 'snapshots'], cameras: [{ cameraId: 'cam-1', levels: [], grants: [] }] } });

  // The owner reads who saw its camera, with what purpose.
  const audit = (await (await city.call('shop-owner', 'GET', '/api/v1/audit')).json()) as { items: Array<{ action: string; actorUsername: string; purpose: string | null }> };
  const actions = audit.items.map((e) => `${e.action}:${e.actorUsername}:${e.purpose ?? ''}`);
  assert.ok(actions.includes('grant.create:shop-owner:'), actions.join(' '));
  assert.ok(actions.includes('grant.revoke:shop-owner:'));
  assert.ok(actions.includes('snapshot.view:police:public_order'));
  // Refused attempts at footage are recorded too: the police tried before the grant and after the revocation.
  const denied = audit.items.filter((e) => e.action === 'view_snapshot' && (e as { outcome?: string }).outcome === 'denied');
  assert.ok(denied.length >= 2, actions.join(' '));
  // …but not the police's views of the ward's cameras.
  assert.ok(audit.items.every((e) => e.action !== 'snapshot.view' || e.purpose === 'public_order'));
  assert.ok((await city.domain.audit.verify()).ok);
});

test('a grant outside its hours or past its end gives nothing', async () => {
  let now = new Date('2026-01-10T03:00:00Z'); // 10:00 in Hanoi
  const city = await smallCity({ now: () => now });
  const res = await city.call('shop-owner', 'POST', '/api/v1/sharing/grants', {
    cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeKinds: ['police'], levels: ['health', 'snapshots'],
    hours: { from: 8, to: 18 }, validUntil: '2026-01-11T00:00:00Z', consent: { version: CONSENT_VERSION, accepted: true },
  });
  assert.is(res.status, 201);
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 200);
  now = new Date('2026-01-10T13:00:00Z'); // 20:00 in Hanoi
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 403);
  now = new Date('2026-01-11T03:00:00Z'); // next day, 10:00, after validUntil
  assert.is((await city.call('police', 'GET', `${SNAP}?purpose=public_order`)).status, 403);
});

test('an owner cannot share a camera it does not own', async () => {
  const city = await smallCity();
  const res = await city.call('shop-owner', 'POST', '/api/v1/sharing/grants', { cameras: [{ agentId: 'agent-a', cameraId: 'cam-a' }], granteeOrgIds: ['police'], levels: ['clips'], consent: { version: CONSENT_VERSION, accepted: true } });
  assert.is(res.status, 403);
});

test.run();
