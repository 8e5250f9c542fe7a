/**
 * Enrollment end to end: a one-time token for a site, `camfleet-agent enroll` writing 0600
 * credentials, the agent connecting with them; a spent or expired token refused; a revoked
 * agent cut off at once and unable to reconnect.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { runProgram } from '@camfleet/shared';
import { COMMANDS as AGENT_COMMANDS } from '../../agent/src/cli/commands/index.ts';
import { COMMANDS as AGGREGATOR_COMMANDS } from '../../aggregator/src/cli/commands/index.ts';
import { readCredentials } from '../../agent/src/uplink/credentials.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { createSite, startTestAggregator } from './support.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return { stream, text: () => text };
}

async function cli(commands: typeof AGENT_COMMANDS, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = capture();
  const err = capture();
  const code = await runProgram({ name: 'camfleet', version: 'test', description: 'test', commands }, argv, { stdout: out.stream, stderr: err.stream, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

test('a site token enrolls an agent once; the agent connects with what it got; revocation cuts it off', async () => {
  const aggDir = tempDir();
  const siteDir = tempDir();
  const agg = await startTestAggregator(aggDir.path);
  try {
    createSite(agg.db); // an area 'hn' and an organisation 'ward-hk' to put the new site in
    const site = await cli(AGGREGATOR_COMMANDS, ['site', 'create', '--id', 'long-bien-station', '--name', 'Long Bien station', '--org', 'ward-hk', '--area', 'hn', '--data-dir', aggDir.path]);
    assert.is(site.code, 0, site.stderr);
    const badSite = await cli(AGGREGATOR_COMMANDS, ['site', 'create', '--id', 'x', '--name', 'X', '--org', 'no-such-org', '--area', 'hn', '--data-dir', aggDir.path]);
    assert.is(badSite.code, 1);
    assert.match(badSite.stderr, /no organisation 'no-such-org'/);
    // The central office issues a token with the CLI (against the same data dir).
    const issued = await cli(AGGREGATOR_COMMANDS, ['token', 'create', '--site', 'long-bien-station', '--ttl', '1h', '--json', '--data-dir', aggDir.path]);
    assert.is(issued.code, 0, issued.stderr);
    const { token } = JSON.parse(issued.stdout) as { token: string };

    // On site: enroll, token from the environment.
    const result = await cli(AGENT_COMMANDS, ['enroll', '--aggregator', agg.httpUrl, '--token-env', 'SITE_TOKEN', '--data', siteDir.path], { SITE_TOKEN: token });
    assert.is(result.code, 0, result.stderr);
    const file = join(siteDir.path, 'credentials.json');
    assert.is(statSync(file).mode & 0o777, 0o600);
    const creds = readCredentials(file);
    assert.match(creds.agentId, /^long-bien-station-[0-9a-f]{6}$/);
    assert.is(creds.mqttUrl, `mqtt://127.0.0.1:${agg.mqttPort}`);
    assert.not.match(result.stdout, creds.password);
    assert.is((agg.db.prepare('SELECT site_id FROM site_agents WHERE agent_id = ?').pluck().get(creds.agentId) as string), 'long-bien-station');

    // The token is spent: a second use is refused, over HTTP and by the CLI.
    const again = await fetch(`${agg.httpUrl}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    assert.is(again.status, 409);
    assert.is(((await again.json()) as { error: { code: string } }).error.code, 'token-used');
    const otherDir = tempDir();
    const reuse = await cli(AGENT_COMMANDS, ['enroll', '--aggregator', agg.httpUrl, '--token', token, '--data', otherDir.path]);
    assert.is(reuse.code, 1);
    assert.match(reuse.stderr, /token-used/);
    otherDir.cleanup();

    // The agent connects with its credentials.
    const client = await mqtt.connectAsync(creds.mqttUrl!, { clientId: creds.agentId, username: creds.agentId, password: creds.password, reconnectPeriod: 0 });
    await waitFor('agent registered as connected', () => agg.broker.connectedAgents().includes(creds.agentId));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

    // Revoked with the CLI (another process in real life): the running broker cuts it off.
    const revoked = await cli(AGGREGATOR_COMMANDS, ['agent', 'revoke', '--id', creds.agentId, '--data-dir', aggDir.path]);
    assert.is(revoked.code, 0, revoked.stderr);
    await closed;
    assert.is(agg.broker.counters.revokedDisconnects, 1);
    await client.endAsync(true);

    // And it cannot come back.
    const err = await mqtt
      .connectAsync(creds.mqttUrl!, { clientId: creds.agentId, username: creds.agentId, password: creds.password, reconnectPeriod: 0 })
      .then(() => undefined, (e: Error & { code?: number }) => e);
    assert.ok(err, 'a revoked agent must not connect');
    assert.is(err!.code, 5);
  } finally {
    await agg.close();
    aggDir.cleanup();
    siteDir.cleanup();
  }
});

test('expired and unknown tokens are refused; tokens are stored only as hashes', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const site = createSite(agg.db);
    const issued = agg.uplink.enrollment.createToken(site, 60, undefined, new Date(Date.now() - 120_000));
    const post = (token: string) =>
      fetch(`${agg.httpUrl}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const expired = await post(issued.token);
    assert.is(expired.status, 401);
    assert.is(((await expired.json()) as { error: { code: string } }).error.code, 'token-expired');
    const unknown = await post('cfe_not-a-real-token-at-all');
    assert.is(unknown.status, 401);
    const malformed = await fetch(`${agg.httpUrl}/api/v1/enroll`, { method: 'POST', body: 'not json' });
    assert.is(malformed.status, 400);
    const dbText = readFileSync(join(dir.path, 'aggregator.db')).toString('latin1');
    assert.not.ok(dbText.includes(issued.token), 'the token itself is never stored');
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test.run();
