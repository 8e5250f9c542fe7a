/**
 * The PostgreSQL engine (`pg` pool): connection with retry, the migration runner, units of work.
 * Several aggregator instances share one database; schema changes go through node-pg-migrate's
 * runner (advisory lock: instances starting together wait for each other rather than race).
 */
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '@camfleet/shared';
import type { PgUnitOfWork, Storage, UnitOfWork } from './unit-of-work.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('./postgres-migrations', import.meta.url));

export interface PgOpenOptions {
  poolSize?: number;
  /** Wait between connection attempts while the server is down. */
  retryMs?: number;
  /** Give up after this many attempts (default: never, an aggregator waits for its store). */
  maxAttempts?: number;
  logger?: Logger;
}

/** Where a URL points, without its password, for messages. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

const DOWN_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '57P03' /* cannot_connect_now: starting up */, '3D000' /* no such database yet */]);

export class PgStorage implements Storage {
  readonly engine = 'postgres' as const;

  private constructor(readonly pool: pg.Pool) {}

  /**
   * Connects (waiting for the server while it is down, with a message naming it and how to start
   * it), then applies pending migrations.
   */
  static async open(url: string, opts: PgOpenOptions = {}): Promise<PgStorage> {
    const where = describePgUrl(url);
    const retryMs = opts.retryMs ?? 2_000;
    for (let attempt = 1; ; attempt++) {
      const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
      // An idle client losing its server must not crash the process; the next query reconnects.
      pool.on('error', (err) => opts.logger?.warn({ err: err.message }, 'postgres: idle connection lost'));
      try {
        const client = await pool.connect();
        try {
          await migratePostgres(client, opts.logger);
        } finally {
          client.release();
        }
        if (attempt > 1) opts.logger?.info({ postgres: where }, 'postgres: connected');
        return new PgStorage(pool);
      } catch (err) {
        await pool.end().catch(() => undefined);
        const code = (err as { code?: string }).code ?? '';
        if (!DOWN_CODES.has(code) || (opts.maxAttempts && attempt >= opts.maxAttempts)) {
          throw new Error(`PostgreSQL at ${where}: ${(err as Error).message}${DOWN_CODES.has(code) ? ` (${HOW_TO_START})` : ''}`);
        }
        opts.logger?.warn(
          { postgres: where, code, attempt },
          `PostgreSQL at ${where} is not reachable (${code}); ${HOW_TO_START}. Retrying every ${retryMs} ms`,
        );
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  async transaction<T>(fn: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: PgUnitOfWork = { engine: 'postgres', client };
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const HOW_TO_START = 'start it with `systemctl start postgresql` (Debian: `pg_ctlcluster 15 main start`), or fix storage.url';

/** Applies the pending migrations of `postgres-migrations/` (one runner for the whole store). */
export async function migratePostgres(client: pg.PoolClient | pg.Client, logger?: Logger): Promise<void> {
  await runner({
    dbClient: client,
    dir: PG_MIGRATIONS_DIR,
    migrationsTable: 'schema_migrations_pg',
    direction: 'up',
    count: Infinity,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    checkOrder: true,
    log: (msg: string) => logger?.debug({ msg }, 'postgres migration'),
  });
}

/** What a PostgreSQL adapter runs queries on: the unit of work's client, or the pool. */
export type PgQueryable = Pick<pg.Pool, 'query'>;

export function pgOf(tx: UnitOfWork | undefined, pool: PgQueryable): PgQueryable {
  if (!tx) return pool;
  if (tx.engine !== 'postgres') throw new Error(`a ${tx.engine} unit of work was passed to a PostgreSQL adapter`);
  return (tx as PgUnitOfWork).client;
}
