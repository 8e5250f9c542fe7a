/** Alerts raised and cleared from simulated agent reports fed through ingest, listed per scope. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage, makeMessage, topicFor, type BodyOf, type MessageType, type TopicName } from '@camfleet/shared';
import { smallCity } from './fixtures/small-city.ts';

const TOPIC_OF: Partial<Record<MessageType, TopicName>> = { cameras: 'cameras', health: 'health', heartbeat: 'heartbeat', event: 'events' };
let seq = 1;

async function setup() {
  const city = await smallCity();
  const send = <T extends MessageType>(agentId: string, type: T, body: BodyOf<T>) =>
    city.ingest.handle(agentId, topicFor(TOPIC_OF[type]!, agentId), encodeMessage(makeMessage(type, agentId, seq++, body)));
  const active = async (who = 'admin') =>
    ((await (await city.call(who, 'GET', '/api/v1/alerts')).json()) as { items: Array<{ kind: string; agentId: string; cameraId: string | null }> }).items
      .map((a) => `${a.kind}:${a.agentId}/${a.cameraId ?? '-'}`)
      .sort();
  const heartbeat = (over: Partial<BodyOf<'heartbeat'>>): BodyOf<'heartbeat'> => ({ version: '1', build: 'b', startedAt: new Date().toISOString(), uptimeS: 10, cameraCount: 1, ...over });
  return { city, send, active, heartbeat };
}

test('offline and not recording: raised only after they last, cleared when they end', async () => {
  const { city, send, active } = await setup();
  const t0 = Date.now();
  await send('agent-a', 'cameras', { cameras: [{ id: 'cam-a', online: false, recording: false, problem: 'no RTSP' }] });
  city.domain.alerts.sweep(new Date(t0 + 60_000));
  assert.equal(await active(), [], 'one minute offline is not an alert yet');
  city.domain.alerts.sweep(new Date(t0 + 6 * 60_000));
  assert.equal(await active(), ['camera_offline:agent-a/cam-a']);
  await send('agent-a', 'cameras', { cameras: [{ id: 'cam-a', online: true, recording: true }] });
  assert.equal(await active(), []);
  const cleared = (await (await city.call('admin', 'GET', '/api/v1/alerts?state=cleared')).json()) as { items: Array<{ kind: string; clearedAt: string }> };
  assert.equal(cleared.items.map((a) => a.kind), ['camera_offline']);

  const sampledAt = new Date(t0).toISOString();
  await send('agent-b', 'health', { sampledAt, cameras: [{ cameraId: 'cam-b', online: true, recording: false, gapsLastHour: 0 }] });
  city.domain.alerts.sweep(new Date(t0 + 3 * 60_000));
  assert.equal(await active(), ['not_recording:agent-b/cam-b']);
  await send('agent-b', 'health', { sampledAt: new Date(t0 + 4 * 60_000).toISOString(), cameras: [{ cameraId: 'cam-b', online: true, recording: true, gapsLastHour: 0 }] });
  assert.equal(await active(), []);
});

test('a camera behind an agent that went offline is offline', async () => {
  const { city, send, active } = await setup();
  const t0 = Date.now();
  await send('agent-b', 'cameras', { cameras: [{ id: 'cam-b', online: true, recording: true }] });
  city.fleet.setOnline('agent-b', false);
  city.domain.alerts.sweep(new Date(t0));
  city.domain.alerts.sweep(new Date(t0 + 5 * 60_000));
  assert.equal(await active(), ['camera_offline:agent-b/cam-b']);
});

test('gaps, disk, clock, tamper and conformance', async () => {
  const { city, send, active, heartbeat } = await setup();
  const t0 = Date.now();
  await send('agent-a', 'health', { sampledAt: new Date(t0).toISOString(), cameras: [{ cameraId: 'cam-a', online: true, recording: true, gapsLastHour: 2 }] });
  await send('agent-a', 'heartbeat', heartbeat({ disk: { totalBytes: 1000, freeBytes: 50 }, clockOffsetMs: 5000 }));
  await send('agent-a', 'event', { eventId: 'e1', kind: 'tamper', cameraId: 'cam-a', startedAt: new Date(t0).toISOString(), data: { cause: 'covered' } });
  await send('agent-b', 'cameras', {
    cameras: [{ id: 'cam-b', online: true, recording: true, conformance: { standard: 'hn-2025', checkedAt: new Date(t0).toISOString(), verdict: 'fail', rules: [{ id: 'default-password', title: 'no default password', status: 'fail', evidence: 'admin/12345 accepted' }] } }],
  });
  assert.equal(await active(), ['clock_skew:agent-a/-', 'disk_low:agent-a/-', 'non_conformant:agent-b/cam-b', 'recording_gap:agent-a/cam-a', 'tamper:agent-a/cam-a']);

  // Scope: the ward A officer sees ward A's alerts only; the shop owner none of them.
  assert.equal(await active('ward-a'), ['clock_skew:agent-a/-', 'disk_low:agent-a/-', 'recording_gap:agent-a/cam-a', 'tamper:agent-a/cam-a']);
  assert.equal(await active('shop-owner'), []);

  await send('agent-a', 'health', { sampledAt: new Date(t0 + 60_000).toISOString(), cameras: [{ cameraId: 'cam-a', online: true, recording: true, gapsLastHour: 0 }] });
  await send('agent-a', 'heartbeat', heartbeat({ disk: { totalBytes: 1000, freeBytes: 120 }, clockOffsetMs: 100 }));
  assert.equal(await active(), ['disk_low:agent-a/-', 'non_conformant:agent-b/cam-b', 'tamper:agent-a/cam-a'], '12 % free is not yet clear (hysteresis)');
  await send('agent-a', 'heartbeat', heartbeat({ disk: { totalBytes: 1000, freeBytes: 200 } }));
  await send('agent-b', 'cameras', { cameras: [{ id: 'cam-b', online: true, recording: true, conformance: { standard: 'hn-2025', checkedAt: new Date().toISOString(), verdict: 'pass', rules: [] } }] });
  city.domain.alerts.sweep(new Date(Date.now() + 61 * 60_000));
  assert.equal(await active(), []);
});

test('an operator in scope acknowledges an active alert; once, and never one outside their scope', async () => {
  const { city, send } = await setup();
  await send('agent-a', 'event', { eventId: 'e-ack', kind: 'tamper', cameraId: 'cam-a', startedAt: new Date().toISOString(), data: { cause: 'covered' } });
  type Listed = { items: Array<{ id: number; kind: string; acknowledgedBy?: string | null; state: string }> };
  const listed = (await (await city.call('ward-a', 'GET', '/api/v1/alerts')).json()) as Listed;
  const tamper = listed.items.find((a) => a.kind === 'tamper')!;
  assert.ok(tamper, 'the ward sees the tamper alert of its camera');

  assert.is((await city.call('construction', 'POST', `/api/v1/alerts/${tamper.id}/ack`)).status, 404, 'outside its purposes: no such alert');
  const acked = await city.call('ward-a', 'POST', `/api/v1/alerts/${tamper.id}/ack`);
  assert.is(acked.status, 200);
  const body = (await acked.json()) as { acknowledgedBy: string; acknowledgedAt: string; state: string };
  assert.is(body.acknowledgedBy, 'ward-a');
  assert.is(body.state, 'active', 'acknowledged is not cleared: the cause is still there');
  assert.is((await city.call('ward-a', 'POST', `/api/v1/alerts/${tamper.id}/ack`)).status, 409, 'once');
  const after = (await (await city.call('ward-a', 'GET', '/api/v1/alerts')).json()) as Listed;
  assert.is(after.items.find((a) => a.id === tamper.id)!.acknowledgedBy, 'ward-a');
});

test.run();
