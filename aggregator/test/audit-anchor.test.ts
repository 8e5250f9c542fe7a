/**
 * Hole 7 of issue 13: with write access to the database, an attacker can rebuild a consistent
 * chain (re-hash after an edit, cut the tail, delete an entry and renumber). The centre signs its
 * head and periodic checkpoints with a key the database never holds, into files outside it, and
 * `audit verify` (API and CLI) checks the chain against them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from '@camfleet/shared';
import { openDatabase, type Db } from '../src/db/database.ts';
import { createSqliteAuditRepository } from '../src/audit/repository.ts';
import { AuditTrail } from '../src/audit/trail.ts';
import { AuditAnchor } from '../src/audit/anchor.ts';
import { entryHash, GENESIS_HASH, type AuditFacts } from '../src/audit/chain.ts';
import { COMMANDS } from '../src/cli/commands/index.ts';
import { tempDir } from '../../test/support/tmp.ts';

const KEY = 'k'.repeat(48);

async function anchoredTrail(n: number, dir: string, checkpointEvery = 3) {
  const db = openDatabase(join(dir, 'aggregator.db'));
  const anchor = AuditAnchor.open({ dir: join(dir, 'anchor'), key: { value: KEY }, checkpointEvery });
  const trail = new AuditTrail(createSqliteAuditRepository(db), undefined, anchor);
  for (let i = 1; i <= n; i++) {
    await trail.record({ action: 'clip.view', actor: { userId: i, username: `user${i}`, orgId: 'police' }, resource: { type: 'camera', id: `agent-a/cam-${i}`, ownerOrgId: 'shop', areaId: 'ward-a' }, purpose: 'public_order', detail: { i } });
  }
  return { db, trail, anchor };
}

type Row = Record<string, unknown>;
const facts = (r: Row): AuditFacts => ({
  at: r.at as string, actorUserId: r.actor_user_id as number | null, actorUsername: r.actor_username as string | null, actorOrgId: r.actor_org_id as string | null,
  action: r.action as string, outcome: r.outcome as AuditFacts['outcome'], resourceType: r.resource_type as string | null, resourceId: r.resource_id as string | null,
  ownerOrgId: r.owner_org_id as string | null, areaId: r.area_id as string | null, ip: r.ip as string | null, purpose: r.purpose as string | null,
  detail: JSON.parse(r.detail as string) as Record<string, unknown>,
});

/** What an attacker with the database does after tampering: renumber from 1 and recompute every hash and the head. */
function rebuildChain(db: Db) {
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  db.prepare('DELETE FROM audit_log').run();
  let prev = GENESIS_HASH;
  let seq = 0;
  const insert = db.prepare(`INSERT INTO audit_log (seq, at, actor_user_id, actor_username, actor_org_id, action, outcome, resource_type, resource_id, owner_org_id, area_id, ip, purpose, detail, prev_hash, hash)
    VALUES (@seq, @at, @actorUserId, @actorUsername, @actorOrgId, @action, @outcome, @resourceType, @resourceId, @ownerOrgId, @areaId, @ip, @purpose, @detail, @prevHash, @hash)`);
  for (const r of rows) {
    seq++;
    const f = facts(r);
    const hash = entryHash(seq, prev, f);
    insert.run({ ...f, detail: JSON.stringify(f.detail), seq, prevHash: prev, hash });
    prev = hash;
  }
  db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(seq, prev);
}

const problems = (r: { problems: Array<{ problem: string }> }) => r.problems.map((p) => p.problem);

test('an intact anchored trail verifies', async () => {
  const tmp = tempDir();
  try {
    const { trail } = await anchoredTrail(7, tmp.path);
    const r = await trail.verify();
    assert.ok(r.ok, JSON.stringify(r.problems));
    assert.equal(r.anchor, { headSeq: 7, checkpoints: 3, unanchored: 0 });
  } finally {
    tmp.cleanup();
  }
});

