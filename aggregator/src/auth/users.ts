/**
 * Users (each with a role in an organisation) and their bearer tokens: login sessions and API
 * tokens for integrations are both opaque tokens stored only as their sha256, told apart by kind.
 * What a role may do is decided by the authz module.
 */
import type { Db } from '../db/database.ts';
import { hashPassword, hashToken, newSecret, verifyPassword, verifyPasswordAsync } from './secrets.ts';

export interface User {
  id: number;
  username: string;
  role: string;
  /** The organisation the user acts for; null only for a bootstrap admin created before any org exists. */
  orgId: string | null;
}

export interface UserListing extends User {
  createdAt: string;
  disabled: boolean;
}

export interface TokenListing {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revoked: boolean;
}

const USER_COLUMNS = 'u.id, u.username, u.role, u.org_id AS orgId';

export class UserStore {
  constructor(private readonly db: Db) {}

  create(username: string, password: string, role: string, orgId: string | null = null): User {
    const info = this.db
      .prepare('INSERT INTO users (username, password_hash, role, org_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(username, hashPassword(password), role, orgId, new Date().toISOString());
    return { id: Number(info.lastInsertRowid), username, role, orgId };
  }

  byUsername(username: string): User | undefined {
    return this.db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.username = ? AND u.disabled_at IS NULL`).get(username) as User | undefined;
  }

  byId(id: number): User | undefined {
    return this.db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ? AND u.disabled_at IS NULL`).get(id) as User | undefined;
  }

  list(): UserListing[] {
    const rows = this.db
      .prepare(`SELECT ${USER_COLUMNS}, u.created_at AS createdAt, u.disabled_at AS disabledAt FROM users u ORDER BY u.username`)
      .all() as Array<User & { createdAt: string; disabledAt: string | null }>;
    return rows.map(({ disabledAt, ...u }) => ({ ...u, disabled: disabledAt != null }));
  }

  update(id: number, changes: { role?: string; orgId?: string | null; password?: string }): boolean {
    let changed = 0;
    if (changes.role !== undefined) changed += this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(changes.role, id).changes;
    if (changes.orgId !== undefined) changed += this.db.prepare('UPDATE users SET org_id = ? WHERE id = ?').run(changes.orgId, id).changes;
    if (changes.password !== undefined) {
      changed += this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hashPassword(changes.password), id).changes;
      // A new password ends every session opened with the old one.
      this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND name = 'session' AND revoked_at IS NULL").run(new Date().toISOString(), id);
    }
    return changed > 0;
  }

  /** Disables the user and revokes every token they hold. */
  disable(id: number): boolean {
    const t = new Date().toISOString();
    const ok = this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL').run(t, id).changes > 0;
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(t, id);
    return ok;
  }

  /** Checks a password; always spends the hashing time so timing does not reveal usernames. */
  authenticate(username: string, password: string): User | undefined {
    const row = this.db
      .prepare(`SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = ? AND u.disabled_at IS NULL`)
      .get(username) as (User & { password_hash: string }) | undefined;
    const ok = verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    return row && ok ? { id: row.id, username: row.username, role: row.role, orgId: row.orgId } : undefined;
  }

  /** Like authenticate, with scrypt on the thread pool: what request handlers use (the event loop stays free). */
  async authenticateAsync(username: string, password: string): Promise<User | undefined> {
    const row = this.db
      .prepare(`SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = ? AND u.disabled_at IS NULL`)
      .get(username) as (User & { password_hash: string }) | undefined;
    const ok = await verifyPasswordAsync(password, row?.password_hash ?? DUMMY_HASH);
    return row && ok ? { id: row.id, username: row.username, role: row.role, orgId: row.orgId } : undefined;
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
        `SELECT ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > ?)`,
      )
      .get(hashToken(token), now.toISOString()) as User | undefined;
  }

  listTokens(userId: number): TokenListing[] {
    const rows = this.db
      .prepare('SELECT id, name, created_at AS createdAt, expires_at AS expiresAt, revoked_at AS revokedAt FROM api_tokens WHERE user_id = ? ORDER BY id')
      .all(userId) as Array<Omit<TokenListing, 'revoked'> & { revokedAt: string | null }>;
    return rows.map(({ revokedAt, ...t }) => ({ ...t, revoked: revokedAt != null }));
  }

  revokeToken(token: string): void {
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ?').run(new Date().toISOString(), hashToken(token));
  }

  revokeTokenById(userId: number, tokenId: number): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL').run(new Date().toISOString(), tokenId, userId).changes > 0;
  }
}

const DUMMY_HASH = hashPassword(newSecret());
