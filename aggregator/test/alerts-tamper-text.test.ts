/** Tamper alerts close when the agent says the tamper is over; alerts and events read as sentences in Vietnamese and English. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage, makeMessage, topicFor, type BodyOf, type MessageType, type TopicName } from '@camfleet/shared';
import { smallCity } from './fixtures/small-city.ts';
import { alertSentence, eventSentence } from '../src/alerts/text.ts';

const TOPIC_OF: Partial<Record<MessageType, TopicName>> = { event: 'events', heartbeat: 'heartbeat' };
let seq = 1;

async function setup() {
  const city = await smallCity();
  const send = <T extends MessageType>(agentId: string, type: T, body: BodyOf<T>) =>
    city.ingest.handle(agentId, topicFor(TOPIC_OF[type]!, agentId), encodeMessage(makeMessage(type, agentId, seq++, body)));
  const alerts = async (state = 'active') =>
    ((await (await city.call('admin', 'GET', `/api/v1/alerts?state=${state}`)).json()) as { items: Array<{ kind: string; state: string; detail: Record<string, unknown> }> }).items;
  return { city, send, alerts };
}
const at = (ms: number) => new Date(ms).toISOString();

test('a cleared tamper closes the alert its raised event opened; a camera re-learnt on a new view stays alerted', async () => {
  const { send, alerts } = await setup();
  const t0 = Date.now();
  await send('agent-a', 'event', { eventId: 'r1', kind: 'tamper', cameraId: 'cam-a', startedAt: at(t0), data: { tamper: 'covered', state: 'raised', measure: 2.1 } });
  const open = await alerts();
  assert.equal(open.map((a) => a.kind), ['tamper']);
  assert.equal(open[0]!.detail.text, { vi: 'Ống kính camera bị che hoặc hình bị tối đen.', en: 'The camera lens is covered or the picture has gone black.' });
  await send('agent-a', 'event', { eventId: 'c1', kind: 'tamper', cameraId: 'cam-a', startedAt: at(t0), endedAt: at(t0 + 20_000), data: { tamper: 'covered', state: 'cleared', raisedEventId: 'r1' } });
  assert.equal(await alerts(), [], 'cleared closes it');
  assert.equal((await alerts('cleared')).map((a) => a.kind), ['tamper']);

  await send('agent-a', 'event', { eventId: 'r2', kind: 'tamper', cameraId: 'cam-a', startedAt: at(t0 + 60_000), data: { tamper: 'moved', state: 'raised', measure: 0.72 } });
  await send('agent-a', 'event', { eventId: 'c2', kind: 'tamper', cameraId: 'cam-a', startedAt: at(t0 + 60_000), endedAt: at(t0 + 60_000), data: { tamper: 'moved', state: 'cleared', raisedEventId: 'r2', relearned: true } });
  const moved = await alerts();
  assert.equal(moved.map((a) => [a.kind, a.detail.tamper]), [['tamper', 'moved']], 'a camera now pointing elsewhere needs someone to look');
  assert.match(String((moved[0]!.detail.text as { en: string }).en), /turned or moved: 72 %/);
  // A cleared event for another tamper kind does not close it.
  await send('agent-a', 'event', { eventId: 'c3', kind: 'tamper', cameraId: 'cam-a', startedAt: at(t0 + 61_000), endedAt: at(t0 + 61_000), data: { tamper: 'defocused', state: 'cleared', raisedEventId: 'zz' } });
  assert.is((await alerts()).length, 1);
});

test('alert and event texts are sentences, never field dumps', () => {
  const dump = /eventId|raisedEventId|measure|: \{|undefined|NaN|\[object/;
  const alerts: Array<[string, Record<string, unknown>]> = [
    ['camera_offline', {}], ['camera_offline', { problem: 'agent offline' }], ['not_recording', { problem: 'RTSP 401' }], ['recording_gap', { gapsLastHour: 3 }],
    ['disk_low', { freeRatio: 0.07 }], ['clock_skew', { clockOffsetMs: -5200 }], ['non_conformant', { standard: 'hn', failed: ['default-password'] }],
    ['tamper', { eventId: 'x', tamper: 'defocused', state: 'raised', measure: 0.2 }], ['tamper', { tamper: 'moved', state: 'raised', measure: 0.9, raisedEventId: 'y' }],
  ];
  for (const [kind, detail] of alerts) {
    const s = alertSentence(kind, detail);
    for (const text of [s.vi, s.en]) {
      assert.ok(/^\p{Lu}/u.test(text) && /[.]$/.test(text), `${kind}: "${text}" is a sentence`);
      assert.not.match(text, dump, `${kind}: "${text}"`);
    }
    assert.is.not(s.vi, s.en);
  }
  assert.equal(alertSentence('disk_low', { freeRatio: 0.07 }), { vi: 'Ổ đĩa của trạm sắp đầy: chỉ còn 7 % dung lượng trống.', en: 'The site box’s disk is nearly full: only 7 % free.' });
  assert.equal(eventSentence('object', { class: 'motorcycle', score: 0.81 }), { vi: 'Phát hiện xe máy (81 %).', en: 'A motorbike was detected (81 %).' });
  assert.match(eventSentence('sound', { peakDbfs: -3.2, backgroundDbfs: -41 }).en, /loud sound.*-3 dBFS over -41 dBFS/);
});

test('the events API gives each event its sentence', async () => {
  const { city } = await setup(); // small-city stores one person event per camera
  const res = (await (await city.call('ward-a', 'GET', '/api/v1/events')).json()) as { items: Array<{ eventId: string; text: { vi: string; en: string } }> };
  assert.equal(res.items.find((e) => e.eventId === 'ev-cam-a')!.text, { vi: 'Phát hiện người.', en: 'A person was detected.' });
});

test.run();
