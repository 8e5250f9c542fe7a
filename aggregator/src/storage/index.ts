/**
 * Opening the configured relational store. SQLite is the embedded default. PostgreSQL is
 * reachable through `PgStorage.open` (connection with retry, migrations) and carries the modules
 * ported so far; until every module has its adapter the aggregator refuses to run on it rather
 * than split its state between two engines (storage/README.md lists what is ported).
 */
import type { StorageConfig } from './config.ts';

/** Modules whose state is still only on SQLite. */
export const NOT_YET_ON_POSTGRES = ['fleet', 'users/tokens', 'ingest', 'events', 'clips', 'commands', 'enrollment', 'alerts', 'audit'] as const;

export function assertStorageSupported(config: StorageConfig | undefined): void {
  if (config?.engine === 'postgres') {
    throw new Error(
      `storage.engine 'postgres' is not usable by the aggregator yet: ${NOT_YET_ON_POSTGRES.join(', ')} still store in SQLite ` +
        `(the city model and sharing have PostgreSQL adapters). Use storage: { engine: sqlite } (the default).`,
    );
  }
}
