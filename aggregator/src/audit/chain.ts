/** The hash chain of the audit trail. Pure: hashing one entry, and checking a whole sequence. */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry says (everything except its place in the chain). */
export interface AuditFacts {
  at: string;
  actorUserId: number | null;
  actorUsername: string | null;
  actorOrgId: string | null;
  /** e.g. 'snapshot.view', 'clip.download', 'events.view', 'grant.create', 'grant.revoke', 'user.create', 'login.failure'. */
  action: string;
  outcome: 'allowed' | 'denied' | 'done' | 'failed';
  resourceType: string | null;
  resourceId: string | null;
  /** Owner organisation and area of the resource, for scoping who may read the entry. */
  ownerOrgId: string | null;
  areaId: string | null;
  ip: string | null;
  purpose: string | null;
  detail: Record<string, unknown>;
}

export interface AuditEntry extends AuditFacts {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Deterministic JSON (keys sorted at every level) so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function entryHash(seq: number, prevHash: string, facts: AuditFacts): string {
  const f: AuditFacts = {
    at: facts.at, actorUserId: facts.actorUserId, actorUsername: facts.actorUsername, actorOrgId: facts.actorOrgId,
    action: facts.action, outcome: facts.outcome, resourceType: facts.resourceType, resourceId: facts.resourceId,
    ownerOrgId: facts.ownerOrgId, areaId: facts.areaId, ip: facts.ip, purpose: facts.purpose, detail: facts.detail,
  };
  return createHash('sha256').update(`${seq}\n${prevHash}\n${canonicalJson(f)}`).digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: 'edited' | 'removed-before' | 'broken-link' | 'removed-at-end' | 'head-missing' | 'anchor-mismatch' | 'anchor-forged' | 'anchor-missing';
  message: string;
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  lastSeq: number;
  lastHash: string;
  problems: ChainProblem[];
  /** Checked against signed anchors outside the database (anchor.ts); null: the chain alone. */
  anchor: { headSeq: number | null; checkpoints: number; unanchored: number } | null;
}

/** Signed points (seq, hash) from outside the database; see anchor.ts. */
export interface AnchorPoints {
  head: { seq: number; hash: string } | undefined;
  checkpoints: ReadonlyArray<{ seq: number; hash: string }>;
  forged: readonly string[];
}

/**
 * Checks entries in ascending seq: consecutive numbers from 1, each linked to the previous hash,
 * each hash matching its content, and the last one matching the recorded head.
 */
export function verifyChain(entries: Iterable<AuditEntry>, head: { seq: number; hash: string } | undefined, anchors?: AnchorPoints): ChainReport {
  const problems: ChainProblem[] = [];
  // What the centre signed outside the database: a rebuilt chain (re-hashed after an edit, cut
  // short, renumbered after a deletion) is consistent in itself but no longer holds these.
  const signed = new Map<number, string>();
  for (const p of anchors?.checkpoints ?? []) signed.set(p.seq, p.hash);
  if (anchors?.head) signed.set(anchors.head.seq, anchors.head.hash);
  const seen = new Set<number>();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let last: AuditEntry | undefined;
  for (const e of entries) {
    count++;
    if (e.seq !== expectedSeq) {
      problems.push({ seq: e.seq, problem: 'removed-before', message: `entries ${expectedSeq}..${e.seq - 1} are missing` });
    }
    if (e.prevHash !== prevHash) {
      problems.push({ seq: e.seq, problem: 'broken-link', message: `entry ${e.seq} does not follow the entry before it` });
    }
    if (entryHash(e.seq, e.prevHash, e) !== e.hash) {
      problems.push({ seq: e.seq, problem: 'edited', message: `entry ${e.seq} was changed after it was written` });
    }
    const want = signed.get(e.seq);
    if (want !== undefined) {
      seen.add(e.seq);
      if (want !== e.hash) problems.push({ seq: e.seq, problem: 'anchor-mismatch', message: `entry ${e.seq} is not the entry the centre signed (rewritten, or entries before it removed and renumbered)` });
    }
    expectedSeq = e.seq + 1;
    prevHash = e.hash;
    last = e;
  }
  if (head) {
    if (!last || last.seq < head.seq) {
      problems.push({ seq: head.seq, problem: 'removed-at-end', message: `the trail ends at ${last?.seq ?? 0} but entry ${head.seq} was written` });
    } else if (last.seq === head.seq && last.hash !== head.hash) {
      problems.push({ seq: head.seq, problem: 'edited', message: `the last entry differs from the recorded head` });
    }
  } else if (last) {
    problems.push({ seq: last.seq, problem: 'head-missing', message: 'entries exist but the recorded head is missing' });
  }
  let anchor: ChainReport['anchor'] = null;
  if (anchors) {
    for (const f of anchors.forged) problems.push({ seq: 0, problem: 'anchor-forged', message: `${f}: signature does not verify (forged, damaged, or another key)` });
    const lastSeq = last?.seq ?? 0;
    for (const seq of [...signed.keys()].sort((a, b) => a - b)) {
      if (seen.has(seq)) continue;
      problems.push(seq > lastSeq
        ? { seq, problem: 'removed-at-end', message: `the trail ends at ${lastSeq} but the centre signed entry ${seq}` }
        : { seq, problem: 'removed-before', message: `entry ${seq}, which the centre signed, is missing` });
    }
    if (!anchors.head && count > 0) problems.push({ seq: lastSeq, problem: 'anchor-missing', message: 'entries exist but the signed head is missing' });
    anchor = { headSeq: anchors.head?.seq ?? null, checkpoints: anchors.checkpoints.length, unanchored: anchors.head ? Math.max(0, lastSeq - anchors.head.seq) : count };
  }
  return { ok: problems.length === 0, entries: count, lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH, problems, anchor };
}
