/**
 * The unit of work every write path receives: ports' methods take an optional `tx` and run in it
 * when given, so a caller (ingest, enrollment) can put several modules' writes and the (agent,
 * seq) de-duplication into one transaction without knowing the engine. Adapters narrow it to
 * their own engine's handle; domain code only passes it along.
 */
import type { Db } from '../db/database.ts';
import type { PoolClient } from 'pg';

export type EngineName = 'sqlite' | 'postgres';

export interface UnitOfWork {
  readonly engine: EngineName;
}

export interface SqliteUnitOfWork extends UnitOfWork {
  readonly engine: 'sqlite';
  readonly db: Db;
}

export interface PgUnitOfWork extends UnitOfWork {
  readonly engine: 'postgres';
  readonly client: PoolClient;
}

/** A relational store: runs units of work, and closes. */
export interface Storage {
  readonly engine: EngineName;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: UnitOfWork) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
