/**
 * The domain side of the aggregator in one object: the city model's repositories, the
 * authorization point, the audit trail, sharing, alerts. Built from the database by the server,
 * the CLI and tests alike; swapping the SQLite repositories for PostgreSQL ones happens here only.
 */
import type { Db } from './db/database.ts';
import { createSqliteDomainRepos } from './domain/sqlite.ts';
import type { DomainRepos } from './domain/repositories.ts';
import { createSqliteGrantRepository, type GrantRepository } from './sharing/repository.ts';
import { Authorizer } from './authz/authorizer.ts';
import { createSqliteAuditRepository } from './audit/repository.ts';
import { AuditTrail } from './audit/trail.ts';

export interface DomainServiceOptions {
  /** Clock (tests). */
  now?: () => Date;
  /** Local time offset for sharing hours; Hanoi: +420 (UTC+7). */
  utcOffsetMinutes?: number;
}

export interface DomainServices {
  repos: DomainRepos;
  grants: GrantRepository;
  authorizer: Authorizer;
  audit: AuditTrail;
}

export function createDomainServices(db: Db, opts: DomainServiceOptions = {}): DomainServices {
  const repos = createSqliteDomainRepos(db);
  const grants = createSqliteGrantRepository(db);
  const authorizer = new Authorizer({ repos, grants, now: opts.now, utcOffsetMinutes: opts.utcOffsetMinutes });
  const audit = new AuditTrail(createSqliteAuditRepository(db), opts.now);
  return { repos, grants, authorizer, audit };
}
