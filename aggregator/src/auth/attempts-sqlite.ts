/** The SQLite adapter of the attempt-throttle port (auth/rate-limit.ts): table `auth_attempts`. */
import type { Db } from '../db/database.ts';
import type { AttemptState, AttemptStore } from './rate-limit.ts';

export class SqliteAttemptStore implements AttemptStore {
  private readonly sGet;
  private readonly sPut;
  private readonly sDel;
  private readonly sPrune;

  constructor(db: Db) {
    this.sGet = db.prepare('SELECT failures, last_failure_at AS lastFailureAt, blocked_until AS blockedUntil FROM auth_attempts WHERE key = ?');
    this.sPut = db.prepare(
      'INSERT INTO auth_attempts (key, failures, last_failure_at, blocked_until) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until',
    );
    this.sDel = db.prepare('DELETE FROM auth_attempts WHERE key = ?');
    this.sPrune = db.prepare('DELETE FROM auth_attempts WHERE last_failure_at < ?');
  }

  async get(key: string): Promise<AttemptState | undefined> {
    return this.sGet.get(key) as AttemptState | undefined;
  }

  async put(key: string, s: AttemptState): Promise<void> {
    this.sPut.run(key, s.failures, s.lastFailureAt, s.blockedUntil);
  }

  async delete(key: string): Promise<void> {
    this.sDel.run(key);
  }

  async prune(before: number): Promise<void> {
    this.sPrune.run(before);
  }
}
