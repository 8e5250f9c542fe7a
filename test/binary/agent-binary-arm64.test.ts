/**
 * The linux-arm64 agent, cross-built on this x64 machine (`npm run build:agent -- --arch arm64`),
 * run as a technician would on an ARM box, through Debian's qemu-aarch64-static (user-mode
 * emulation, with the cross toolchain's ARM64 glibc as the sysroot): unpacked in an empty
 * directory, PATH holding ffmpeg only, no node anywhere. It must answer --version, pass doctor
 * (its ARM64 better-sqlite3 and onnxruntime load), record a simulated camera and verify the
 * recording, and detect a person in a photograph.
 *
 * Time: the build runs only when dist/ is stale (about 1 min with the build cache; 4-5 min cold:
 * the ARM64 Node from npm, better-sqlite3 cross-compiled ~2.5 min, the SEA blob made under qemu).
 * Emulated, every command is slow (start-up ~3 s of CPU; one NanoDet frame ~20-40 s on a busy
 * machine), so the test runs each command once and no more. ffmpeg is the host's (x64): qemu-user
 * starts a host binary natively when the emulated agent spawns it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetRunner } from '../../scripts/build/emulator.ts';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { REPO_ROOT, runToEnd } from '../support/processes.ts';
import { tempDir } from '../support/tmp.ts';

const TARGET = 'linux-arm64';
const ARCHIVE = join(REPO_ROOT, 'dist', `camfleet-agent-${TARGET}.tar.gz`);
const PHOTO = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg';
const dir = tempDir();
const unpacked = join(dir.path, 'arm-box');
const exe = join(unpacked, 'camfleet-agent', 'camfleet-agent');
const sysbin = join(dir.path, 'sysbin');
const cleanups: Array<() => Promise<void>> = [];
let runner: ReturnType<typeof targetRunner>;

function boxEnv(): NodeJS.ProcessEnv {
  return { PATH: sysbin, HOME: dir.path, LANG: 'C.UTF-8', CAMFLEET_LOG_LEVEL: 'warn', ...runner.env };
}

/** The ARM64 executable, through the emulator. */
function agent(args: string[]) {
  const [cmd, ...pre] = [...runner.prefix, exe];
  return runToEnd(cmd!, [...pre, ...args], { cwd: unpacked, env: boxEnv() });
}

function elfMachine(file: string): string {
  return /Machine:\s+(.+)/.exec(execFileSync('readelf', ['-h', file], { encoding: 'utf8' }))?.[1]?.trim() ?? '';
}

test.before(async () => {
  try {
    // Throws with the apt packages to install when qemu or the ARM64 sysroot is missing.
    runner = targetRunner(TARGET);
    if (!process.env.CAMFLEET_BINARY_AS_BUILT || !existsSync(ARCHIVE)) {
      const built = await runToEnd(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', '--arch', 'arm64', '--if-stale']);
      assert.is(built.code, 0, `build failed:\n${built.stdout}\n${built.stderr}`);
      console.log(`  ${built.stdout.trim().split('\n').join('\n  ')}`);
    }
    mkdirSync(unpacked, { recursive: true });
    copyFileSync(ARCHIVE, join(unpacked, 'camfleet-agent-linux-arm64.tar.gz'));
    execFileSync('tar', ['-xzf', 'camfleet-agent-linux-arm64.tar.gz'], { cwd: unpacked });
    mkdirSync(sysbin);
    for (const tool of ['ffmpeg', 'ffprobe']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(sysbin, tool));
  } catch (err) {
    console.error(err);
    throw err;
  }
});

test.after(async () => {
  for (const c of cleanups) await c().catch(() => {});
  dir.cleanup();
});

test('the archive holds an ARM64 executable and ARM64 addons, and no node is on the box', () => {
  assert.is(elfMachine(exe), 'AArch64');
  const lib = join(unpacked, 'camfleet-agent', 'lib');
  assert.equal(readdirSync(lib).sort(), ['better_sqlite3.node', 'libonnxruntime.so.1', 'onnxruntime_binding.node']);
  for (const f of readdirSync(lib)) assert.is(elfMachine(join(lib, f)), 'AArch64', f);
  assert.is.not(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: boxEnv() }).status, 0);
  if (existsSync(join(REPO_ROOT, 'models', 'nanodet.onnx'))) assert.ok(existsSync(join(unpacked, 'camfleet-agent', 'share', 'models', 'nanodet.onnx')));
});

