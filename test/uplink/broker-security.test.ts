/**
 * The broker against hostile or broken clients: empty client id, wrong password, another
 * agent's topics, oversized packets, publish floods, malformed payloads; TLS with a test CA;
 * the last will. The broker keeps serving well-behaved agents through all of it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { PROTOCOL_VERSION, encodeMessage, makeMessage, topicFor } from '@camfleet/shared';
import { hashPassword } from '../../aggregator/src/auth/secrets.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/ports.ts';
import { createSite, enrollAgent, startTestAggregator } from './support.ts';
import { connectPacket, exchange, publishHeader } from './mqtt-raw.ts';
import type { Credentials } from '../../agent/src/uplink/credentials.ts';

const connectAs = (url: string, c: Credentials, extra: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(url, { clientId: c.agentId, username: c.agentId, password: c.password, reconnectPeriod: 0, ...extra });

test('an empty client id gets CONNACK 0x02 (identifier rejected), a bad password 0x05', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const a = enrollAgent(agg);
    const empty = await exchange(agg.mqttPort, connectPacket('', a.agentId, a.password));
    assert.equal([...empty.received], [0x20, 0x02, 0x00, 0x02]);
    assert.is(agg.broker.counters.emptyClientId, 1);
    const wrong = await exchange(agg.mqttPort, connectPacket(a.agentId, a.agentId, 'not-the-password-at-all'));
    assert.equal([...wrong.received], [0x20, 0x02, 0x00, 0x05]);
    const noPassword = await exchange(agg.mqttPort, connectPacket(a.agentId));
    assert.equal([...noPassword.received], [0x20, 0x02, 0x00, 0x05]);
    assert.is(agg.broker.counters.authFailures, 2);
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test("agent A cannot publish under B's prefix nor subscribe to B's commands; B is unaffected", async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const site = createSite(agg.db);
    const a = enrollAgent(agg, site);
    const b = enrollAgent(agg, site);
    const url = `mqtt://127.0.0.1:${agg.mqttPort}`;
    const clientB = await connectAs(url, b);

    const subscriber = await connectAs(url, a);
    // SUBACK 0x80 for each (mqtt.js turns it into a rejected promise); the connection stays.
    const refused = (filter: string) => subscriber.subscribeAsync(filter, { qos: 1 }).then(() => false, (err: Error) => /Subscribe error/.test(err.message));
    assert.ok(await refused(topicFor('commands', b.agentId)), 'subscription to another agent’s commands refused');
    assert.ok(await refused('camfleet/v1/agents/#'), 'wildcard subscription refused');
    assert.is(agg.broker.counters.subscribeDenied, 2);
    assert.ok(subscriber.connected);
    await subscriber.subscribeAsync(topicFor('commands', a.agentId), { qos: 1 });
    await subscriber.endAsync(true);

    const forger = await connectAs(url, a);
    const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    const forged = makeMessage('event', b.agentId, 1, { eventId: 'forged', kind: 'tamper', startedAt: new Date().toISOString(), data: {} });
    forger.publish(topicFor('events', b.agentId), encodeMessage(forged), { qos: 1 });
    await closed;
    assert.is(agg.broker.counters.publishDenied, 1);
    await forger.endAsync(true);
    assert.is(agg.db.prepare('SELECT COUNT(*) FROM agent_events').pluck().get(), 0);

    // B still works.
    const real = makeMessage('event', b.agentId, 1, { eventId: 'real', kind: 'tamper', startedAt: new Date().toISOString(), data: {} });
    await clientB.publishAsync(topicFor('events', b.agentId), encodeMessage(real), { qos: 1 });
    assert.is(agg.db.prepare("SELECT agent_id FROM agent_events WHERE event_id = 'real'").pluck().get(), b.agentId);
    await clientB.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('bad payloads are refused and counted, oversized packets cut, floods disconnected; the broker keeps going', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path, { mqtt: { publishRatePerSecond: 5, publishBurst: 20, maxPacketBytes: 64 * 1024 } });
  try {
    const a = enrollAgent(agg);
    const url = `mqtt://127.0.0.1:${agg.mqttPort}`;
    const client = await connectAs(url, a);
    const topic = topicFor('events', a.agentId);
    const event = (id: string, seq: number) => makeMessage('event', a.agentId, seq, { eventId: id, kind: 'object', startedAt: new Date().toISOString(), data: {} });
    await client.publishAsync(topic, Buffer.from('{not json'), { qos: 1 });
    await client.publishAsync(topic, Buffer.from(JSON.stringify({ ...event('newer', 1), v: PROTOCOL_VERSION + 1 })), { qos: 1 });
    await client.publishAsync(topic, Buffer.from(JSON.stringify({ ...event('bad-body', 2), body: { kind: 'nonsense' } })), { qos: 1 });
    await client.publishAsync(topic, encodeMessage(makeMessage('health', a.agentId, 3, { sampledAt: new Date().toISOString(), cameras: [] })), { qos: 1 });
    await client.publishAsync(topic, encodeMessage(makeMessage('event', 'someone-else', 4, event('x', 4).body)), { qos: 1 });
    await client.publishAsync(topic, encodeMessage(event('good', 5)), { qos: 1 });
    const rejected = agg.ingest.counters.rejected;
    assert.equal(
      { notJson: rejected['not-json'], version: rejected['unsupported-version'], body: rejected['bad-body'], type: rejected['type-not-allowed'], mismatch: rejected['agent-mismatch'] },
      { notJson: 1, version: 1, body: 1, type: 1, mismatch: 1 },
    );
    assert.is(agg.db.prepare('SELECT COUNT(*) FROM agent_events').pluck().get(), 1);

    // A packet announcing 1 MiB is cut before the broker buffers it.
    const big = await exchange(agg.mqttPort, connectPacket(a.agentId + 'x', a.agentId, a.password), publishHeader(1024 * 1024));
    assert.ok(big.received.length <= 4, 'no more than a CONNACK before the cut');
    assert.is(agg.broker.counters.oversizedPackets, 1);

    // A flood beyond the per-connection rate gets the client disconnected.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    for (let i = 0; i < 40; i++) client.publish(topic, encodeMessage(event(`flood-${i}`, 100 + i)), { qos: 0 });
    await closed;
    assert.ok(agg.broker.counters.rateLimited >= 1);
    await client.endAsync(true);

    // Still serving.
    const again = await connectAs(url, a);
    await again.publishAsync(topic, encodeMessage(event('after', 999)), { qos: 1 });
    assert.is(agg.db.prepare("SELECT COUNT(*) FROM agent_events WHERE event_id = 'after'").pluck().get(), 1);
    await again.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('the last will marks an agent offline when its connection dies', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const a = enrollAgent(agg);
    const will = makeMessage('status', a.agentId, 0, { state: 'offline', reason: 'connection lost' });
    const client = await connectAs(`mqtt://127.0.0.1:${agg.mqttPort}`, a, {
      will: { topic: topicFor('status', a.agentId), payload: encodeMessage(will), qos: 1, retain: true },
    });
    await client.publishAsync(topicFor('status', a.agentId), encodeMessage(makeMessage('status', a.agentId, 1, { state: 'online' })), { qos: 1, retain: true });
    await waitFor('online', () => agg.fleet.listAgents().find((x) => x.id === a.agentId)?.online);
    const statusBefore = agg.ingest.counters.byType.status ?? 0;
    client.stream.destroy(); // no DISCONNECT: the broker must publish the will
    await waitFor('will delivered to ingest', () => (agg.ingest.counters.byType.status ?? 0) > statusBefore);
    assert.is(agg.fleet.listAgents().find((x) => x.id === a.agentId)?.online, false);
    await client.endAsync(true);
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('mqtts with the configured certificate; agents verify it with the CA from enrollment', async () => {
  const dir = tempDir();
  const ca = join(dir.path, 'ca');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=camfleet test CA', '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', join(dir.path, 'server.key'), '-out', join(dir.path, 'server.csr'));
  writeFileSync(join(dir.path, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', join(dir.path, 'server.csr'), '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-extfile', join(dir.path, 'san.ext'), '-out', join(dir.path, 'server.pem'));

  const tlsPort = await freePort();
  const agg = await startTestAggregator(join(dir.path, 'data'), {
    mqtt: { tls: { port: tlsPort, certFile: join(dir.path, 'server.pem'), keyFile: join(dir.path, 'server.key'), caFile: `${ca}.pem` } },
  });
  try {
    const site = createSite(agg.db);
    const { token } = agg.uplink.enrollment.createToken(site, 600);
    const res = await fetch(`${agg.httpUrl}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const enrolled = (await res.json()) as { agentId: string; password: string; mqttUrl: string; caPem: string };
    assert.is(enrolled.mqttUrl, `mqtts://127.0.0.1:${tlsPort}`);
    assert.match(enrolled.caPem, /BEGIN CERTIFICATE/);

    const client = await connectAs(enrolled.mqttUrl, { agentId: enrolled.agentId, password: enrolled.password }, { ca: enrolled.caPem });
    await client.publishAsync(topicFor('events', enrolled.agentId), encodeMessage(makeMessage('event', enrolled.agentId, 1, { eventId: 'tls', kind: 'sound', startedAt: new Date().toISOString(), data: {} })), { qos: 1 });
    assert.is(agg.db.prepare("SELECT COUNT(*) FROM agent_events WHERE event_id = 'tls'").pluck().get(), 1);
    await client.endAsync();

    // Without the CA the certificate is not trusted.
    const untrusted = await connectAs(enrolled.mqttUrl, { agentId: enrolled.agentId, password: enrolled.password }).then(
      (c) => c.endAsync(true).then(() => false),
      () => true,
    );
    assert.ok(untrusted, 'a client without the CA must refuse the certificate');
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('hole 8: wrong-secret CONNECTs are throttled per address and identity and refused before hashing; other agents connect', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const site = createSite(agg.db);
    const a = enrollAgent(agg, site);
    const b = enrollAgent(agg, site);
    const auth = agg.uplink.agentAuth;
    const before = auth.counters.hmacChecks + auth.counters.scryptChecks;
    for (let i = 0; i < 40; i++) {
      const wrong = await exchange(agg.mqttPort, connectPacket(a.agentId, a.agentId, `wrong-secret-${i}`));
      assert.equal([...wrong.received], [0x20, 0x02, 0x00, 0x05]);
    }
    const checked = auth.counters.hmacChecks + auth.counters.scryptChecks - before;
    // Before: each of the 40 cost a scrypt on the thread pool (static files went from 10 ms to 1.2 s).
    assert.ok(checked <= 10, `${checked} secrets checked for 40 guesses`);
    assert.ok(auth.counters.throttled >= 30, `${auth.counters.throttled} refused by the throttle`);
    // Another agent behind the same address connects normally.
    const clientB = await connectAs(`mqtt://127.0.0.1:${agg.mqttPort}`, b);
    await clientB.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('hole 8: agent secrets are checked by HMAC; a legacy scrypt hash is upgraded on its first success', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const a = enrollAgent(agg);
    const hash = () => agg.db.prepare('SELECT secret_hash FROM agents WHERE id = ?').pluck().get(a.agentId) as string;
    assert.match(hash(), /^hmac-sha256\$/, 'enrollment writes the keyed hash: no scrypt on the request');
    // A row from before the keyed hash (or made by the CLI, which has no key) holds scrypt.
    agg.db.prepare('UPDATE agents SET secret_hash = ? WHERE id = ?').run(hashPassword(a.password), a.agentId);
    const auth = agg.uplink.agentAuth;
    const url = `mqtt://127.0.0.1:${agg.mqttPort}`;
    await (await connectAs(url, a)).endAsync();
    assert.match(hash(), /^hmac-sha256\$/, 'upgraded on the first success');
    assert.is(auth.counters.upgraded, 1);
    const scryptBefore = auth.counters.scryptChecks;
    // A reconnect storm costs HMACs only.
    for (let i = 0; i < 20; i++) await (await connectAs(url, a)).endAsync();
    assert.is(auth.counters.scryptChecks, scryptBefore);
    assert.ok(auth.counters.hmacChecks >= 20);
    // The wrong secret is still refused under the new hash.
    const wrong = await exchange(agg.mqttPort, connectPacket(a.agentId, a.agentId, 'not-the-secret'));
    assert.equal([...wrong.received], [0x20, 0x02, 0x00, 0x05]);
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('hole 8: an agent sending huge valid messages is slowed by its own byte quota; other agents are not', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path, { mqtt: { agentBytesPerSecond: 64 * 1024, agentBurstBytes: 256 * 1024 } });
  try {
    const site = createSite(agg.db);
    const a = enrollAgent(agg, site);
    const b = enrollAgent(agg, site);
    const url = `mqtt://127.0.0.1:${agg.mqttPort}`;
    const clientA = await connectAs(url, a);
    const clientB = await connectAs(url, b);
    const big = (seq: number) =>
      encodeMessage(makeMessage('event', a.agentId, seq, { eventId: `big-${seq}`, kind: 'sound', startedAt: new Date().toISOString(), data: { pad: 'x'.repeat(400 * 1024) } }));
    let aAcked = 0;
    const aDone = Array.from({ length: 20 }, (_, i) => clientA.publishAsync(topicFor('events', a.agentId), big(i + 1), { qos: 1 }).then(() => aAcked++, () => undefined));
    for (let i = 1; i <= 20; i++) {
      await clientB.publishAsync(topicFor('events', b.agentId), encodeMessage(makeMessage('event', b.agentId, i, { eventId: `small-${i}`, kind: 'sound', startedAt: new Date().toISOString(), data: {} })), { qos: 1 });
    }
    // B's twenty PUBACKs came while A was held to its quota: 256 KiB of burst lets one or two of
    // its 400 KiB messages through, then one per ~6 s.
    assert.ok(aAcked <= 3, `${aAcked} of the big messages were already processed`);
    assert.ok(agg.broker.counters.quotaDelayed >= 1);
    assert.is(agg.db.prepare('SELECT COUNT(*) FROM agent_events WHERE agent_id = ?').pluck().get(b.agentId), 20);
    await clientA.endAsync(true);
    await Promise.allSettled(aDone);
    await clientB.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('hole 9: TLS only: with mqtt.plain false there is no plaintext listener, and enrollment hands out mqtts', async () => {
  const dir = tempDir();
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir.path, 'k.pem'), '-out', join(dir.path, 'c.pem'));
  const plainPort = await freePort();
  const tlsPort = await freePort();
  const agg = await startTestAggregator(join(dir.path, 'data'), {
    mqtt: { port: plainPort, plain: false, tls: { port: tlsPort, certFile: join(dir.path, 'c.pem'), keyFile: join(dir.path, 'k.pem'), caFile: join(dir.path, 'c.pem') } },
  });
  try {
    assert.is(agg.broker.plain, false);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(plainPort, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    assert.ok(refused, 'nothing listens on the plaintext port');
    const site = createSite(agg.db);
    const { token } = agg.uplink.enrollment.createToken(site, 600);
    const res = await fetch(`${agg.httpUrl}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const enrolled = (await res.json()) as { agentId: string; password: string; mqttUrl: string; caPem: string };
    assert.is(enrolled.mqttUrl, `mqtts://127.0.0.1:${tlsPort}`);
    const client = await connectAs(enrolled.mqttUrl, { agentId: enrolled.agentId, password: enrolled.password }, { ca: enrolled.caPem });
    await client.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test.run();
