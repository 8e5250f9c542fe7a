/**
 * Hole 1 of issue 13, and its "done when": every look at footage is attributable.
 * - every served clip-video response is audited whatever its Range header; repeats by one user of
 *   one clip within a window collapse into one entry, keyed on (user, clip), never on the range;
 * - successful snapshot and clip.request commands are audited with purpose, rule and grant;
 * - a footage command whose args.cameraId is not a string is refused;
 * - a business owner reads, through the API, every snapshot and clip of its cameras by anyone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clipRoutes } from '../src/dashboard/clip-routes.ts';
import type { ClipRow } from '../src/clips/clips.ts';
import { CONSENT_VERSION } from '../src/sharing/types.ts';
import { makeMessage } from '@camfleet/shared';
import { tempDir } from '../../test/support/tmp.ts';
import { smallCity } from './fixtures/small-city.ts';

/** A clip store with complete clips of the given cameras, each a real file on disk. */
function fakeClips(dir: string, clips: Array<{ agentId: string; cameraId: string; clipId: string }>) {
  const rows = new Map<string, ClipRow>();
  for (const c of clips) {
    const file = join(dir, `${c.clipId}.mp4`);
    writeFileSync(file, Buffer.alloc(1000, 7));
    rows.set(`${c.agentId}/${c.clipId}`, {
      ...c, from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z', bytes: 1000, sha256: 'f'.repeat(64), chunkBytes: 1000, chunks: 1,
      segmentHashes: [], reason: null, commandId: null, eventId: null, state: 'complete', receivedChunks: 1, path: file, error: null,
      offeredAt: '2026-01-01T00:00:11Z', completedAt: '2026-01-01T00:00:12Z',
    });
  }
  return {
    get: (agentId: string, clipId: string) => rows.get(`${agentId}/${clipId}`),
    list: ({ agentId, cameraId }: { agentId?: string; cameraId?: string }) => [...rows.values()].filter((r) => r.agentId === agentId && r.cameraId === cameraId),
    filePath: (r: ClipRow) => r.path ?? undefined,
  };
}

const RANGES: Array<string | undefined> = ['bytes=1-', 'bytes=-999', 'bytes=00-', 'bytes=abc', 'bytes=0-0,2-999', undefined, 'bytes=500-'];

test('every served clip response is audited, whatever the Range header', async () => {
  const dir = tempDir();
  const clips = RANGES.map((_, i) => ({ agentId: 'agent-a', cameraId: 'cam-a', clipId: `clip-${i}` }));
  const c2 = await smallCityWithClips(clips);
  try {
    for (const [i, range] of RANGES.entries()) {
      const res = await c2.city.call('ward-a', 'GET', `/api/v1/clips/agent-a/clip-${i}/video?purpose=public_order`, undefined, range ? { range } : {});
      assert.ok(res.status === 200 || res.status === 206, `${range}: ${res.status}`);
      assert.ok((await res.arrayBuffer()).byteLength > 0, `${range}: footage served`);
    }
    const views = await c2.city.domain.audit.query({ action: 'clip.view', limit: 100 });
    const audited = new Set(views.map((v) => v.detail.clipId));
    for (const [i, range] of RANGES.entries()) assert.ok(audited.has(`clip-${i}`), `a view with Range ${range ?? '(none)'} is in the audit trail`);
    assert.ok(views.every((v) => v.actorUsername === 'ward-a' && v.purpose === 'public_order'));
  } finally {
    c2.cleanup();
  }
});

test('repeats by one user of one clip collapse within the window, never keyed on the range; other users and later views are recorded', async () => {
  const c = await smallCityWithClips([{ agentId: 'agent-a', cameraId: 'cam-a', clipId: 'clip-x' }]);
  try {
    const get = (who: string, range?: string) => c.city.call(who, 'GET', '/api/v1/clips/agent-a/clip-x/video?purpose=public_order', undefined, range ? { range } : {});
    const count = async () => (await c.city.domain.audit.query({ action: 'clip.view', limit: 100 })).length;
    assert.is((await get('ward-a', 'bytes=0-')).status, 206);
    assert.is((await get('ward-a', 'bytes=0-')).status, 206);
    assert.is((await get('ward-a', 'bytes=1-')).status, 206);
    assert.is((await get('ward-a')).status, 200);
    assert.is(await count(), 1, 'one viewing, one entry');
    assert.is((await get('police', 'bytes=400-')).status, 206);
    assert.is(await count(), 2, 'another user is another entry');
    assert.is((await c.city.call('ward-a', 'GET', '/api/v1/clips/agent-a/clip-x/video?purpose=traffic')).status, 403, 'cam-a serves public order only');
    c.advance(61_000);
    assert.is((await get('ward-a', 'bytes=700-')).status, 206);
    assert.is(await count(), 3, 'after the window, the same user is recorded again');
  } finally {
    c.cleanup();
  }
});

