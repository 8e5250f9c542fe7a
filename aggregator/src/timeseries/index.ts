/** Builds the configured time-series adapter. */
import type { Logger } from '@camfleet/shared';
import type { Db } from '../db/database.ts';
import type { TimeSeriesConfig } from './config.ts';
import type { TimeSeriesStore } from './port.ts';
import { SqliteTimeSeries } from './sqlite.ts';
import { VictoriaTimeSeries } from './victoria.ts';

export function openTimeSeries(config: TimeSeriesConfig | undefined, db: Db, logger: Logger): TimeSeriesStore {
  if (config?.engine === 'victoria') return new VictoriaTimeSeries({ url: config.url, token: config.token, flushIntervalMs: config.flushIntervalMs }, logger);
  return new SqliteTimeSeries(db, config?.engine === 'sqlite' ? config : {});
}
