/**
 * Clip transfer over MQTT: chunked, each chunk checked, resumed after the agent is killed
 * mid-upload (SIGKILL), verified whole by sha256, stored content-addressed with its metadata.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { encodeMessage, makeMessage, topicFor } from '@camfleet/shared';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { enrollAgent, startTestAggregator, startTestUplink } from './support.ts';

const script = fileURLToPath(new URL('./clip-agent.ts', import.meta.url));

function startAgentProcess(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

test('an upload killed with SIGKILL resumes after restart and completes with the right hash', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(join(dir.path, 'agg'), { uplink: { clipNeedRetrySeconds: 1 } });
  const creds = enrollAgent(agg);
  const credsFile = join(dir.path, 'creds.json');
  writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  const clipFile = join(dir.path, 'clip.mp4');
  const content = randomBytes(24 * 32 * 1024 + 1000); // 25 chunks of 32 KiB, the last one short
  writeFileSync(clipFile, content);
  const sha = createHash('sha256').update(content).digest('hex');
  const args = [join(dir.path, 'agent'), credsFile, clipFile, String(160 * 1024), String(32 * 1024)];
  let proc = startAgentProcess(args);
  try {
    const clip = () => agg.uplink.clips.get(creds.agentId, 'clip-1');
    await waitFor('a few chunks received', () => (clip()?.receivedChunks ?? 0) >= 4);
    proc.child.kill('SIGKILL');
    await exited(proc.child);
    const partway = clip()!;
    assert.is(partway.state, 'receiving');
    assert.ok(partway.receivedChunks < partway.chunks, `killed mid-upload (${partway.receivedChunks}/${partway.chunks})`);

    proc = startAgentProcess(args);
    await waitFor('clip complete', () => clip()?.state === 'complete', { timeoutMs: 60_000 });
    await waitFor('agent told the clip is done', () => /finished clip-1 done/.test(proc.output()) || undefined);

    const done = clip()!;
    assert.is(done.sha256, sha);
    assert.is(done.path, join('clips', sha.slice(0, 2), `${sha}.mp4`));
    assert.equal(done.segmentHashes, ['a'.repeat(64), 'b'.repeat(64)]);
    const stored = readFileSync(agg.uplink.clips.filePath(done)!);
    assert.is(createHash('sha256').update(stored).digest('hex'), sha);
    assert.is(agg.ingest.counters.rejected['chunk-hash-mismatch'] ?? 0, 0);
  } finally {
    proc.child.kill('SIGKILL');
    await exited(proc.child);
    await agg.close();
    dir.cleanup();
  }
});

test('chunks that do not match their hash, or belong to no offered clip, are refused and counted', async () => {
  const dir = tempDir();
  const agg = await startTestAggregator(dir.path);
  try {
    const a = enrollAgent(agg);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agg.mqttPort}`, { clientId: a.agentId, username: a.agentId, password: a.password, reconnectPeriod: 0 });
    const data = randomBytes(1000);
    const sha = createHash('sha256').update(data).digest('hex');
    const offer = makeMessage('clip.offer', a.agentId, 1, {
      clipId: 'c1', cameraId: 'cam1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:10Z',
      bytes: 1000, sha256: sha, chunkBytes: 1000, chunks: 1, segmentHashes: [],
    });
    await client.publishAsync(topicFor('clipOffer', a.agentId), encodeMessage(offer), { qos: 1 });
    const chunk = (clipId: string, bytes: Buffer, claimed: string, seq: number) =>
      encodeMessage(makeMessage('clip.chunk', a.agentId, seq, { clipId, index: 0, sha256: claimed, dataBase64: bytes.toString('base64') }));
    const tampered = Buffer.from(data);
    tampered[0]! ^= 0xff;
    await client.publishAsync(topicFor('clipChunk', a.agentId), chunk('c1', tampered, sha, 2), { qos: 1 });
    await client.publishAsync(topicFor('clipChunk', a.agentId), chunk('nope', data, sha, 3), { qos: 1 });
    assert.is(agg.ingest.counters.rejected['chunk-hash-mismatch'], 1);
    assert.is(agg.ingest.counters.rejected['chunk-unknown-clip'], 1);
    assert.is(agg.uplink.clips.get(a.agentId, 'c1')!.receivedChunks, 0);
    await client.publishAsync(topicFor('clipChunk', a.agentId), chunk('c1', data, sha, 4), { qos: 1 });
    await waitFor('clip verified', () => agg.uplink.clips.get(a.agentId, 'c1')?.state === 'complete');
    await client.endAsync();
  } finally {
    await agg.close();
    dir.cleanup();
  }
});

test('an aggregator restart mid-upload: the transfer resumes where it stopped', async () => {
  const dir = tempDir();
  const aggData = join(dir.path, 'agg');
  let agg = await startTestAggregator(aggData, { uplink: { clipNeedRetrySeconds: 1 } });
  const ports = { mqtt: { port: agg.mqttPort }, uplink: { clipNeedRetrySeconds: 1 } };
  const creds = enrollAgent(agg);
  const agent = startTestUplink({ dataDir: join(dir.path, 'agent'), credentials: creds, bandwidthBytesPerSecond: 128 * 1024, clipChunkBytes: 16 * 1024 });
  try {
    const content = randomBytes(40 * 16 * 1024);
    const sha = createHash('sha256').update(content).digest('hex');
    const file = join(dir.path, 'clip.mp4');
    writeFileSync(file, content);
    await waitFor('connected', () => agent.uplink.connected);
    await agent.uplink.offerClip(file, { clipId: 'c2', cameraId: 'cam2', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:30Z', segmentHashes: [] });
    await waitFor('part of the clip in', () => (agg.uplink.clips.get(creds.agentId, 'c2')?.receivedChunks ?? 0) >= 5);
    await agg.close();
    agg = await startTestAggregator(aggData, ports);
    const before = agg.uplink.clips.get(creds.agentId, 'c2')!;
    assert.is(before.state, 'receiving');
    assert.ok(before.receivedChunks >= 5 && before.receivedChunks < 40, `resumed from ${before.receivedChunks} of 40 chunks`);
    await waitFor('clip complete after the restart', () => agg.uplink.clips.get(creds.agentId, 'c2')?.state === 'complete', { timeoutMs: 60_000 });
    await waitFor('agent finished the upload', () => agent.uplink.clips.state('c2') === 'done');
    const done = agg.uplink.clips.get(creds.agentId, 'c2')!;
    assert.is(createHash('sha256').update(readFileSync(agg.uplink.clips.filePath(done)!)).digest('hex'), sha);
    // Not everything was sent twice: the chunks stored before the restart were not asked for again.
    assert.ok(agent.uplink.sender.counters.chunksSent < 2 * 40, `${agent.uplink.sender.counters.chunksSent} chunks sent for 40`);
  } finally {
    await agent.close();
    await agg.close();
    dir.cleanup();
  }
});

test.run();
