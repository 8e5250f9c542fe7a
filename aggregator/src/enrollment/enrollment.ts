/**
 * Enrollment: the central office issues a one-time, expiring token for a site; an agent trades
 * it for its own identity (agent id) and MQTT password. The token is stored only as its sha256
 * and is spent in the same transaction that creates the agent, so two racing uses cannot both
 * succeed.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { hashToken, newSecret } from '../auth/secrets.ts';
import type { FleetStore } from '../fleet/store.ts';
import { isValidAgentId } from '@camfleet/shared';

export interface IssuedToken {
  tokenId: string;
  token: string;
  siteId: string;
  expiresAt: string;
}

export type EnrollFailure = 'token-invalid' | 'token-used' | 'token-expired';

export class EnrollmentError extends Error {
  constructor(
    readonly code: EnrollFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface Enrolled {
  agentId: string;
  password: string;
  siteId: string;
}

export class EnrollmentService {
  constructor(
    private readonly db: Db,
    private readonly fleet: FleetStore,
  ) {}

  siteExists(siteId: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM sites WHERE id = ?').get(siteId);
  }

  createToken(siteId: string, ttlSeconds: number, note?: string, now = new Date()): IssuedToken {
    if (!this.siteExists(siteId)) throw new Error(`no site '${siteId}'`);
    if (!(ttlSeconds > 0)) throw new Error('the token needs a positive lifetime');
    const tokenId = randomBytes(6).toString('hex');
    const token = `cfe_${newSecret(24)}`;
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    this.db
      .prepare('INSERT INTO enrollment_tokens (id, token_hash, site_id, note, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(tokenId, hashToken(token), siteId, note ?? null, now.toISOString(), expiresAt);
    return { tokenId, token, siteId, expiresAt };
  }

  listTokens(): Array<{ tokenId: string; siteId: string; createdAt: string; expiresAt: string; usedAt: string | null; agentId: string | null }> {
    return (this.db.prepare('SELECT * FROM enrollment_tokens ORDER BY created_at').all() as Array<Record<string, string | null>>).map((r) => ({
      tokenId: r.id!,
      siteId: r.site_id!,
      createdAt: r.created_at!,
      expiresAt: r.expires_at!,
      usedAt: r.used_at ?? null,
      agentId: r.agent_id ?? null,
    }));
  }

  /** Spends the token and creates the agent, placed at the token's site. */
  enroll(token: string, now = new Date()): Enrolled {
    return this.db.transaction((): Enrolled => {
      const row = this.db.prepare('SELECT id, site_id, expires_at, used_at FROM enrollment_tokens WHERE token_hash = ?').get(hashToken(token)) as
        | { id: string; site_id: string; expires_at: string; used_at: string | null }
        | undefined;
      if (!row) throw new EnrollmentError('token-invalid', 'unknown enrollment token');
      if (row.used_at) throw new EnrollmentError('token-used', 'this enrollment token was already used');
      if (row.expires_at <= now.toISOString()) throw new EnrollmentError('token-expired', 'this enrollment token has expired');
      const agentId = this.newAgentId(row.site_id);
      const creds = this.fleet.createAgent(agentId);
      const spent = this.db
        .prepare('UPDATE enrollment_tokens SET used_at = ?, agent_id = ? WHERE id = ? AND used_at IS NULL')
        .run(now.toISOString(), agentId, row.id);
      if (spent.changes !== 1) throw new EnrollmentError('token-used', 'this enrollment token was already used');
      this.db
        .prepare('INSERT INTO site_agents (agent_id, site_id) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET site_id = excluded.site_id')
        .run(agentId, row.site_id);
      return { agentId, password: creds.password, siteId: row.site_id };
    })();
  }

  /** `<site>-<random>`, reduced to the characters agent ids (and so topic names) allow. */
  private newAgentId(siteId: string): string {
    const base = siteId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'agent';
    for (;;) {
      const id = `${base}-${randomBytes(3).toString('hex')}`;
      if (isValidAgentId(id) && !this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(id)) return id;
    }
  }
}