test('snapshot and clip.request commands are audited with purpose, rule and grant; malformed ones are refused', async () => {
  const c = await smallCityWithClips([]);
  try {
    const snap = await c.city.call('ward-a', 'POST', '/api/v1/agents/agent-a/commands?purpose=public_order', { name: 'snapshot', args: { cameraId: 'cam-a' } });
    assert.is(snap.status, 202, await snap.clone().text());
    const snapId = ((await snap.json()) as { commandId: string }).commandId;
    const clip = await c.city.call('police', 'POST', '/api/v1/agents/agent-a/commands?purpose=public_order', { name: 'clip.request', args: { cameraId: 'cam-a', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:01:00Z' } });
    assert.is(clip.status, 202);
    const entries = await c.city.domain.audit.query({ limit: 100 });
    const s = entries.find((e) => e.action === 'snapshot.request');
    assert.ok(s, 'snapshot command audited');
    assert.is(s!.actorUsername, 'ward-a');
    assert.is(s!.purpose, 'public_order');
    assert.is(s!.resourceId, 'agent-a/cam-a');
    assert.is(s!.detail.commandId, snapId);
    assert.is(s!.detail.via, 'ownership');
    const r = entries.find((e) => e.action === 'clip.request');
    assert.ok(r, 'clip.request audited');
    assert.is(r!.actorUsername, 'police');
    assert.is(r!.detail.via, 'function');
    assert.is(r!.detail.from, '2026-01-01T00:00:00Z');

    // Malformed footage commands: refused, not downgraded to an agent-level check (tech-a manages agent-a's site).
    for (const args of [{ cameraId: 42 }, { cameraId: ['cam-a'] }, {}, { cameraId: '' }]) {
      for (const name of ['snapshot', 'clip.request']) {
        const res = await c.city.call('tech-a', 'POST', '/api/v1/agents/agent-a/commands?purpose=public_order', { name, args });
        assert.ok(res.status === 400 || res.status === 403, `${name} ${JSON.stringify(args)}: ${res.status}`);
        const own = await c.city.call('ward-a', 'POST', '/api/v1/agents/agent-a/commands?purpose=public_order', { name, args });
        assert.is(own.status, 400, `${name} ${JSON.stringify(args)} by a permitted user: ${own.status}`);
      }
    }
    const sent = c.city.db.prepare("SELECT COUNT(*) AS n FROM agent_commands WHERE name IN ('snapshot', 'clip.request')").get() as { n: number };
    assert.is(sent.n, 2, 'only the two well-formed commands were sent');
  } finally {
    c.cleanup();
  }
});

test("done when: a business owner sees in its audit every snapshot and clip of its cameras by anyone", async () => {
  const c = await smallCityWithClips([{ agentId: 'agent-shop', cameraId: 'cam-1', clipId: 'shop-clip' }]);
  try {
    const grant = { cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeOrgIds: ['police'], levels: ['health', 'events', 'snapshots', 'clips'], purposes: ['public_order'], consent: { version: CONSENT_VERSION, accepted: true } };
    const created = await c.city.call('shop-owner', 'POST', '/api/v1/sharing/grants', grant);
    assert.is(created.status, 201);
    const grantId = ((await created.json()) as { id: string }).id;
    const q = '?purpose=public_order';
    assert.is((await c.city.call('police', 'GET', `/api/v1/events/agent-shop/ev-cam-1/snapshot${q}`)).status, 200);
    assert.is((await c.city.call('police', 'POST', `/api/v1/agents/agent-shop/commands${q}`, { name: 'snapshot', args: { cameraId: 'cam-1' } })).status, 202);
    assert.is((await c.city.call('police', 'POST', `/api/v1/agents/agent-shop/commands${q}`, { name: 'clip.request', args: { cameraId: 'cam-1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:01:00Z' } })).status, 202);
    assert.is((await c.city.call('police', 'GET', `/api/v1/clips/agent-shop/shop-clip/video${q}`, undefined, { range: 'bytes=1-' })).status, 206);
    // The owner's own look is there too.
    assert.is((await c.city.call('shop-owner', 'GET', '/api/v1/clips/agent-shop/shop-clip/video?purpose=business_security', undefined, { range: 'bytes=-10' })).status, 206);

    const res = await c.city.call('shop-owner', 'GET', '/api/v1/audit');
    assert.is(res.status, 200);
    const items = ((await res.json()) as { items: Array<{ action: string; actorUsername: string; purpose: string | null; resourceId: string | null; detail: Record<string, unknown> }> }).items;
    const seen = items.filter((e) => e.resourceId === 'agent-shop/cam-1').map((e) => `${e.action}:${e.actorUsername}:${e.purpose}`);
    for (const want of ['snapshot.view:police:public_order', 'snapshot.request:police:public_order', 'clip.request:police:public_order', 'clip.view:police:public_order', 'clip.view:shop-owner:business_security']) {
      assert.ok(seen.includes(want), `the owner sees ${want} (saw ${seen.join(', ')})`);
    }
    assert.ok(items.filter((e) => e.actorUsername === 'police' && e.resourceId === 'agent-shop/cam-1').every((e) => e.detail.grantId === grantId), 'each names the grant used');
  } finally {
    c.cleanup();
  }
});

test("a snapshot command's result is footage: read with a purpose, audited, and not after the grant is revoked", async () => {
  const c = await smallCityWithClips([]);
  const grant = { cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeOrgIds: ['police'], levels: ['health', 'events', 'snapshots'], purposes: ['public_order'], consent: { version: CONSENT_VERSION, accepted: true } };
  const created = await c.city.call('shop-owner', 'POST', '/api/v1/sharing/grants', grant);
  const grantId = ((await created.json()) as { id: string }).id;
  const sent = await c.city.call('police', 'POST', '/api/v1/agents/agent-shop/commands?purpose=public_order', { name: 'snapshot', args: { cameraId: 'cam-1' } });
  assert.is(sent.status, 202);
  const { commandId } = (await sent.json()) as { commandId: string };
  // The agent answers with the JPEG.
  c.city.commands.handleReply(makeMessage('reply', 'agent-shop', 1, { commandId, ok: true, result: { jpegBase64: Buffer.from('jpeg').toString('base64') } }));
  assert.is((await c.city.call('police', 'GET', `/api/v1/commands/${commandId}`)).status, 400, 'footage read without a purpose');
  const read = await c.city.call('police', 'GET', `/api/v1/commands/${commandId}?purpose=public_order`);
  assert.is(read.status, 200);
  assert.is(((await read.json()) as { state: string }).state, 'ok');
  assert.is((await c.city.call('police', 'GET', `/api/v1/commands/${commandId}?purpose=public_order`)).status, 200);
  const views = (await c.city.domain.audit.query({ action: 'snapshot.view', limit: 10 })).filter((e) => e.detail.commandId === commandId);
  assert.is(views.length, 1, 'read twice, recorded once');
  assert.is(views[0]!.detail.grantId, grantId);
  assert.is((await c.city.call('shop-owner', 'POST', `/api/v1/sharing/grants/${grantId}/revoke`)).status, 200);
  assert.is((await c.city.call('police', 'GET', `/api/v1/commands/${commandId}?purpose=public_order`)).status, 403, 'revoked: the stored snapshot is not served either');
  c.cleanup();
});

async function smallCityWithClips(clips: Array<{ agentId: string; cameraId: string; clipId: string }>) {
  const dir = tempDir();
  let clock = Date.parse('2026-03-01T03:00:00Z');
  const store = fakeClips(dir.path, clips);
  // The clip routes get the city's own audit trail: mounted lazily, once the city exists.
  let audit: Parameters<typeof clipRoutes>[0]['audit'] | undefined;
  const city = await smallCity({}, {
    routes: [(app) => clipRoutes({ clips: store, audit: { record: (input) => audit!.record(input) }, viewWindowMs: 60_000, now: () => clock })(app)],
  });
  audit = city.domain.audit;
  return { city, advance: (ms: number) => (clock += ms), cleanup: () => dir.cleanup() };
}

test.run();
