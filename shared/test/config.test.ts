import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { applyEnvOverrides, ConfigError, loadConfig, resolveSecret } from '../src/index.ts';
import { tempDir } from '../../test/support/tmp.ts';

const Schema = z
  .object({
    dataDir: z.string().default('./data'),
    http: z.object({ port: z.number().int().default(8080), host: z.string().default('0.0.0.0') }).strict().default({ port: 8080, host: '0.0.0.0' }),
  })
  .strict();

test('defaults apply when nothing is given', () => {
  assert.equal(loadConfig(Schema, { env: {} }), { dataDir: './data', http: { port: 8080, host: '0.0.0.0' } });
});

test('a YAML file and CAMFLEET_* variables combine, the variables winning', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'c.yaml');
    writeFileSync(file, 'dataDir: /var/lib/x\nhttp:\n  port: 9000\n');
    const cfg = loadConfig(Schema, { file, env: { CAMFLEET_HTTP__PORT: '9100', CAMFLEET_DATA_DIR: '/srv' } });
    assert.equal(cfg, { dataDir: '/srv', http: { port: 9100, host: '0.0.0.0' } });
  } finally {
    dir.cleanup();
  }
});

test('a wrong key is refused with a message naming it', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'c.yaml');
    writeFileSync(file, 'http:\n  prot: 9000\n');
    const err = (() => {
      try {
        loadConfig(Schema, { file, env: {} });
      } catch (e) {
        return e as Error;
      }
    })();
    assert.instance(err, ConfigError);
    assert.match(err!.message, /http\.prot/);
  } finally {
    dir.cleanup();
  }
});

test('a value of the wrong type names the key and what was expected', () => {
  assert.throws(() => loadConfig(Schema, { env: { CAMFLEET_HTTP__PORT: '"eighty"' } }), /key 'http\.port'.*number/);
});

test("variables for keys this component does not have are left alone (another component's, tools' knobs)", () => {
  assert.equal(loadConfig(Schema, { env: { CAMFLEET_DEMO_PASSWORD: 'x', CAMFLEET_HTTP__PORT: '81' } }).http.port, 81);
});

test('env overrides build nested objects without touching the input', () => {
  const base = { a: 1 };
  const out = applyEnvOverrides(base, { CAMFLEET_MQTT__TLS__CERT_FILE: '/c.pem', OTHER: 'x' });
  assert.equal(out, { a: 1, mqtt: { tls: { certFile: '/c.pem' } } });
  assert.equal(base, { a: 1 });
});

test('secrets resolve from env and file, with clear errors', () => {
  const dir = tempDir();
  try {
    const f = join(dir.path, 'pw');
    writeFileSync(f, 's3cret\n');
    assert.is(resolveSecret({ file: f }), 's3cret');
    assert.is(resolveSecret({ env: 'PW' }, { PW: 'p' }), 'p');
    assert.throws(() => resolveSecret({ env: 'NOPE' }, {}), /NOPE is not set/);
  } finally {
    dir.cleanup();
  }
});

test.run();
