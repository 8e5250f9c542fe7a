import type { Migration } from '../db/database.ts';

export const AUTH_MIGRATIONS: Migration[] = [
  {
    id: 'auth-001',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT
      );
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
      );
    `,
  },
  {
    // Failed logins and enrollments per (address, name) and per address (auth/rate-limit.ts):
    // kept in the database so a restart does not reset an attacker's backoff.
    id: 'auth-002',
    sql: `
      CREATE TABLE auth_attempts (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL,
        blocked_until INTEGER NOT NULL
      );
      CREATE INDEX auth_attempts_last ON auth_attempts (last_failure_at);
    `,
  },
];
