/**
 * The agent's one SQLite database (`<dataDir>/agent.db`, WAL). Each module brings its own
 * migrations, keyed by an id string ('recorder-001', 'outbox-001', ...) instead of one global
 * version number, so modules written apart never fight over numbering. A migration runs once,
 * in its own transaction, and is recorded in `schema_migrations`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type AgentDb = Database.Database;

export interface Migration {
  /** Unique and stable forever, e.g. 'recorder-001'. Applied in the order given. */
  id: string;
  /** SQL text, or a function for migrations that need logic. */
  up: string | ((db: AgentDb) => void);
}

export const DB_FILE = 'agent.db';

/**
 * Opens (creating when needed) the agent database in `dataDir` and applies `migrations` not yet
 * applied. Other modules may call `applyMigrations` again later with their own list.
 */
export function openAgentDb(dataDir: string, migrations: Migration[] = []): AgentDb {
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const db = new Database(join(dataDir, DB_FILE));
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut may lose the last transactions but never corrupts the file;
  // the recorder's reconcile re-adopts segment files whose rows were lost.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  applyMigrations(db, migrations);
  return db;
}

export function applyMigrations(db: AgentDb, migrations: Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`);
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`migration id '${m.id}' listed twice`);
    seen.add(m.id);
  }
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    if (isApplied.get(m.id)) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      record.run(m.id, new Date().toISOString());
    })();
    applied.push(m.id);
  }
  return applied;
}

/**
 * Opens an existing agent database read-only (export, verify: safe while the agent records).
 * Throws a clear error when there is none.
 */
export function openAgentDbReadonly(dataDir: string): AgentDb {
  const file = join(dataDir, DB_FILE);
  let db: AgentDb;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new Error(`no agent database in ${dataDir} (nothing recorded there?)`);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

export function hasMigration(db: AgentDb, id: string): boolean {
  try {
    return Boolean(db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(id));
  } catch {
    return false;
  }
}
