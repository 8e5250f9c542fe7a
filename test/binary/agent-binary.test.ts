/**
 * The shipped agent, as a technician gets it: the archive from `npm run build:agent`, unpacked
 * in an empty directory and run with a PATH that holds ffmpeg and nothing else (no node, no
 * node_modules anywhere above it). It must answer --version, enroll, check the box (doctor),
 * discover, scan, probe, check and record cameras, install itself (dry run and under a root
 * prefix) and report to an aggregator, which shows the binary's version and build.
 *
 * The build runs once when dist/ is stale: 35-60 s with the build cache, about 3 min from a cold
 * one (Node download from npm + better-sqlite3 compile; longer on a loaded machine). A dist/
 * artefact newer than all its inputs is reused as it is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorConfigSchema } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { startOnvifDevice, type OnvifDeviceSim } from '../sim/onvif/index.ts';
import { createSite } from '../uplink/support.ts';
import { REPO_ROOT, runToEnd, startChild, type Child } from '../support/processes.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const ARCHIVE = join(REPO_ROOT, 'dist', 'camfleet-agent-linux-x64.tar.gz');
const BARE = join(REPO_ROOT, 'dist', 'camfleet-agent-linux-x64');
const dir = tempDir();
const unpacked = join(dir.path, 'site-box');
const exe = join(unpacked, 'camfleet-agent', 'camfleet-agent');
const sysbin = join(dir.path, 'sysbin');
let agg: RunningAggregator;
let token: string;
let agentConfig: string;
let site: string;
let agentId = '';
const dataDir = join(dir.path, 'agent-data');
let build = '';
const children: Child[] = [];
const cleanups: Array<() => Promise<void>> = [];

/** The environment of a bare site box: system tools only (here: ffmpeg), no Node. */
function boxEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: sysbin, HOME: dir.path, LANG: 'C.UTF-8', CAMFLEET_LOG_LEVEL: 'warn', ...extra };
}

function agent(args: string[], extra: Record<string, string> = {}) {
  return runToEnd(exe, args, { cwd: unpacked, env: boxEnv(extra) });
}

// uvu reports a failing before hook only as failed tests: print the cause.
test.before(async () => {
  try {
    await setUp();
  } catch (err) {
    console.error(err);
    throw err;
  }
});

async function setUp(): Promise<void> {
  // CAMFLEET_BINARY_AS_BUILT=1 tests dist/ as it is (while iterating on this file).
  if (!process.env.CAMFLEET_BINARY_AS_BUILT || !existsSync(ARCHIVE)) {
    const built = await runToEnd(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', '--arch', 'x64', '--if-stale']);
    assert.is(built.code, 0, `build failed:\n${built.stdout}\n${built.stderr}`);
    console.log(`  ${built.stdout.trim().split('\n').join('\n  ')}`);
  }

  mkdirSync(unpacked, { recursive: true });
  copyFileSync(ARCHIVE, join(unpacked, 'camfleet-agent-linux-x64.tar.gz'));
  execFileSync('tar', ['-xzf', 'camfleet-agent-linux-x64.tar.gz'], { cwd: unpacked });
  mkdirSync(sysbin);
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const path = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(path, join(sysbin, tool));
  }

  agg = await startAggregator(
    AggregatorConfigSchema.parse({ dataDir: join(dir.path, 'agg'), mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' } }),
  );
  const admin = agg.users.create('admin', 'correct horse battery', 'admin');
  token = agg.users.issueToken(admin.id, 'test');
  site = createSite(agg.db, 'binary-site');
  agentConfig = join(dir.path, 'agent.json');
  writeFileSync(agentConfig, JSON.stringify({ dataDir, heartbeatSeconds: 1, keepaliveSeconds: 2, cameras: [] }));
}

test.after(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const c of cleanups) await c().catch(() => {});
  await agg?.close();
  dir.cleanup();
});

test('the box has no node: the PATH holds ffmpeg only and no node_modules is above the archive', () => {
  assert.is.not(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: boxEnv() }).status, 0, 'node is not on the PATH');
  assert.equal(readdirSync(sysbin).sort(), ['ffmpeg', 'ffprobe']);
  let p = unpacked;
  while (p !== '/') {
    assert.not.ok(existsSync(join(p, 'node_modules')), `node_modules above the archive at ${p}`);
    p = join(p, '..');
  }
  assert.equal(readdirSync(join(unpacked, 'camfleet-agent')).sort(), ['README.md', 'camfleet-agent', 'lib', 'share']);
  assert.ok(readdirSync(join(unpacked, 'camfleet-agent', 'lib')).includes('better_sqlite3.node'));
});

