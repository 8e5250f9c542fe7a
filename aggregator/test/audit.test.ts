import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openDatabase } from '../src/db/database.ts';
import { createSqliteAuditRepository } from '../src/audit/repository.ts';
import { AuditTrail } from '../src/audit/trail.ts';
import { tempDir } from '../../test/support/tmp.ts';

async function trailWith(n: number, file = ':memory:') {
  const db = openDatabase(file);
  const trail = new AuditTrail(createSqliteAuditRepository(db));
  for (let i = 1; i <= n; i++) {
    await trail.record({ action: 'snapshot.view', actor: { userId: i, username: `user${i}`, orgId: 'police' }, resource: { type: 'camera', id: `agent-a/cam-${i}`, ownerOrgId: 'ward-a', areaId: 'ward-a' }, ip: '10.0.0.1', purpose: 'public_order', detail: { eventId: `ev-${i}` } });
  }
  return { db, trail };
}

/** An attacker with the database file can drop the append-only triggers; the chain still tells. */
function dropTriggers(db: ReturnType<typeof openDatabase>) {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

test('an intact trail verifies', async () => {
  const { trail } = await trailWith(5);
  const r = await trail.verify();
  assert.ok(r.ok);
  assert.is(r.entries, 5);
});

test('the database refuses edits and deletes of audit entries', async () => {
  const { db } = await trailWith(2);
  assert.throws(() => db.prepare("UPDATE audit_log SET purpose = 'x' WHERE seq = 1").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run(), /append-only/);
});

test('an edited entry is detected', async () => {
  const { db, trail } = await trailWith(5);
  dropTriggers(db);
  db.prepare("UPDATE audit_log SET actor_username = 'someone-else' WHERE seq = 3").run();
  const r = await trail.verify();
  assert.not.ok(r.ok);
  assert.equal(r.problems.map((p) => [p.seq, p.problem]), [[3, 'edited']]);
});

test('a deleted entry is detected, in the middle and at the end', async () => {
  const { db, trail } = await trailWith(5);
  dropTriggers(db);
  db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
  const mid = await trail.verify();
  assert.not.ok(mid.ok);
  assert.ok(mid.problems.some((p) => p.seq === 3 && p.problem === 'removed-before'));
  db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
  const end = await trail.verify();
  assert.ok(end.problems.some((p) => p.problem === 'removed-at-end'));
});

test('an entry rewritten with a recomputed hash still breaks the chain after it', async () => {
  const { db, trail } = await trailWith(4);
  dropTriggers(db);
  const { entryHash } = await import('../src/audit/chain.ts');
  const row = (await trail.query({ limit: 10 })).find((e) => e.seq === 2)!;
  const forged = { ...row, purpose: 'curiosity' };
  db.prepare('UPDATE audit_log SET purpose = ?, hash = ? WHERE seq = 2').run('curiosity', entryHash(2, row.prevHash, forged));
  const r = await trail.verify();
  assert.ok(r.problems.some((p) => p.seq === 3 && p.problem === 'broken-link'));
});

test('`camfleet-aggregator audit verify` exits 0 on an intact trail and 1 on a tampered one', async () => {
  const tmp = tempDir();
  const dir = tmp.path;
  const { db } = await trailWith(3, join(dir, 'aggregator.db'));
  const run = async () => {
    let out = '';
    const stdout = new Writable({ write(chunk, _e, cb) { out += chunk; cb(); } });
    const code = await (await import('@camfleet/shared')).runProgram(
      { name: 'camfleet-aggregator', version: 't', description: '', commands: (await import('../src/cli/commands/index.ts')).COMMANDS },
      ['audit', 'verify', '--data-dir', dir],
      { stdout, stderr: stdout },
    );
    return { code, out };
  };
  const ok = await run();
  assert.is(ok.code, 0, ok.out);
  assert.match(ok.out, /OK: the chain is intact/);
  dropTriggers(db);
  db.prepare('DELETE FROM audit_log WHERE seq = 1').run();
  db.close();
  const bad = await run();
  assert.is(bad.code, 1);
  assert.match(bad.out, /FAILED/);
  tmp.cleanup();
});

test.run();
