/**
 * What the runtime's components share: the configuration in force (replaced on reload), the
 * cameras with their secrets resolved, and the long-lived services (database, uplink, inventory,
 * sharing state, keystore).
 */
import type { Logger } from '@camfleet/shared';
import type { AgentConfig } from '../config.ts';
import type { AgentDb } from '../storage/db.ts';
import type { Uplink } from '../uplink/connection.ts';
import type { CameraInventory } from '../cameras/inventory.ts';
import type { Keystore } from '../keystore/keystore.ts';
import type { SharingState } from './sharing.ts';
import { resolveCamera, type ResolvedCamera } from '../cameras/secrets.ts';

export interface RuntimeContext {
  config: AgentConfig;
  /** config.cameras with passwords resolved (memory only). */
  cameras: ResolvedCamera[];
  readonly logger: Logger;
  readonly agentId: string;
  readonly db: AgentDb;
  readonly uplink: Uplink;
  readonly keystore: Keystore;
  readonly inventory: CameraInventory;
  readonly sharing: SharingState;
}

export function resolveCameras(config: AgentConfig, keystore: Keystore, logger: Logger): ResolvedCamera[] {
  return config.cameras.map((c) => resolveCamera(c, keystore, logger));
}
