import type { Migration } from '../db/database.ts';

/** Commands sent to agents, with their state: pending -> ok | error | timeout. */
export const COMMANDS_MIGRATIONS: Migration[] = [
  {
    id: 'commands-001',
    sql: `
      CREATE TABLE agent_commands (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        name TEXT NOT NULL,
        args_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'ok', 'error', 'timeout')),
        result_json TEXT,
        error_code TEXT,
        error_message TEXT,
        requested_by TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        completed_at TEXT
      );
      CREATE INDEX agent_commands_pending ON agent_commands (state, expires_at);
      CREATE INDEX agent_commands_agent ON agent_commands (agent_id, created_at);
    `,
  },
];