test('--version under qemu-aarch64', async () => {
  const v = await agent(['--version']);
  assert.is(v.code, 0, v.stderr);
  assert.is(v.stdout.trim(), '0.1.0');
});

test('doctor: the ARM64 better-sqlite3 and onnxruntime load, the model runs, ffmpeg and profiles are found', async () => {
  const data = join(dir.path, 'doctor-data');
  const config = join(dir.path, 'agent.json');
  mkdirSync(data, { recursive: true });
  writeFileSync(config, JSON.stringify({ dataDir: data, cameras: [] }));
  const r = await agent(['doctor', '--json', '--config', config, '--write-test-mib', '2']);
  const report = JSON.parse(r.stdout) as { layout: string; node: string; checks: Array<{ id: string; status: string; detail: string }> };
  const status = Object.fromEntries(report.checks.map((c) => [c.id, `${c.status}: ${c.detail}`]));
  assert.is(report.layout, 'binary');
  assert.match(report.node, /^v22\./);
  for (const id of ['ffmpeg', 'data-dir', 'sqlite', 'firmware-profiles']) assert.match(status[id] ?? '', /^ok: /, `${id}: ${status[id]}`);
  assert.match(status.sqlite!, /better-sqlite3 addon loads/);
  if (existsSync(join(REPO_ROOT, 'models', 'nanodet.onnx'))) assert.match(status.detector!, /^ok: NanoDet on onnxruntime/);
  // No aggregator and no credentials here: those two fail, and nothing else does.
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
  assert.equal(failed, ['aggregator', 'credentials'], JSON.stringify(status, null, 2));
});

test('record + verify: a simulated camera is recorded into hash-chained segments in SQLite, all intact', async () => {
  const rtsp: RtspSim = await startRtspSim({ streams: [{ name: 'cam1', width: 320, height: 240, fps: 10 }] });
  cleanups.push(() => rtsp.close());
  const data = join(dir.path, 'rec');
  // 12 s, not less: on a busy machine ffmpeg may take several seconds to get the first packets,
  // and a recording stopped before then holds no segment.
  const r = await agent(['record', rtsp.url('cam1'), '--data', data, '--camera', 'cam1', '--segment-seconds', '2', '--duration', '12', '--audio', 'none']);
  assert.is(r.code, 0, r.stderr);
  const v = await agent(['verify', '--data', data, '--camera', 'cam1', '--json']);
  assert.is(v.code, 0, v.stderr + v.stdout);
  const report = JSON.parse(v.stdout) as { ok: boolean; segments: Array<{ verdict: string }> };
  assert.ok(report.ok, v.stdout);
  assert.ok(report.segments.length >= 1, v.stdout);
  assert.ok(report.segments.every((s) => s.verdict === 'intact'), v.stdout);
});

test('detect: NanoDet on the ARM64 onnxruntime finds the person in a photograph', async () => {
  assert.ok(existsSync(PHOTO), `${PHOTO} (Debian's opencv-doc, installed by scripts/setup.sh)`);
  const r = await agent(['detect', PHOTO, '--json', '--classes', 'person']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; detections?: Array<{ class: string; score: number }> });
  const people = lines.flatMap((l) => l.detections ?? []).filter((d) => d.class === 'person');
  assert.ok(people.length >= 1, r.stdout);
  assert.ok(people.some((p) => p.score >= 0.4), r.stdout);
});

test.run();
