/**
 * `verify` and `export` never say "OK" about nothing: an unknown camera and an empty range are
 * refused with a clear message and a non-zero exit; `verify` states the span it covered, the
 * gaps with their causes and any hole without one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runProgram } from '@camfleet/shared';
import { tempDir } from '../../../test/support/tmp.ts';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { verify } from '../../src/cli/commands/verify.ts';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { recordFake } from './fixtures.ts';

const program = { name: 'camfleet-agent', version: 'test', description: '', commands: [verify, exportCommand] };

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runProgram(program, args, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

const dir = tempDir();
const t0 = Date.parse('2026-01-05T08:00:00Z');

test.before(async () => {
  const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
  // two runs: 3 segments, a 10 s outage with its gap row, 2 segments, then a 6 s hole nobody explained
  await recordFake(index, dir.path, 'gate', 3, t0, 2, '100');
  index.addGap('gate', t0 + 6000, t0 + 16_000, 'agent-down');
  await recordFake(index, dir.path, 'gate', 2, t0 + 16_000, 2, '200');
  await recordFake(index, dir.path, 'gate', 1, t0 + 26_000, 2, '300');
  index.db.close();
});

test.after(() => dir.cleanup());

test('verify of an unknown camera: refused, non-zero, naming the cameras that exist', async () => {
  const r = await cli(['verify', '--data', dir.path, '--camera', 'gaet']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no camera 'gaet'/);
  assert.match(r.stderr, /gate/);
  assert.not.match(r.stdout, /OK/);
});

test('verify of a range with nothing recorded: not OK, exit 4, with where the record is', async () => {
  const r = await cli(['verify', '--data', dir.path, '--camera', 'gate', '--from', '2026-02-01T00:00:00Z', '--to', '2026-02-02T00:00:00Z']);
  assert.is(r.code, 4);
  assert.match(r.stdout, /nothing recorded between/);
  assert.match(r.stdout, /2026-01-05T08:00:00.000Z/);
  assert.not.match(r.stdout, /-> OK/);
});

test('verify states the span, the gaps with their causes and the hole without one', async () => {
  const r = await cli(['verify', '--data', dir.path, '--camera', 'gate']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /gap\s+2026-01-05T08:00:06.000Z \.\. 2026-01-05T08:00:16.000Z\s+10.0 s\s+agent-down/);
  assert.match(r.stdout, /hole\s+2026-01-05T08:00:20.000Z \.\. 2026-01-05T08:00:26.000Z\s+6.0 s\s+no recorded cause/);
  assert.match(r.stdout, /gate: 2026-01-05T08:00:00.000Z \.\. 2026-01-05T08:00:28.000Z \(28.0 s\): 6 segment\(s\): 6 intact/);
  assert.match(r.stdout, /1 gap\(s\) \(10.0 s\), 1 without a cause/);
  const json = JSON.parse((await cli(['verify', '--data', dir.path, '--camera', 'gate', '--json'])).stdout);
  assert.equal(json.span, { from: '2026-01-05T08:00:00.000Z', to: '2026-01-05T08:00:28.000Z' });
  assert.is(json.gaps[0].cause, 'agent-down');
  assert.is(json.unaccounted.length, 1);
});

test('verify refuses --to before --from', async () => {
  const r = await cli(['verify', '--data', dir.path, '--camera', 'gate', '--from', '2026-01-05T09:00:00Z', '--to', '2026-01-05T08:00:00Z']);
  assert.is(r.code, 2);
});

test('export of an unknown camera or an empty range: refused, nothing written', async () => {
  const out = join(dir.path, 'clip.mp4');
  let r = await cli(['export', '--data', dir.path, '--camera', 'nope', '--from', '2026-01-05T08:00:00Z', '--to', '2026-01-05T08:00:04Z', '-o', out]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no camera 'nope'/);
  r = await cli(['export', '--data', dir.path, '--camera', 'gate', '--from', '2026-01-05T08:00:07Z', '--to', '2026-01-05T08:00:15Z', '-o', out]);
  assert.is(r.code, 4);
  assert.match(r.stderr, /no footage of gate/);
  assert.not.ok(existsSync(out));
  r = await cli(['export', '--data', dir.path, '--camera', 'gate', '--from', '2026-01-05T08:00:00Z', '--to', '2026-01-05T08:00:04Z', '-o', out, '--pre-roll', '-3']);
  assert.is(r.code, 2);
});

test.run();
