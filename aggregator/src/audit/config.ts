/** The anchor settings of an aggregator configuration (defaults resolved). */
import { join } from 'node:path';
import type { AggregatorConfig } from '../config.ts';
import type { AnchorConfig } from './anchor.ts';

export function anchorConfig(config: Pick<AggregatorConfig, 'dataDir' | 'audit'>): AnchorConfig & { explicit: boolean } {
  return {
    dir: config.audit.anchorDir ?? join(config.dataDir, 'audit-anchor'),
    key: config.audit.anchorKey,
    checkpointEvery: config.audit.checkpointEvery,
    explicit: config.audit.anchorDir !== undefined || config.audit.anchorKey !== undefined,
  };
}
