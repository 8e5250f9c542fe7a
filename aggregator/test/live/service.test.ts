/**
 * The live service with real sockets: the agent's WebSocket is accepted only with the agent's
 * secret and the session's one-time token (a wrong guess spends it; no upgrade otherwise); a
 * connected upstream reaches the viewer; a viewer whose access ends is cut by the re-check and
 * audited; the last viewer leaving stops the agent; a text frame (garbage) closes the upstream.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { createLogger, LIVE_AGENT_PATH } from '@camfleet/shared';
import { LiveService, type ViewerIdentity } from '../../src/live/service.ts';
import type { AuditRecordInput } from '../../src/audit/trail.ts';
import type { Principal } from '../../src/authz/decide.ts';
import { waitFor } from '../../../test/support/wait.ts';

const SECRET = 'agent-secret-0123456789';
const sent: Array<{ agentId: string; name: string; args: Record<string, unknown> }> = [];
const audits: AuditRecordInput[] = [];
let allowed = true;
let server: Server;
let port = 0;
let live: LiveService;

function box(type: string, n: number): Buffer {
  const b = Buffer.alloc(8 + n, 7);
  b.writeUInt32BE(8 + n, 0);
  b.write(type, 4, 'latin1');
  return b;
}
const INIT = Buffer.concat([box('ftyp', 16), box('moov', 100)]);
const FRAG = Buffer.concat([box('moof', 50), box('mdat', 3000)]);

const identity = (cameraId: string): ViewerIdentity => ({
  principal: { userId: 1, username: 'viewer', orgId: 'police' } as Principal,
  token: 't', agentId: 'a1', cameraId, purpose: 'public_order', via: 'function', grantId: null, ownerOrgId: 'city', areaId: 'ward-a', ip: '127.0.0.1',
});

function dial(headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${LIVE_AGENT_PATH}`, { headers });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}
const startOf = (cameraId: string) => sent.find((s) => s.name === 'live.start' && s.args.cameraId === cameraId)!.args as { sessionId: string; token: string };
const headersFor = (a: { sessionId: string; token: string }, over: Record<string, string> = {}) => ({
  'x-camfleet-agent': 'a1', authorization: `Bearer ${SECRET}`, 'x-camfleet-live-session': a.sessionId, 'x-camfleet-live-token': a.token, ...over,
});

async function read(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const st = { bytes: 0, done: false };
  void (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) break;
      st.bytes += r.value!.length;
    }
    st.done = true;
  })();
  return st;
}

test.before(async () => {
  live = new LiveService({
    sendCommand: async (agentId, name, args) => {
      sent.push({ agentId, name, args });
    },
    verifyAgent: (id, pw) => id === 'a1' && pw === SECRET,
    stillAllowed: async () => allowed,
    audit: async (i) => {
      audits.push(i);
    },
    logger: createLogger('test', { level: 'silent' as 'error' }),
    idleMs: 100,
    recheckMs: 100,
  });
  server = createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => {
    if (!live.handleUpgrade(req, socket, head)) socket.destroy();
  });
  port = await new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
});

test.after(() => {
  live.close();
  server.close();
});

test('a wrong token is refused without an upgrade and spends the session token', async () => {
  await live.open(identity('cam-a'));
  const a = startOf('cam-a');
  assert.is((await dial(headersFor(a, { 'x-camfleet-live-token': 'f'.repeat(64) }))).status, 401);
  assert.is((await dial(headersFor(a))).status, 401, 'the real token no longer works after a wrong try');
  await waitFor('the upstream given up', () => sent.some((s) => s.name === 'live.stop' && s.args.sessionId === a.sessionId));
});

test('a wrong agent secret or another agent id is refused', async () => {
  await live.open(identity('cam-b'));
  const b = startOf('cam-b');
  assert.is((await dial(headersFor(b, { authorization: 'Bearer wrong-secret-000000' }))).status, 401);
  await live.open(identity('cam-c'));
  const c = startOf('cam-c');
  assert.is((await dial(headersFor(c, { 'x-camfleet-agent': 'a2' }))).status, 401);
});

test('the agent streams to the viewer; access ending cuts the viewer (audited); no viewer stops the agent', async () => {
  const { stream } = await live.open(identity('cam-d'));
  const v = await read(stream);
  const d = startOf('cam-d');
  const { ws } = await dial(headersFor(d));
  assert.ok(ws, 'the agent is connected');
  let agentClosed = false;
  ws!.on('close', () => (agentClosed = true));
  ws!.send(INIT);
  ws!.send(FRAG);
  await waitFor('the viewer has init and a fragment', () => v.bytes === INIT.length + FRAG.length);
  allowed = false;
  await waitFor('the viewer is cut', () => v.done);
  allowed = true;
  const stop = audits.filter((a) => a.action === 'live.stop').at(-1)!;
  assert.is(stop.detail!.reason, 'access-ended');
  assert.is(stop.detail!.bytes, INIT.length + FRAG.length);
  await waitFor('the agent told to stop and its socket closed', () => agentClosed && sent.some((s) => s.name === 'live.stop' && s.args.sessionId === d.sessionId));
});

test('a token is good for one connection only', async () => {
  await live.open(identity('cam-e'));
  const e = startOf('cam-e');
  const first = await dial(headersFor(e));
  assert.ok(first.ws);
  assert.is((await dial(headersFor(e))).status, 401);
  first.ws!.close();
});

test('a text frame from the agent closes the upstream and ends its viewers', async () => {
  const { stream } = await live.open(identity('cam-f'));
  const v = await read(stream);
  const { ws } = await dial(headersFor(startOf('cam-f')));
  let closed = false;
  ws!.on('close', () => (closed = true));
  ws!.send('hello');
  await waitFor('upstream closed', () => closed && v.done);
});

test.run();
