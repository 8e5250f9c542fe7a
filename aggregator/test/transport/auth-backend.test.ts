/**
 * RabbitMQ's HTTP auth backend as the aggregator serves it: the decisions (same secret check and
 * ACL as the embedded broker), the path secret, the rate limit, and the topic <-> routing key
 * mapping it relies on. Over real HTTP, as the broker nodes call it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { AuthBackend, startAuthBackend } from '../../src/transport/auth-backend.ts';
import { ingestBindingKeys, mqttToRoutingKey, routingKeyToMqtt } from '../../src/transport/topics.ts';
import { topicFor } from '@camfleet/shared';

const logger = pino({ level: 'silent' });
const SECRET = 'path-secret-0123456789';
const agents = new Map([['agent-a', 'pw-a'], ['agent-b', 'pw-b']]);
const revoked = new Set<string>();

async function withBackend(fn: (call: (kind: string, form: Record<string, string>, secret?: string) => Promise<{ status: number; body: string }>, b: AuthBackend) => Promise<void>, rate?: number) {
  const backend = new AuthBackend({
    secret: SECRET,
    verifyAgent: (id, pw) => !revoked.has(id) && agents.get(id) === pw,
    isAgentActive: (id) => agents.has(id) && !revoked.has(id),
    ratePerSecond: rate,
    logger,
  });
  const srv = await startAuthBackend(backend);
  try {
    await fn(async (kind, form, secret = SECRET) => {
      const r = await fetch(`http://127.0.0.1:${srv.port}/internal/rabbitmq/${secret}/${kind}`, { method: 'POST', body: new URLSearchParams(form) });
      return { status: r.status, body: await r.text() };
    }, backend);
  } finally {
    await srv.close();
  }
}

test('user: the agent secret, client id = user name; revoked and unknown agents denied', () =>
  withBackend(async (call) => {
    assert.is((await call('user', { username: 'agent-a', password: 'pw-a' })).body, 'allow');
    assert.is((await call('user', { username: 'agent-a', password: 'pw-a', client_id: 'agent-a' })).body, 'allow');
    assert.is((await call('user', { username: 'agent-a', password: 'pw-a', client_id: 'agent-b' })).body, 'deny');
    assert.is((await call('user', { username: 'agent-a', password: 'pw-b' })).body, 'deny');
    assert.is((await call('user', { username: 'nobody', password: 'x' })).body, 'deny');
    assert.is((await call('user', { username: 'Bad/Id', password: 'x' })).body, 'deny');
    revoked.add('agent-b');
    assert.is((await call('user', { username: 'agent-b', password: 'pw-b' })).body, 'deny');
    assert.is((await call('vhost', { username: 'agent-b', vhost: '/' })).body, 'deny');
    revoked.delete('agent-b');
  }));

test('vhost and resources: only "/", amq.topic, and the agent\'s own MQTT subscription queue', () =>
  withBackend(async (call) => {
    assert.is((await call('vhost', { username: 'agent-a', vhost: '/' })).body, 'allow');
    assert.is((await call('vhost', { username: 'agent-a', vhost: 'other' })).body, 'deny');
    const res = (name: string, resource: string, permission: string) => call('resource', { username: 'agent-a', vhost: '/', resource, name, permission });
    assert.is((await res('amq.topic', 'exchange', 'write')).body, 'allow');
    assert.is((await res('amq.topic', 'exchange', 'configure')).body, 'deny');
    assert.is((await res('amq.direct', 'exchange', 'write')).body, 'deny');
    assert.is((await res('mqtt-subscription-agent-aqos1', 'queue', 'configure')).body, 'allow');
    assert.is((await res('mqtt-subscription-agent-bqos1', 'queue', 'read')).body, 'deny');
    assert.is((await res('camfleet.ingest', 'queue', 'read')).body, 'deny', 'an agent cannot read the ingest queue');
  }));

test('topics: the embedded broker ACL (own agent-to-aggregator topics; own commands to read)', () =>
  withBackend(async (call) => {
    const topic = (t: string, permission: string) =>
      call('topic', { username: 'agent-a', vhost: '/', resource: 'topic', name: 'amq.topic', permission, routing_key: mqttToRoutingKey(t) });
    assert.is((await topic(topicFor('health', 'agent-a'), 'write')).body, 'allow');
    assert.is((await topic(topicFor('clipChunk', 'agent-a'), 'write')).body, 'allow');
    assert.is((await topic(topicFor('health', 'agent-b'), 'write')).body, 'deny', 'not under another agent');
    assert.is((await topic(topicFor('commands', 'agent-a'), 'write')).body, 'deny', 'an agent cannot command itself');
    assert.is((await topic(topicFor('commands', 'agent-a'), 'read')).body, 'allow');
    assert.is((await topic(topicFor('commands', 'agent-b'), 'read')).body, 'deny');
    assert.is((await topic('camfleet/v1/agents/+/health', 'read')).body, 'deny', 'no wildcard reads');
  }));

test('a wrong path secret is refused (403) and counted; over the rate everything is denied', async () => {
  await withBackend(async (call, b) => {
    const r = await call('user', { username: 'agent-a', password: 'pw-a' }, 'wrong-secret-012345678');
    assert.is(r.status, 403);
    assert.is(b.counters.badSecret, 1);
  });
  await withBackend(async (call, b) => {
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push((await call('user', { username: 'agent-a', password: 'pw-a' })).body);
    assert.ok(answers.includes('deny'), 'the bucket (rate 2, burst 4) runs out');
    assert.ok(b.counters.rateLimited > 0);
  }, 2);
});

test('routing keys: MQTT "/" and "." swap; bindings cover agent topics, never commands', () => {
  const t = topicFor('clipOffer', 'agent-a');
  assert.is(routingKeyToMqtt(mqttToRoutingKey(t)), t);
  assert.is(mqttToRoutingKey('a/b.c'), 'a.b/c');
  const keys = ingestBindingKeys();
  assert.ok(keys.includes('camfleet.v1.agents.*.health'), keys.join(' '));
  assert.not.ok(keys.some((k) => k.endsWith('.commands')));
});

test.run();