test('--version and --help', async () => {
  const v = await agent(['--version']);
  assert.is(v.code, 0, v.stderr);
  assert.is(v.stdout.trim(), '0.1.0');
  const h = await agent(['--help']);
  assert.is(h.code, 0);
  for (const c of ['run', 'doctor', 'install', 'uninstall']) assert.match(h.stdout, new RegExp(`^  ${c}\\b`, 'm'));
});

test('the bare executable alone answers --version and says plainly that its addons are missing', async () => {
  const alone = join(dir.path, 'alone');
  mkdirSync(alone);
  copyFileSync(BARE, join(alone, 'camfleet-agent'));
  chmodSync(join(alone, 'camfleet-agent'), 0o755);
  const v = await runToEnd(join(alone, 'camfleet-agent'), ['--version'], { cwd: alone, env: boxEnv() });
  assert.is(v.stdout.trim(), '0.1.0');
  const d = await runToEnd(join(alone, 'camfleet-agent'), ['doctor', '--json', '--config', agentConfig, '--write-test-mib', '4'], { cwd: alone, env: boxEnv() });
  const sqlite = JSON.parse(d.stdout).checks.find((c: { id: string }) => c.id === 'sqlite');
  assert.is(sqlite.status, 'fail');
  assert.match(sqlite.detail, /unpack the whole camfleet-agent archive/);
});

test('enroll: a one-time site token gives the agent its identity (credentials 0600)', async () => {
  const { token } = agg.uplink.enrollment.createToken(site, 3600);
  const r = await agent(['enroll', '--aggregator', agg.httpUrl, '--token-env', 'SITE_TOKEN', '--data', dataDir], { SITE_TOKEN: token });
  assert.is(r.code, 0, r.stderr);
  const file = join(dataDir, 'credentials.json');
  assert.is(statSync(file).mode & 0o777, 0o600);
  agentId = JSON.parse(readFileSync(file, 'utf8')).agentId;
  assert.match(agentId, /^binary-site-/);
});

test('doctor: native addons, model, profiles, ffmpeg, credentials, aggregator and clock all check out', async () => {
  const r = await agent(['doctor', '--json', '--config', agentConfig, '--aggregator-http', agg.httpUrl, '--write-test-mib', '8']);
  const report = JSON.parse(r.stdout);
  const status = Object.fromEntries(report.checks.map((c: { id: string; status: string; detail: string }) => [c.id, `${c.status}: ${c.detail}`]));
  assert.is(r.code, 0, JSON.stringify(status, null, 2));
  assert.is(report.layout, 'binary');
  assert.match(report.node, /^v22\./);
  assert.match(report.build, /^[0-9a-f]{7,}(-dirty)?\.\d{12}$|^nogit\.\d{12}$/);
  build = report.build;
  for (const id of ['ffmpeg', 'data-dir', 'clock', 'aggregator', 'credentials', 'sqlite', 'firmware-profiles']) assert.match(status[id], /^ok: /, `${id}: ${status[id]}`);
  if (existsSync(join(REPO_ROOT, 'models', 'nanodet.onnx'))) assert.match(status.detector, /^ok: NanoDet on onnxruntime/);
  // The text form says the same, one line per item.
  const text = await agent(['doctor', '--config', agentConfig, '--write-test-mib', '4']);
  assert.match(text.stdout, /^ok {4}sqlite +SQLite 3\.\d+/m);
  assert.match(text.stdout, /^verdict: (ok|warn) /m);
});

test('doctor fails (exit 1) when the credentials are readable by others', async () => {
  const loose = join(dir.path, 'loose.json');
  writeFileSync(loose, JSON.stringify({ agentId: 'x', password: 'p'.repeat(20) }));
  chmodSync(loose, 0o644);
  const cfg = join(dir.path, 'loose-agent.json');
  writeFileSync(cfg, JSON.stringify({ dataDir: join(dir.path, 'agent-data'), credentialsFile: loose }));
  const r = await agent(['doctor', '--config', cfg, '--write-test-mib', '4']);
  assert.is(r.code, 1);
  assert.match(r.stdout, /^fail  credentials .* readable by others\n +-> chmod 600 /m);
});

test('run: the agent reports to the aggregator, which shows its version and build', async () => {
  const run = startChild(exe, ['run', '--config', agentConfig], { cwd: unpacked, env: boxEnv() });
  children.push(run);
  interface Fleet {
    agents: Array<{ id: string; online: boolean; version: string | null; build: string | null }>;
  }
  const seen = await waitFor('the binary agent online in the fleet API', async () => {
    const res = await fetch(`${agg.httpUrl}/api/v1/fleet`, { headers: { authorization: `Bearer ${token}` } });
    const f = (await res.json()) as Fleet;
    const a = f.agents.find((x) => x.id === agentId);
    return a?.online && a.build ? a : undefined;
  });
  assert.is(seen.version, '0.1.0');
  assert.is(seen.build, build, 'the build id baked into the binary');
  run.kill('SIGTERM');
  assert.is(await run.exited, 0, run.output());
});

