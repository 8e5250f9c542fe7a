import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { measureClockOffset } from '../../src/system/clock.ts';

const HOUR = 3_600_000;

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

test("an aggregator an hour ahead is measured an hour ahead, within half the round trip", async () => {
  const { url, server } = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', time: new Date(Date.now() + HOUR).toISOString() }));
  });
  try {
    const r = (await measureClockOffset(url))!;
    assert.ok(Math.abs(r.offsetMs - HOUR) <= r.roundTripMs / 2 + 1, `${r.offsetMs} vs ${HOUR} (rtt ${r.roundTripMs})`);
  } finally {
    server.close();
  }
});

test('without a time in the answer, the Date header gives a reading to the second', async () => {
  const { url, server } = await serve((_req, res) => {
    res.setHeader('date', new Date(Date.now() - HOUR).toUTCString());
    res.end('not json');
  });
  try {
    const r = (await measureClockOffset(url))!;
    assert.ok(Math.abs(r.offsetMs + HOUR) <= 1000 + r.roundTripMs, `${r.offsetMs}`);
  } finally {
    server.close();
  }
});

test('an unreachable aggregator gives no reading', async () => {
  const { url, server } = await serve(() => undefined);
  server.close();
  assert.is(await measureClockOffset(url, 2000), undefined);
});

test.run();
