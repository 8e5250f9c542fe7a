/** Users and their API tokens. Roles and scopes are refined by the permissions module. */
import type { Db } from '../db/database.ts';
import { hashPassword, hashToken, newSecret, verifyPassword } from './secrets.ts';

export interface User {
  id: number;
  username: string;
  role: string;
}

export class UserStore {
  constructor(private readonly db: Db) {}

  create(username: string, password: string, role: string): User {
    const info = this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(username, hashPassword(password), role, new Date().toISOString());
    return { id: Number(info.lastInsertRowid), username, role };
  }

  byUsername(username: string): User | undefined {
    return this.db
      .prepare('SELECT id, username, role FROM users WHERE username = ? AND disabled_at IS NULL')
      .get(username) as User | undefined;
  }

  /** Checks a password; always spends the hashing time so timing does not reveal usernames. */
  authenticate(username: string, password: string): User | undefined {
    const row = this.db
      .prepare('SELECT id, username, role, password_hash FROM users WHERE username = ? AND disabled_at IS NULL')
      .get(username) as (User & { password_hash: string }) | undefined;
    const ok = verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    return row && ok ? { id: row.id, username: row.username, role: row.role } : undefined;
  }

  /** Issues a bearer token; only its hash is stored, the token itself is returned once. */
  issueToken(userId: number, name: string, ttlSeconds?: number): string {
    const token = newSecret();
    const now = new Date();
    const expires = ttlSeconds ? new Date(now.getTime() + ttlSeconds * 1000).toISOString() : null;
    this.db
      .prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(userId, name, hashToken(token), now.toISOString(), expires);
    return token;
  }

  userForToken(token: string, now = new Date()): User | undefined {
    return this.db
      .prepare(
        `SELECT u.id, u.username, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > ?)`,
      )
      .get(hashToken(token), now.toISOString()) as User | undefined;
  }

  revokeToken(token: string): void {
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ?').run(new Date().toISOString(), hashToken(token));
  }
}

const DUMMY_HASH = hashPassword(newSecret());
