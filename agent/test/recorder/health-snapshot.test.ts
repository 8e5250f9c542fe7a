import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import jpeg from 'jpeg-js';
import { startRtspSim } from '../../../test/sim/rtsp.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { AgentHealthSampler } from '../../src/health/agent-health.ts';
import { snapshot, snapshotFromStream } from '../../src/health/snapshot.ts';
import { SMALL } from './helpers.ts';

test('agent figures are measured', async () => {
  const dir = tempDir();
  try {
    const sampler = new AgentHealthSampler(dir.path);
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i; // some CPU to measure
    const h = sampler.sample();
    assert.ok(x > 0 && h.cpuPercent > 0, `cpu ${h.cpuPercent}%`);
    assert.ok(h.memRssBytes > 10e6 && (h.pssBytes ?? 0) > 1e6);
    assert.ok(h.disk && h.disk.totalBytes > 0 && h.disk.freeBytes <= h.disk.totalBytes);
  } finally {
    dir.cleanup();
  }
});

test('snapshot: from the stream, and from a snapshot URI needing auth (falling back to the stream)', async () => {
  const sim = await startRtspSim({ streams: [{ name: 'cam', ...SMALL }] });
  const jpg = jpeg.encode({ width: 4, height: 4, data: Buffer.alloc(64, 200) }, 80).data;
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('op:pw').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpg);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const frame = await snapshotFromStream(sim.url('cam'));
    const decoded = jpeg.decode(frame);
    assert.equal([decoded.width, decoded.height], [320, 240]);
    const uri = `http://127.0.0.1:${(server.address() as { port: number }).port}/snap.jpg`;
    assert.equal(await snapshot({ snapshotUri: uri, credentials: { username: 'op', password: 'pw' } }), Buffer.from(jpg));
    const fallback = await snapshot({ snapshotUri: uri, streamUrl: sim.url('cam') });
    assert.is(jpeg.decode(fallback).width, 320);
  } finally {
    server.close();
    await sim.close();
  }
});

test.run();
