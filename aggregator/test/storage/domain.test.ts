/** The domain and sharing ports' contract on both engines: SQLite (embedded) and PostgreSQL (a throwaway cluster). */
import { suite } from 'uvu';
import { openDatabase } from '../../src/db/database.ts';
import { createSqliteDomainRepos } from '../../src/domain/sqlite.ts';
import { createSqliteGrantRepository } from '../../src/sharing/repository.ts';
import { createPostgresDomainRepos } from '../../src/domain/postgres.ts';
import { createPostgresGrantRepository } from '../../src/sharing/postgres.ts';
import { PgStorage } from '../../src/storage/postgres.ts';
import { UserStore } from '../../src/auth/users.ts';
import { FleetStore } from '../../src/fleet/store.ts';
import { startPostgres, type PgCluster } from '../../../test/support/postgres.ts';
import { domainContract } from './domain-contract.ts';

const sqlite = suite('domain contract: sqlite');
domainContract(sqlite, 'sqlite', async () => {
  const db = openDatabase(':memory:');
  const userId = new UserStore(db).create('owner', 'a-long-password-123', 'owner').id;
  const fleet = new FleetStore(db);
  return {
    repos: createSqliteDomainRepos(db),
    grants: createSqliteGrantRepository(db),
    userId,
    async reportState(agentId, cameraId, s) {
      try {
        fleet.createAgent(agentId);
      } catch {
        // already registered
      }
      fleet.setOnline(agentId, true);
      fleet.replaceCameras(agentId, [{ id: cameraId, online: s.online, recording: s.recording, conformance: { verdict: s.verdict } } as never]);
    },
    async close() {
      db.close();
    },
  };
});
sqlite.run();

let cluster: PgCluster | undefined;
const pg = suite('domain contract: postgres');
pg.before(async () => {
  cluster = await startPostgres();
});
pg.after(async () => {
  await cluster?.stop();
});
domainContract(pg, 'postgres', async () => {
  const storage = await PgStorage.open(await cluster!.createDatabase(), { maxAttempts: 1 });
  const pool = storage.pool;
  // Fixtures of modules outside this contract (users, fleet state), written directly.
  const userId = Number((await pool.query("INSERT INTO users (username, password_hash, role, created_at) VALUES ('owner', 'x', 'owner', 'now') RETURNING id")).rows[0].id);
  return {
    repos: createPostgresDomainRepos(pool),
    grants: createPostgresGrantRepository(pool),
    userId,
    async reportState(agentId, cameraId, s) {
      await pool.query("INSERT INTO agents (id, secret_hash, created_at, online) VALUES ($1, 'x', 'now', true) ON CONFLICT (id) DO UPDATE SET online = true", [agentId]);
      await pool.query(
        `INSERT INTO cameras (agent_id, camera_id, online, recording, conformance, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (agent_id, camera_id) DO UPDATE SET online = excluded.online, recording = excluded.recording, conformance = excluded.conformance`,
        [agentId, cameraId, s.online, s.recording, { verdict: s.verdict }, new Date().toISOString()],
      );
    },
    async close() {
      await storage.close();
    },
  };
});
pg.run();
