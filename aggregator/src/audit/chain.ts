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
  problem: 'edited' | 'removed-before' | 'broken-link' | 'removed-at-end' | 'head-missing';
  message: string;
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  lastSeq: number;
  lastHash: string;
  problems: ChainProblem[];
}

/**
 * Checks entries in ascending seq: consecutive numbers from 1, each linked to the previous hash,
 * each hash matching its content, and the last one matching the recorded head.
 */
export function verifyChain(entries: Iterable<AuditEntry>, head: { seq: number; hash: string } | undefined): ChainReport {
  const problems: ChainProblem[] = [];
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
  return { ok: problems.length === 0, entries: count, lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH, problems };
}
