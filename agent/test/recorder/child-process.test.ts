/**
 * The one child-process helper (agent/src/system/child-process.ts): a child dies with the agent
 * even by SIGKILL, is recorded by PID while it runs, and a relaunch kills what an earlier agent
 * left (and only that).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/tmp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import {
  CHILDREN_DIR,
  childRecords,
  initChildRegistry,
  leftovers,
  parseProcStat,
  readProcStat,
  runChild,
  spawnChild,
  type ChildRecord,
} from '../../src/system/child-process.ts';

const alive = (pid: number, startTicks?: number) => {
  const s = readProcStat(pid);
  return !!s && s.state !== 'Z' && (startTicks === undefined || s.startTicks === startTicks);
};

test('parseProcStat: a command name with spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S';
  fields[1] = '77'; // ppid (field 4)
  fields[19] = '123456'; // starttime (field 22)
  const s = parseProcStat(`4242 (ff) mp (eg)) ${fields.join(' ')}`);
  assert.equal(s, { pid: 4242, comm: 'ff) mp (eg)', state: 'S', ppid: 77, startTicks: 123456 });
  assert.is(parseProcStat('garbage'), undefined);
});

test('leftovers: running children of another agent with the same start time; never our own, never a recycled PID', () => {
  const stat = (pid: number) => ({ 10: { pid: 10, comm: 'ffmpeg', state: 'S', ppid: 1, startTicks: 500 }, 11: { pid: 11, comm: 'bash', state: 'S', ppid: 1, startTicks: 999 }, 12: { pid: 12, comm: 'ffmpeg', state: 'Z', ppid: 1, startTicks: 7 } })[pid as 10 | 11 | 12];
  const rec = (pid: number, ownerPid: number, startTicks: number): ChildRecord => ({ pid, ownerPid, startTicks, name: 'record:gate', cmd: 'ffmpeg', startedAt: '' });
  const found = leftovers([rec(10, 1, 500), rec(11, 1, 600), rec(12, 1, 7), rec(13, 1, 1), rec(10, 2000, 500)], 2000, stat);
  assert.equal(found.map((r) => [r.pid, r.ownerPid]), [[10, 1]]);
});

test('spawnChild records the child while it runs and removes the record when it has exited; runChild collects output', async () => {
  const dir = tempDir();
  try {
    await initChildRegistry(dir.path);
    const child = spawnChild('sleep', ['30'], { name: 'test:sleep', stdio: 'ignore' });
    const recs = childRecords(dir.path);
    assert.is(recs.length, 1);
    assert.is(recs[0]!.pid, child.pid);
    assert.is(recs[0]!.ownerPid, process.pid);
    assert.is(recs[0]!.startTicks, readProcStat(child.pid!)!.startTicks);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.is(childRecords(dir.path).length, 0);
    const r = await runChild('sh', ['-c', 'echo out; echo err >&2; exit 3'], { name: 'test:sh' });
    assert.equal([r.code, r.stdout.toString(), r.stderr], [3, 'out\n', 'err\n']);
  } finally {
    dir.cleanup();
  }
});

test('a child dies with its parent, even by SIGKILL (parent-death signal)', async () => {
  const dir = tempDir();
  try {
    // a stand-in agent: starts a child through the helper, prints its pid, waits to be killed
    const script = join(dir.path, 'parent.mts');
    writeFileSync(
      script,
      `import { initChildRegistry, spawnChild } from ${JSON.stringify(new URL('../../src/system/child-process.ts', import.meta.url).pathname)};
       await initChildRegistry(${JSON.stringify(dir.path)});
       const c = spawnChild('sleep', ['60'], { name: 'test:sleep', stdio: 'ignore' });
       console.log('CHILD ' + c.pid);
       setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout!.on('data', (d) => (out += d));
    const childPid = Number(await waitFor('the child started', () => /CHILD (\d+)/.exec(out)?.[1]));
    assert.ok(alive(childPid));
    parent.kill('SIGKILL');
    await waitFor('the child gone with its parent', () => !alive(childPid), { timeoutMs: 10_000, intervalMs: 20 });
    // its record stays behind (the parent could not remove it): the next start clears it
    assert.is(childRecords(dir.path).length, 1);
    const { killed } = await initChildRegistry(dir.path);
    assert.is(killed.length, 0, 'nothing was left running');
    assert.is(childRecords(dir.path).length, 0);
  } finally {
    dir.cleanup();
  }
});

test('a relaunch kills what an earlier agent left running (by recorded PID), and leaves everything else alone', async () => {
  const dir = tempDir();
  const stray = spawn('sleep', ['60'], { stdio: 'ignore' }); // not started through the helper: no parent-death signal
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const recordsDir = join(dir.path, CHILDREN_DIR);
    mkdirSync(recordsDir, { recursive: true });
    const earlierAgent = 999_999_999;
    const write = (pid: number, startTicks: number) =>
      writeFileSync(join(recordsDir, `${pid}.json`), JSON.stringify({ pid, ownerPid: earlierAgent, startTicks, name: 'frames', cmd: 'ffmpeg', startedAt: new Date().toISOString() }));
    write(stray.pid!, readProcStat(stray.pid!)!.startTicks);
    // the bystander has a recycled PID: its start time is not the recorded one
    write(bystander.pid!, readProcStat(bystander.pid!)!.startTicks + 1);
    writeFileSync(join(recordsDir, '12345.json'), '{"pid": 12'); // torn by a crash
    const { killed } = await initChildRegistry(dir.path);
    assert.equal(killed.map((r) => r.pid), [stray.pid]);
    await waitFor('the stray reaped', () => stray.exitCode !== null || stray.signalCode !== null);
    assert.is(stray.signalCode, 'SIGKILL');
    assert.ok(alive(bystander.pid!), 'a process that only shares a recorded PID is not touched');
    assert.ok(!existsSync(join(recordsDir, '12345.json')));
    assert.is(childRecords(dir.path).length, 0);
  } finally {
    stray.kill('SIGKILL');
    bystander.kill('SIGKILL');
    dir.cleanup();
  }
});

test.run();
