/** The admin CLI: seed the Hanoi demo, create users, verify the audit trail. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runProgram } from '@camfleet/shared';
import { COMMANDS } from '../src/cli/commands/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { createDomainServices } from '../src/services.ts';
import { UserStore } from '../src/auth/users.ts';
import { tempDir } from '../../test/support/tmp.ts';

const HANOI = fileURLToPath(new URL('../seed/hanoi.json', import.meta.url));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  const sink = new Writable({ write(chunk, _e, cb) { out += chunk; cb(); } });
  const code = await runProgram({ name: 'camfleet-aggregator', version: 't', description: '', commands: COMMANDS }, args, { stdout: sink, stderr: sink, env });
  return { code, out };
}

test('seed (twice), user admin, audit verify', async () => {
  const tmp = tempDir();
  try {
    const dir = ['--data-dir', tmp.path];
    const first = await cli(['seed', '--file', HANOI, '--password-env', 'DEMO_PW', ...dir], { DEMO_PW: 'demo-password-2025' });
    assert.is(first.code, 0, first.out);
    assert.match(first.out, /406 cameras/);
    assert.match(first.out, /2 new grants/);
    const second = await cli(['seed', '--file', HANOI, '--password-env', 'DEMO_PW', ...dir], { DEMO_PW: 'demo-password-2025' });
    assert.match(second.out, /0 new users, 0 new grants/);

    assert.is((await cli(['user', 'create', '--username', 'nobody', '--role', 'operator', ...dir])).code, 2, 'a non-admin role needs --org');
    assert.is((await cli(['user', 'create', '--username', 'x', '--role', 'emperor', '--org', 'city-police', ...dir])).code, 2);
    const created = await cli(['user', 'create', '--username', 'police.night', '--role', 'police_officer', '--org', 'city-police', ...dir]);
    assert.is(created.code, 0, created.out);
    assert.match(created.out, /password: \S+/);
    assert.is((await cli(['user', 'disable', '--username', 'police.night', ...dir])).code, 0);

    const db = openDatabase(join(tmp.path, 'aggregator.db'));
    const domain = createDomainServices(db);
    const police = new UserStore(db).byUsername('police.duty')!;
    assert.is(police.orgId, 'city-police');
    const grants = await domain.sharing.listFor(await domain.authorizer.principalFor(police));
    assert.equal(grants.sharedWithUs.map((g) => g.id).sort(), ['grant-giap-bat-police', 'grant-trang-tien-police']);
    const actions = (await domain.audit.query({ limit: 50 })).map((e) => e.action).reverse();
    assert.equal(actions, ['grant.create', 'grant.create', 'user.create', 'user.disable']);
    db.close();

    const verify = await cli(['audit', 'verify', ...dir]);
    assert.is(verify.code, 0, verify.out);
    assert.match(verify.out, /4 entries/);
  } finally {
    tmp.cleanup();
  }
});

test.run();
