/** `install` / `uninstall` against a temporary root: files written, idempotence, dry run, refusals. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/tmp.ts';
import {
  applySteps,
  hiddenPathWarnings,
  installSteps,
  PATHS,
  renderUnit,
  serviceSpecFromConfig,
  systemdWord,
  uninstallSteps,
  type ServiceSpec,
  type Step,
} from '../../src/service/index.ts';

const spec: ServiceSpec = {
  exec: ['/opt/camfleet-agent/camfleet-agent'],
  configFile: '/etc/camfleet/agent.yaml',
  dataDir: '/var/lib/camfleet',
  credentialsFile: '/var/lib/camfleet/credentials.json',
  user: 'camfleet',
};

function apply(steps: ReturnType<typeof installSteps>, root: string, dryRun = false) {
  const lines: string[] = [];
  const commands: string[][] = [];
  const changed = applySteps(steps, { root, dryRun, log: (l) => lines.push(l), runCommand: (argv) => commands.push(argv) });
  return { changed, lines, commands };
}

test('the unit restarts on failure, runs as the dedicated user and may write only the data directory', () => {
  const unit = renderUnit(spec);
  assert.match(unit, /^ExecStart=\/opt\/camfleet-agent\/camfleet-agent run --config \/etc\/camfleet\/agent\.yaml$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^User=camfleet$/m);
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  assert.match(unit, /^ProtectSystem=strict$/m);
  assert.match(unit, /^ReadWritePaths=\/var\/lib\/camfleet$/m);
  assert.match(unit, /^CapabilityBoundingSet=$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
});

test('ExecStart words are quoted and escaped; a newline (directive injection) is refused', () => {
  assert.is(systemdWord('/opt/camfleet/bin'), '/opt/camfleet/bin');
  assert.is(systemdWord('/srv/my cams/agent.yaml'), '"/srv/my cams/agent.yaml"');
  assert.is(systemdWord('/srv/100%/a'), '/srv/100%%/a');
  assert.is(systemdWord('/srv/"q"'), '"/srv/\\"q\\""');
  assert.throws(() => systemdWord('/etc/x\nExecStartPre=/bin/rm -rf /'), /control character/);
  assert.throws(() => renderUnit({ ...spec, dataDir: '/var/lib/cam fleet' }), /spaces/);
});

test('install writes the unit, user and data-directory entries and enables it; a second run changes nothing', () => {
  const dir = tempDir();
  try {
    const first = apply(installSteps(spec), dir.path);
    assert.ok(first.changed);
    assert.equal(first.commands, [], 'no command runs for a non-live root');
    assert.is(readFileSync(join(dir.path, PATHS.unit), 'utf8'), renderUnit(spec));
    assert.match(readFileSync(join(dir.path, PATHS.sysusers), 'utf8'), /^u camfleet - "camfleet agent" \/var\/lib\/camfleet /m);
    assert.match(readFileSync(join(dir.path, PATHS.tmpfiles), 'utf8'), /^d \/var\/lib\/camfleet 0750 camfleet camfleet -$/m);
    assert.match(readFileSync(join(dir.path, PATHS.tmpfiles), 'utf8'), /^z \/var\/lib\/camfleet\/credentials\.json 0600 camfleet camfleet -$/m);
    const wants = join(dir.path, PATHS.wants);
    assert.ok(lstatSync(wants).isSymbolicLink());
    assert.is(readlinkSync(wants), PATHS.unit);

    const second = apply(installSteps(spec), dir.path);
    assert.not.ok(second.changed);
    assert.ok(second.lines.every((l) => l.startsWith('ok ')), second.lines.join('\n'));

    // A changed config path rewrites the unit only.
    const moved = apply(installSteps({ ...spec, configFile: '/etc/camfleet/site.yaml' }), dir.path);
    assert.ok(moved.changed);
    assert.match(readFileSync(join(dir.path, PATHS.unit), 'utf8'), /site\.yaml/);
  } finally {
    dir.cleanup();
  }
});

test('on a live system the systemd commands run only when a file changes, and never in a dry run', () => {
  const commandsRun = (steps: Step[], dryRun: boolean) => {
    const commands: string[][] = [];
    applySteps(steps, { root: '/', dryRun, log: () => {}, runCommand: (argv) => commands.push(argv) });
    return commands;
  };
  const commands = installSteps(spec).filter((s) => s.kind === 'run');
  assert.equal(commandsRun(commands, false), [], 'no file changes: no command');
  // A step removing a file that exists counts as a change (the test's own temp file, never written).
  const dir = tempDir();
  try {
    const file = join(dir.path, 'present');
    writeFileSync(file, 'x');
    assert.equal(commandsRun([{ kind: 'remove', path: file }, ...commands], true), [], 'a dry run runs nothing');
    assert.ok(existsSync(file));
    assert.equal(commandsRun([{ kind: 'remove', path: file }, ...commands], false).map((a) => a[0]), ['systemd-sysusers', 'systemd-tmpfiles', 'systemctl', 'systemctl']);
  } finally {
    dir.cleanup();
  }
});

test('a dry run describes every step and writes nothing', () => {
  const dir = tempDir();
  try {
    const r = apply(installSteps(spec), dir.path, true);
    assert.ok(r.changed);
    assert.not.ok(existsSync(join(dir.path, 'etc')));
    assert.ok(r.lines.some((l) => l.startsWith(`would write ${join(dir.path, PATHS.unit)}`)));
    assert.ok(r.lines.some((l) => l.includes('| Restart=on-failure')));
    assert.ok(r.lines.some((l) => l.startsWith('would link')));
  } finally {
    dir.cleanup();
  }
});

test('uninstall removes what install wrote and is idempotent', () => {
  const dir = tempDir();
  try {
    apply(installSteps(spec), dir.path);
    assert.ok(apply(uninstallSteps(), dir.path).changed);
    for (const p of Object.values(PATHS)) assert.not.ok(existsSync(join(dir.path, p)), p);
    const again = apply(uninstallSteps(), dir.path);
    assert.not.ok(again.changed);
  } finally {
    dir.cleanup();
  }
});

test('the service description comes from the config; relative paths and bad user names are refused', () => {
  const dir = tempDir();
  try {
    const good = join(dir.path, 'agent.json');
    writeFileSync(good, JSON.stringify({ dataDir: '/var/lib/camfleet' }));
    const s = serviceSpecFromConfig(good, { user: 'camfleet', exec: ['/opt/a/camfleet-agent'] });
    assert.equal(s, { exec: ['/opt/a/camfleet-agent'], configFile: good, dataDir: '/var/lib/camfleet', credentialsFile: '/var/lib/camfleet/credentials.json', user: 'camfleet' });
    assert.equal(hiddenPathWarnings(s).length, dir.path.startsWith('/tmp') ? 1 : 0, 'a config under /tmp is hidden by PrivateTmp');

    const relative = join(dir.path, 'rel.json');
    writeFileSync(relative, JSON.stringify({ dataDir: './agent-data' }));
    assert.throws(() => serviceSpecFromConfig(relative, { user: 'camfleet' }), /must be an absolute path/);
    assert.throws(() => serviceSpecFromConfig(good, { user: 'Root;rm' }), /not a valid system user name/);
    assert.throws(() => serviceSpecFromConfig(join(dir.path, 'missing.json'), { user: 'camfleet' }), /does not exist/);
  } finally {
    dir.cleanup();
  }
});

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
test('systemd itself accepts the unit (systemd-analyze verify, when installed)', () => {
  if (!hasAnalyze) return console.log('  (systemd-analyze not installed: skipped)');
  const dir = tempDir();
  try {
    const unit = join(dir.path, 'camfleet-agent.service');
    // ExecStart must name an existing executable for verify to pass.
    writeFileSync(unit, renderUnit({ ...spec, exec: [process.execPath] }));
    execFileSync('systemd-analyze', ['verify', unit], { stdio: 'pipe' });
  } finally {
    dir.cleanup();
  }
});

test.run();
