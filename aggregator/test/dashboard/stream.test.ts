/** The live stream: fleet changes become data-free hints, bursts coalesce, close() ends every stream. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { openDatabase } from '../../src/db/database.ts';
import { FleetStore, type FleetChange } from '../../src/fleet/store.ts';
import { LiveStreams } from '../../src/dashboard/stream.ts';
import { waitFor } from '../../../test/support/wait.ts';

function setup() {
  const db = openDatabase(':memory:');
  const fleet = new FleetStore(db);
  fleet.createAgent('site-1');
  const live = new LiveStreams(fleet, { coalesceMs: 20 });
  const app = new Hono();
  app.get('/stream', (c) => live.handle(c));
  return { db, fleet, live, app };
}

async function reader(res: Response) {
  const decoder = new TextDecoder();
  const r = res.body!.getReader();
  let text = '';
  void (async () => {
    for (;;) {
      const { value, done } = await r.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { text: () => text, events: (name: string) => text.split('\n').filter((l) => l === `event: ${name}`).length, cancel: () => r.cancel() };
}

test('the store announces agent and camera changes', () => {
  const { fleet, db } = setup();
  const seen: FleetChange[] = [];
  fleet.changes.on('change', (c) => seen.push(c));
  fleet.setOnline('site-1', true);
  fleet.replaceCameras('site-1', [{ id: 'cam', online: true, recording: true }]);
  fleet.revokeAgent('site-1');
  assert.equal(seen, [
    { agentId: 'site-1', what: 'agent' },
    { agentId: 'site-1', what: 'cameras' },
    { agentId: 'site-1', what: 'agent' },
  ]);
  db.close();
});

test('a burst of changes reaches the browser as one data-free hint', async () => {
  const { fleet, live, app, db } = setup();
  const res = await app.request('/stream');
  assert.is(res.headers.get('content-type'), 'text/event-stream');
  const s = await reader(res);
  await waitFor('hello', () => s.events('hello') === 1);
  for (let i = 0; i < 20; i++) fleet.setOnline('site-1', i % 2 === 0);
  await waitFor('a fleet hint', () => s.events('fleet') >= 1);
  assert.is(s.events('fleet'), 1, 'twenty changes in one burst give one hint');
  // The hint names nothing: what changed is read back through the API with the user's permissions.
  assert.not.match(s.text(), 'site-1');
  fleet.replaceCameras('site-1', [{ id: 'cam', online: false, recording: false }]);
  await waitFor('a second hint', () => s.events('fleet') === 2);
  assert.is(live.size, 1);
  live.close();
  await waitFor('the stream to end', () => live.size === 0);
  assert.is(fleet.changes.listenerCount('change'), 0, 'no listener left behind');
  db.close();
});

test('many browsers share one store listener, and one that goes away is forgotten', async () => {
  const { fleet, live, app, db } = setup();
  const streams = await Promise.all(Array.from({ length: 20 }, async () => reader(await app.request('/stream'))));
  await waitFor('twenty hellos', () => streams.every((s) => s.events('hello') === 1));
  assert.is(fleet.changes.listenerCount('change'), 1, 'one listener, whatever the number of browsers');
  fleet.setOnline('site-1', true);
  await waitFor('every browser hinted', () => streams.every((s) => s.events('fleet') === 1));
  await streams[0]!.cancel();
  await waitFor('the closed stream forgotten', () => live.size === 19);
  live.close();
  await waitFor('all ended', () => live.size === 0);
  db.close();
});

test.run();
