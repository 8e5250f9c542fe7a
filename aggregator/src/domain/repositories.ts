/**
 * Storage interfaces (the port) of the city model. Domain code (authz, sharing, inventory, seed)
 * talks only to these; `sqlite.ts` implements them on the embedded database, `postgres.ts` on
 * PostgreSQL for a multi-instance deployment. Both pass the same contract tests.
 */
import type { Area, CameraKey, InventoryCamera, InventoryEntry, Org, Purpose, Site } from './types.ts';
import type { InventoryScope, PageRequest, ResolvedFilter } from '../inventory/scope.ts';

export interface AreaRepository {
  list(): Promise<Area[]>;
  upsert(area: Area): Promise<void>;
}

export interface PurposeRepository {
  list(): Promise<Purpose[]>;
  upsert(purpose: Purpose): Promise<void>;
}

export interface OrgRepository {
  list(): Promise<Org[]>;
  get(id: string): Promise<Org | undefined>;
  upsert(org: Org): Promise<void>;
}

export interface SiteRepository {
  list(): Promise<Site[]>;
  get(id: string): Promise<Site | undefined>;
  upsert(site: Site): Promise<void>;
  /** Places an agent at a site (moving it if it was elsewhere). */
  attachAgent(agentId: string, siteId: string): Promise<void>;
  siteOfAgent(agentId: string): Promise<Site | undefined>;
  agentsOfSite(siteId: string): Promise<string[]>;
  /** Every placed agent and its site id. */
  listPlacements(): Promise<Array<{ agentId: string; siteId: string }>>;
}

/** Facts an agent's probe learnt about a camera, merged into its inventory entry. */
export interface ReportedCamera {
  cameraId: string;
  name?: string | null;
  serial?: string | null;
  mac?: string | null;
  manufacturer?: string | null;
  model?: string | null;
}

export interface InventoryRepository {
  /** Every inventory camera with its owner and live state. Callers filter by permission. */
  list(): Promise<InventoryCamera[]>;
  /**
   * The cameras a scope reaches, filtered, in list order (area, agent, camera), one page of them
   * (all when no page is given) and how many match: scope and filter run in the query.
   */
  listScoped(scope: InventoryScope, filter: ResolvedFilter, page?: PageRequest): Promise<{ items: InventoryCamera[]; total: number }>;
  get(key: CameraKey): Promise<InventoryCamera | undefined>;
  upsert(entry: InventoryEntry): Promise<void>;
  /** Many at once (seeding a city): same effect as upsert for each, in few round trips. */
  upsertMany(entries: readonly InventoryEntry[]): Promise<void>;
  /**
   * Records cameras an agent reported: new ones get an entry owned by the agent's site's
   * organisation, in the site's area and place; known ones get their probed facts refreshed.
   * Returns how many entries were created (0 when the agent is not placed at a site).
   */
  mergeReported(agentId: string, cameras: readonly ReportedCamera[]): Promise<number>;
}

export interface DomainRepos {
  areas: AreaRepository;
  purposes: PurposeRepository;
  orgs: OrgRepository;
  sites: SiteRepository;
  inventory: InventoryRepository;
}
