/** Storage of the audit trail: the interface and its SQLite implementation. */
import type { Db } from '../db/database.ts';
import { GENESIS_HASH, entryHash, type AuditEntry, type AuditFacts } from './chain.ts';

export interface AuditQuery {
  since?: string;
  until?: string;
  action?: string;
  actorOrgId?: string;
  ownerOrgId?: string;
  resourceId?: string;
  /** Entries with seq below this (newest-first paging). */
  beforeSeq?: number;
  limit: number;
}

export interface AuditRepository {
  /** Appends one entry, chained to the last; serialised so two writers never share a link. */
  append(facts: AuditFacts): Promise<AuditEntry>;
  /** Newest first. */
  query(q: AuditQuery): Promise<AuditEntry[]>;
  /** Every entry in ascending seq, for verification. */
  scan(): Iterable<AuditEntry>;
  head(): Promise<{ seq: number; hash: string } | undefined>;
}

type Row = Record<string, unknown>;
function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at as string,
    actorUserId: r.actor_user_id == null ? null : Number(r.actor_user_id),
    actorUsername: (r.actor_username as string | null) ?? null,
    actorOrgId: (r.actor_org_id as string | null) ?? null,
    action: r.action as string,
    outcome: r.outcome as AuditFacts['outcome'],
    resourceType: (r.resource_type as string | null) ?? null,
    resourceId: (r.resource_id as string | null) ?? null,
    ownerOrgId: (r.owner_org_id as string | null) ?? null,
    areaId: (r.area_id as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
    purpose: (r.purpose as string | null) ?? null,
    detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function createSqliteAuditRepository(db: Db): AuditRepository {
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, at, actor_user_id, actor_username, actor_org_id, action, outcome, resource_type, resource_id,
       owner_org_id, area_id, ip, purpose, detail, prev_hash, hash)
     VALUES (@seq, @at, @actorUserId, @actorUsername, @actorOrgId, @action, @outcome, @resourceType, @resourceId,
       @ownerOrgId, @areaId, @ip, @purpose, @detail, @prevHash, @hash)`,
  );
  const appendTx = db.transaction((facts: AuditFacts): AuditEntry => {
    const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = entryHash(seq, prevHash, facts);
    insert.run({ ...facts, seq, prevHash, hash, detail: JSON.stringify(facts.detail) });
    db.prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash').run(seq, hash);
    return { ...facts, seq, prevHash, hash };
  });
  return {
    async append(facts) {
      return appendTx.immediate(facts);
    },
    async query(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.since) where.push('at >= ?'), args.push(q.since);
      if (q.until) where.push('at < ?'), args.push(q.until);
      if (q.action) where.push('action = ?'), args.push(q.action);
      if (q.actorOrgId) where.push('actor_org_id = ?'), args.push(q.actorOrgId);
      if (q.ownerOrgId) where.push('owner_org_id = ?'), args.push(q.ownerOrgId);
      if (q.resourceId) where.push('resource_id = ?'), args.push(q.resourceId);
      if (q.beforeSeq) where.push('seq < ?'), args.push(q.beforeSeq);
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, q.limit) as Row[]).map(toEntry);
    },
    *scan() {
      for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) yield toEntry(r);
    },
    async head() {
      return db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    },
  };
}
