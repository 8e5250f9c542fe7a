/**
 * Commands from the centre: the API records and sends them, the agent's dispatcher runs the
 * registered handler and replies through its outbox, the API shows ok / error / timeout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { CommandError } from '../../agent/src/uplink/commands.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { enrollAgent, startTestAggregator, startTestUplink } from './support.ts';

test('commands settle as ok, error (with the agent’s code), unsupported, or timeout', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(join(dir.path, 'agg'));
  const creds = enrollAgent(agg);
  const agent = startTestUplink({ dataDir: join(dir.path, 'agent'), credentials: creds });
  try {
    const user = agg.users.create('operator', 'a-long-test-password', 'admin');
    const token = agg.users.issueToken(user.id, 'test');
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${agg.httpUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    const send = async (name: string, args: Record<string, unknown> = {}, timeoutSeconds?: number) => {
      const res = await api(`/api/v1/agents/${creds.agentId}/commands`, { method: 'POST', body: JSON.stringify({ name, args, timeoutSeconds }) });
      assert.is(res.status, 202);
      const record = (await res.json()) as { commandId: string; state: string };
      assert.is(record.state, 'pending');
      return record.commandId;
    };
    const settled = (id: string) =>
      waitFor(`command ${id} settled`, async () => {
        const r = (await (await api(`/api/v1/commands/${id}`)).json()) as { state: string; result?: unknown; error?: { code: string; message: string } };
        return r.state === 'pending' ? undefined : r;
      });

    await waitFor('agent connected', () => agent.uplink.connected && agg.broker.connectedAgents().includes(creds.agentId));

    // Nothing registered yet: the agent says so.
    const unsupported = await settled(await send('reprobe'));
    assert.is(unsupported.state, 'error');
    assert.is(unsupported.error?.code, 'unsupported');

    const seen: Array<Record<string, unknown>> = [];
    agent.uplink.commands.register('reprobe', (args) => {
      seen.push(args);
      return { probed: 3 };
    });
    agent.uplink.commands.register('config.apply', (args) => {
      if ((args.patch as Record<string, unknown>).heartbeatSeconds === 'hang') return new Promise(() => undefined);
      throw new CommandError('invalid-config', 'heartbeatSeconds must be a number');
    });

    const ok = await settled(await send('reprobe', { scope: 'all' }));
    assert.is(ok.state, 'ok');
    assert.equal(ok.result, { probed: 3 });
    assert.equal(seen, [{ scope: 'all' }]);

    const failed = await settled(await send('config.apply', { patch: { heartbeatSeconds: 'x' } }));
    assert.is(failed.state, 'error');
    assert.equal(failed.error, { code: 'invalid-config', message: 'heartbeatSeconds must be a number' });

    const silent = await settled(await send('config.apply', { patch: { heartbeatSeconds: 'hang' } }, 1));
    assert.is(silent.state, 'timeout');
    assert.is(silent.error?.code, 'timeout');

    // Refusals the API explains.
    assert.is((await api(`/api/v1/agents/${creds.agentId}/commands`, { method: 'POST', body: JSON.stringify({ name: 'clip.need', args: {} }) })).status, 400);
    assert.is((await api('/api/v1/agents/nobody-here/commands', { method: 'POST', body: JSON.stringify({ name: 'reprobe' }) })).status, 404);
    assert.is((await fetch(`${agg.httpUrl}/api/v1/agents/${creds.agentId}/commands`, { method: 'POST', body: '{}' })).status, 401);
    assert.is((await api('/api/v1/commands/does-not-exist')).status, 404);
  } finally {
    await agent.close();
    await agg.close();
    dir.cleanup();
  }
});

test.run();
