/**
 * The SQLite engine: one better-sqlite3 connection (WAL), its migrations, and async units of
 * work. better-sqlite3 is synchronous, but nothing above the adapters may rely on that: a unit of
 * work is `async`, so it is serialised here (one open transaction at a time, the next waits),
 * which is what SQLite's single writer would impose anyway.
 */
import type { Db } from '../db/database.ts';
import { openDatabase } from '../db/database.ts';
import type { SqliteUnitOfWork, Storage, UnitOfWork } from './unit-of-work.ts';

export class SqliteStorage implements Storage {
  readonly engine = 'sqlite' as const;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly db: Db) {}

  static open(file: string): SqliteStorage {
    return new SqliteStorage(openDatabase(file));
  }

  transaction<T>(fn: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    const run = async () => {
      const tx: SqliteUnitOfWork = { engine: 'sqlite', db: this.db };
      // A caller already inside better-sqlite3's own transaction (legacy synchronous code) nests as a savepoint.
      if (this.db.inTransaction) return fn(tx);
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(tx);
        this.db.exec('COMMIT');
        return out;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.db.open) this.db.close();
  }
}

/** The connection behind a SQLite unit of work (adapters only). */
export function sqliteOf(tx: UnitOfWork | undefined, fallback: Db): Db {
  if (!tx) return fallback;
  if (tx.engine !== 'sqlite') throw new Error(`a ${tx.engine} unit of work was passed to a SQLite adapter`);
  return (tx as SqliteUnitOfWork).db;
}
