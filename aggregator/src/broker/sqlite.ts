/** SQLite adapter of the broker's storage port (agent credentials in the fleet's `agents` table). */
import type { Db } from '../db/database.ts';
import type { AgentSecretRow, AgentSecretStore } from './agent-auth.ts';

export class SqliteAgentSecretStore implements AgentSecretStore {
  private readonly sGet;
  private readonly sReplace;

  constructor(db: Db) {
    this.sGet = db.prepare('SELECT secret_hash, revoked_at FROM agents WHERE id = ?');
    this.sReplace = db.prepare('UPDATE agents SET secret_hash = ? WHERE id = ? AND secret_hash = ? AND revoked_at IS NULL');
  }

  async get(agentId: string): Promise<AgentSecretRow | undefined> {
    const row = this.sGet.get(agentId) as { secret_hash: string; revoked_at: string | null } | undefined;
    return row ? { secretHash: row.secret_hash, revoked: row.revoked_at != null } : undefined;
  }

  async replaceHash(agentId: string, oldHash: string, newHash: string): Promise<void> {
    this.sReplace.run(newHash, agentId, oldHash);
  }
}