test('an edit re-hashed through the chain is detected (the chain alone says intact)', async () => {
  const tmp = tempDir();
  try {
    const { db, trail } = await anchoredTrail(8, tmp.path);
    db.exec('DROP TRIGGER audit_log_no_update;');
    db.prepare("UPDATE audit_log SET actor_username = 'someone-else' WHERE seq = 2").run();
    rebuildChain(db);
    assert.ok((await new AuditTrail(createSqliteAuditRepository(db)).verify()).ok, 'the rebuilt chain is consistent by itself');
    const r = await trail.verify();
    assert.not.ok(r.ok);
    assert.ok(problems(r).includes('anchor-mismatch'), JSON.stringify(r.problems));
  } finally {
    tmp.cleanup();
  }
});

test('tail truncation with a moved head is detected', async () => {
  const tmp = tempDir();
  try {
    const { db, trail } = await anchoredTrail(8, tmp.path);
    db.exec('DROP TRIGGER audit_log_no_delete;');
    db.prepare('DELETE FROM audit_log WHERE seq > 5').run();
    const h = db.prepare('SELECT hash FROM audit_log WHERE seq = 5').get() as { hash: string };
    db.prepare('UPDATE audit_head SET seq = 5, hash = ? WHERE id = 1').run(h.hash);
    assert.ok((await new AuditTrail(createSqliteAuditRepository(db)).verify()).ok, 'the chain alone cannot tell');
    const r = await trail.verify();
    assert.not.ok(r.ok);
    assert.ok(problems(r).includes('removed-at-end'), JSON.stringify(r.problems));
  } finally {
    tmp.cleanup();
  }
});

test('a deletion with renumbering is detected', async () => {
  const tmp = tempDir();
  try {
    const { db, trail } = await anchoredTrail(9, tmp.path);
    db.exec('DROP TRIGGER audit_log_no_delete;');
    db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    rebuildChain(db);
    assert.ok((await new AuditTrail(createSqliteAuditRepository(db)).verify()).ok, 'the chain alone cannot tell');
    const r = await trail.verify();
    assert.not.ok(r.ok);
    assert.ok(problems(r).some((p) => p === 'anchor-mismatch' || p === 'removed-at-end'), JSON.stringify(r.problems));
  } finally {
    tmp.cleanup();
  }
});

test('an anchor rewritten without the key is refused', async () => {
  const tmp = tempDir();
  try {
    const { trail, anchor } = await anchoredTrail(4, tmp.path);
    const head = JSON.parse(readFileSync(join(anchor.dir, 'head.json'), 'utf8'));
    writeFileSync(join(anchor.dir, 'head.json'), JSON.stringify({ ...head, seq: 2 }));
    const r = await trail.verify();
    assert.not.ok(r.ok);
    assert.ok(problems(r).includes('anchor-forged'));
  } finally {
    tmp.cleanup();
  }
});

test('camfleet-aggregator audit verify checks against the anchor of its configuration', async () => {
  const tmp = tempDir();
  try {
    const cfg = join(tmp.path, 'aggregator.json');
    writeFileSync(cfg, JSON.stringify({ dataDir: tmp.path, audit: { anchorDir: join(tmp.path, 'anchor'), anchorKey: { env: 'AUDIT_ANCHOR_KEY' } } }));
    const { db } = await anchoredTrail(6, tmp.path);
    const cli = async () => {
      let out = '';
      const sink = new Writable({ write(chunk, _e, cb) { out += chunk; cb(); } });
      const code = await runProgram({ name: 'camfleet-aggregator', version: 't', description: '', commands: COMMANDS }, ['audit', 'verify', '--config', cfg], { stdout: sink, stderr: sink, env: { AUDIT_ANCHOR_KEY: KEY } });
      return { code, out };
    };
    const before = await cli();
    assert.is(before.code, 0, before.out);
    assert.match(before.out, /anchor/i);
    db.exec('DROP TRIGGER audit_log_no_delete;');
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    rebuildChain(db);
    const after = await cli();
    assert.is(after.code, 1, after.out);
    assert.match(after.out, /FAILED/);
    db.close();
  } finally {
    tmp.cleanup();
  }
});

test.run();
