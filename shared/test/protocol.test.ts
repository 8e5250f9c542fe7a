import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TOPICS,
  decodeMessage,
  encodeMessage,
  filterForAll,
  makeMessage,
  parseTopic,
  topicFor,
  MAX_PAYLOAD_BYTES,
  type TopicName,
} from '../src/index.ts';

test('every topic round-trips through topicFor and parseTopic', () => {
  for (const name of Object.keys(TOPICS) as TopicName[]) {
    const topic = topicFor(name, 'ward-7');
    assert.equal(parseTopic(topic), { agentId: 'ward-7', name });
  }
});

test('agent ids that could escape their subtree are refused', () => {
  for (const bad of ['', 'a/b', '+', '#', 'A', 'x'.repeat(64), '-lead']) {
    assert.throws(() => topicFor('heartbeat', bad), /invalid agent id/);
  }
  assert.is(parseTopic('camfleet/v1/agents/+/heartbeat'), undefined);
  assert.is(parseTopic('camfleet/v1/agents/a/unknown'), undefined);
  assert.is(parseTopic('other/v1/agents/a/heartbeat'), undefined);
});

test('the aggregator filter matches any agent', () => {
  assert.is(filterForAll('events'), 'camfleet/v1/agents/+/events');
});

test('a valid heartbeat decodes', () => {
  const msg = makeMessage('heartbeat', 'site-1', 5, {
    version: '0.1.0',
    build: 'dev',
    startedAt: new Date().toISOString(),
    uptimeS: 3,
    cameraCount: 2,
  });
  const decoded = decodeMessage('heartbeat', 'site-1', encodeMessage(msg));
  assert.ok(decoded.ok);
  if (decoded.ok) assert.is(decoded.message.seq, 5);
});

test('hostile payloads are refused with a reason, never thrown', () => {
  const good = makeMessage('status', 'site-1', 1, { state: 'online' });
  const cases: Array<[TopicName, string, Buffer | string, string]> = [
    ['status', 'site-1', Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32), 'too-large'],
    ['status', 'site-1', '{not json', 'not-json'],
    ['status', 'site-1', JSON.stringify({ ...good, v: 3 }), 'unsupported-version'],
    ['status', 'site-1', JSON.stringify({ ...good, v: 0 }), 'unsupported-version'],
    ['status', 'site-1', JSON.stringify({ ...good, id: 'x' }), 'bad-envelope'],
    ['status', 'site-2', JSON.stringify(good), 'agent-mismatch'],
    ['heartbeat', 'site-1', JSON.stringify(good), 'type-not-allowed'],
    ['status', 'site-1', JSON.stringify({ ...good, body: { state: 'sideways' } }), 'bad-body'],
    ['status', 'site-1', 'null', 'bad-envelope'],
    ['status', 'site-1', JSON.stringify({ ...good, __proto__: { v: 1 } }), 'ok'],
  ];
  for (const [topic, agent, payload, expected] of cases) {
    const r = decodeMessage(topic, agent, payload);
    assert.is(r.ok ? 'ok' : r.error, expected, `${expected}: ${String(payload).slice(0, 40)}`);
  }
});

test('only agent-to-aggregator topics are published by agents; commands go the other way', () => {
  const fromAgent = (Object.keys(TOPICS) as TopicName[]).filter((n) => TOPICS[n].direction === 'agent-to-aggregator');
  assert.ok(fromAgent.includes('heartbeat'));
  assert.is(TOPICS.commands.direction, 'aggregator-to-agent');
  assert.ok(TOPICS.status.retain, 'status is retained so late subscribers see availability');
});

test.run();
