/** The box's keystore and its CLI: 0600, values never on argv, clear errors, atomic writes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Keystore, KeystoreError } from '../../src/keystore/keystore.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { AGENT_BIN, REPO_ROOT } from '../../../test/support/processes.ts';

test('secrets are stored 0600, listed by name, read back, removed', () => {
  const dir = tempDir();
  try {
    const ks = new Keystore(join(dir.path, 'data', 'keystore.json'));
    assert.equal(ks.names(), []);
    ks.set('gate-pw', 's3cret');
    ks.set('door.pw', 'other');
    assert.is(statSync(ks.file).mode & 0o777, 0o600);
    assert.equal(ks.names(), ['door.pw', 'gate-pw']);
    assert.is(ks.get('gate-pw'), 's3cret');
    assert.ok(ks.delete('door.pw'));
    assert.not.ok(ks.delete('door.pw'));
    assert.throws(() => ks.get('door.pw'), /no secret 'door.pw'/);
    assert.throws(() => ks.set('../x', 'v'), (e: Error) => e instanceof KeystoreError);
    assert.throws(() => ks.set('empty', ''), /empty/);
  } finally {
    dir.cleanup();
  }
});

test('a keystore others can read, or a damaged one, is refused with a message that names no value', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'keystore.json');
    const ks = new Keystore(file);
    ks.set('gate-pw', 'do-not-print-me');
    chmodSync(file, 0o644);
    assert.throws(() => ks.get('gate-pw'), /readable by others/);
    writeFileSync(file, '{ "version": 1, "secrets": { "x": { "value": "do-not-print-me" } ', { mode: 0o600 });
    chmodSync(file, 0o600);
    assert.throws(() => ks.names(), (e: Error) => /not valid JSON/.test(e.message) && !e.message.includes('do-not-print-me'));
  } finally {
    dir.cleanup();
  }
});

test('`camfleet-agent secret set` reads the value from stdin or an environment variable, never argv', () => {
  const dir = tempDir();
  try {
    const data = join(dir.path, 'data');
    const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [AGENT_BIN, 'secret', ...args, '--data', data], { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, ...env } });
    const set = run(['set', 'gate-pw'], 'piped-secret\n');
    assert.is(set.status, 0, set.stderr);
    assert.not.match(set.stdout + set.stderr, /piped-secret/);
    assert.is(run(['set', 'yard-pw', '--from-env', 'YARD'], undefined, { YARD: 'from-env' }).status, 0);
    const onArgv = run(['set', 'x', 'the-value']);
    assert.is.not(onArgv.status, 0);
    assert.match(onArgv.stderr, /never given on the command line/);
    assert.equal(run(['list']).stdout.trim().split('\n'), ['gate-pw', 'yard-pw']);
    const stored = JSON.parse(readFileSync(join(data, 'keystore.json'), 'utf8'));
    assert.is(stored.secrets['gate-pw'].value, 'piped-secret', 'one trailing newline removed');
    assert.is(stored.secrets['yard-pw'].value, 'from-env');
    assert.is(run(['rm', 'yard-pw']).status, 0);
    assert.equal(run(['list']).stdout.trim().split('\n'), ['gate-pw']);
  } finally {
    dir.cleanup();
  }
});

test.run();