test('record: a fake camera is recorded into segments indexed in SQLite', async () => {
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
  assert.ok(report.ok);
  assert.ok(report.segments.length >= 1, v.stdout);
  assert.ok(report.segments.every((s) => s.verdict === 'intact'), v.stdout);
});

test('discover, scan, probe and check: a simulated ONVIF camera is found, read and checked', async () => {
  const cam: OnvifDeviceSim = await startOnvifDevice({ name: 'Binary Cam', manufacturer: 'SimVendor', model: 'SIM-1', username: 'admin', password: 'pa55-word!', discovery: true });
  cleanups.push(() => cam.close());
  const d = await agent(['discover', '--interface', '127.0.0.1', '--timeout', '4000', '--json']);
  assert.is(d.code, 0, d.stderr);
  const found = (JSON.parse(d.stdout) as Array<{ endpointReference: string; xaddrs: string[] }>).find((x) => x.endpointReference === cam.endpointReference);
  assert.ok(found, d.stdout);
  assert.equal(found!.xaddrs, [cam.url]);

  const s = await agent(['scan', '--cidr', '127.0.0.1/32', '--ports', String(cam.port), '--json']);
  assert.is(s.code, 0, s.stderr);
  const hosts = JSON.parse(s.stdout) as Array<{ host: string; onvif?: { deviceServiceUrl: string } }>;
  assert.is(hosts.find((h) => h.host === '127.0.0.1')?.onvif?.deviceServiceUrl, cam.url);

  const p = await agent(['probe', cam.url, '--user', 'admin', '--password-env', 'CAM_PASSWORD', '--json'], { CAM_PASSWORD: 'pa55-word!' });
  assert.is(p.code, 0, p.stderr);
  const record = JSON.parse(p.stdout);
  assert.match(JSON.stringify(record), /SimVendor/);
  assert.match(JSON.stringify(record), /SIM-1/);
  assert.not.match(p.stdout + p.stderr, /pa55-word!/, 'the password is never printed');

  // check: the city standard carried in share/ is found and applied.
  const c = await agent(['check', cam.url, '--user', 'admin', '--password-env', 'CAM_PASSWORD', '--json', '--no-credential-test'], { CAM_PASSWORD: 'pa55-word!' });
  assert.ok(c.code === 0 || c.code === 1, `check exits 0 (pass) or 1 (fails the standard): ${c.code} ${c.stderr}`);
  const checked = JSON.parse(c.stdout) as { conformance: { standard: string; verdict: string; rules: unknown[] } };
  assert.ok(checked.conformance.rules.length > 0);
  assert.is(c.code, checked.conformance.verdict === 'fail' ? 1 : 0);
});

test('install --dry-run prints the unit for this executable and changes nothing; --root writes a unit systemd accepts', async () => {
  const cfg = join(dir.path, 'service.json');
  writeFileSync(cfg, JSON.stringify({ dataDir: '/var/lib/camfleet' }));
  const dry = await agent(['install', '--config', cfg, '--dry-run']);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`^ +\\| ExecStart=${exe.replaceAll('/', '\\/').replaceAll('.', '\\.')} run --config `, 'm'));
  assert.match(dry.stdout, /^would write \/etc\/systemd\/system\/camfleet-agent\.service /m);
  assert.match(dry.stdout, /^would run systemctl restart camfleet-agent\.service$/m);
  assert.match(dry.stdout, /^dry run: nothing was changed$/m);
  assert.not.ok(existsSync('/etc/systemd/system/camfleet-agent.service'));

  const root = join(dir.path, 'image');
  const first = await agent(['install', '--config', cfg, '--root', root]);
  assert.is(first.code, 0, first.stderr);
  const unit = join(root, 'etc/systemd/system/camfleet-agent.service');
  assert.ok(statSync(unit).isFile());
  const again = await agent(['install', '--config', cfg, '--root', root]);
  assert.match(again.stdout, /already installed: nothing to change/);
  if (spawnSync('systemd-analyze', ['--version']).status === 0) {
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.is(verify.status, 0, verify.stderr);
  }
  const un = await agent(['uninstall', '--root', root]);
  assert.is(un.code, 0);
  assert.not.ok(existsSync(unit));
});

test.run();
