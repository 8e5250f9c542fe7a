/**
 * Loads a seed file idempotently: every entity is upserted by its id, so loading the same file
 * twice leaves the same state; users that already exist keep their password and tokens.
 * References are checked before anything is written, so a bad file changes nothing.
 */
import { readFileSync } from 'node:fs';
import { newSecret } from '../auth/secrets.ts';
import type { UserStore } from '../auth/users.ts';
import type { DomainRepos } from '../domain/repositories.ts';
import type { FleetStore } from '../fleet/store.ts';
import { summarizeIssues } from '@camfleet/shared';
import { SeedFile } from './schema.ts';
import type { DomainServices } from '../services.ts';
import { CONSENT_VERSION } from '../sharing/types.ts';

export interface SeedDeps {
  repos: DomainRepos;
  fleet: FleetStore;
  users: UserStore;
  /** Creates a seed grant (wired to the sharing service, which records consent and audit). */
  createGrant?: (grant: SeedFile['grants'][number]) => Promise<'created' | 'exists'>;
}

export interface SeedOptions {
  /** Password for newly created demo users; without it each gets a random one, returned once. */
  userPassword?: string;
  /**
   * Also store the file's camera state snapshot (online, recording, verdict) as the cameras'
   * last report, for screenshots of a busy city. Off by default: state comes from real agents,
   * and even with it no seeded agent is marked connected.
   */
  stateSnapshot?: boolean;
}

export interface SeedResult {
  areas: number;
  orgs: number;
  sites: number;
  agentsCreated: number;
  cameras: number;
  usersCreated: Array<{ username: string; role: string; org: string; password?: string }>;
  grantsCreated: number;
}

export function readSeedFile(file: string): SeedFile {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return parseSeed(raw);
}

export function parseSeed(raw: unknown): SeedFile {
  const parsed = SeedFile.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid seed: ${summarizeIssues(parsed.error)}`);
  checkReferences(parsed.data);
  return parsed.data;
}

function checkReferences(seed: SeedFile): void {
  const areas = new Set(seed.areas.map((a) => a.id));
  const purposes = new Set(seed.purposes.map((p) => p.id));
  const orgs = new Set(seed.orgs.map((o) => o.id));
  const sites = new Map(seed.sites.map((s) => [s.id, s]));
  const fail = (msg: string): never => {
    throw new Error(`invalid seed: ${msg}`);
  };
  for (const a of seed.areas) if (a.parent && !areas.has(a.parent)) fail(`area ${a.id}: unknown parent ${a.parent}`);
  for (const o of seed.orgs) {
    if (!areas.has(o.area)) fail(`org ${o.id}: unknown area ${o.area}`);
    for (const p of o.purposes ?? []) if (!purposes.has(p)) fail(`org ${o.id}: unknown purpose ${p}`);
  }
  for (const s of seed.sites) {
    if (!orgs.has(s.org)) fail(`site ${s.id}: unknown org ${s.org}`);
    if (!areas.has(s.area)) fail(`site ${s.id}: unknown area ${s.area}`);
  }
  const keys = new Set<string>();
  for (const c of seed.cameras) {
    const site = sites.get(c.site) ?? fail(`camera ${c.agent}/${c.id}: unknown site ${c.site}`);
    if (!site.agents.includes(c.agent)) fail(`camera ${c.agent}/${c.id}: agent ${c.agent} is not at site ${c.site}`);
    if (c.owner && !orgs.has(c.owner)) fail(`camera ${c.agent}/${c.id}: unknown owner ${c.owner}`);
    if (c.area && !areas.has(c.area)) fail(`camera ${c.agent}/${c.id}: unknown area ${c.area}`);
    for (const p of c.purposes) if (!purposes.has(p)) fail(`camera ${c.agent}/${c.id}: unknown purpose ${p}`);
    const key = `${c.agent}/${c.id}`;
    if (keys.has(key)) fail(`camera ${key} listed twice`);
    keys.add(key);
  }
  for (const u of seed.users) if (!orgs.has(u.org)) fail(`user ${u.username}: unknown org ${u.org}`);
  for (const g of seed.grants) {
    if (!orgs.has(g.owner)) fail(`grant ${g.id}: unknown owner ${g.owner}`);
    for (const o of g.granteeOrgs) if (!orgs.has(o)) fail(`grant ${g.id}: unknown grantee ${o}`);
    for (const c of g.cameras) if (!keys.has(`${c.agent}/${c.id}`)) fail(`grant ${g.id}: unknown camera ${c.agent}/${c.id}`);
  }
}

/** Parents before children, whatever order the file lists them in. */
function parentsFirst<T extends { id: string; parent?: string }>(items: T[]): T[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const out: T[] = [];
  const done = new Set<string>();
  const visit = (item: T, depth: number) => {
    if (done.has(item.id)) return;
    if (depth > items.length) throw new Error(`invalid seed: area ${item.id} is its own ancestor`);
    const parent = item.parent ? byId.get(item.parent) : undefined;
    if (parent) visit(parent, depth + 1);
    done.add(item.id);
    out.push(item);
  };
  for (const i of items) visit(i, 0);
  return out;
}

export async function loadSeed(seed: SeedFile, deps: SeedDeps, options: SeedOptions = {}): Promise<SeedResult> {
  const { repos, fleet, users } = deps;
  for (const a of parentsFirst(seed.areas)) {
    await repos.areas.upsert({ id: a.id, parentId: a.parent ?? null, name: a.name, kind: a.kind, lat: a.lat ?? null, lon: a.lon ?? null });
  }
  for (const p of seed.purposes) await repos.purposes.upsert(p);
  for (const o of seed.orgs) await repos.orgs.upsert({ id: o.id, name: o.name, kind: o.kind, areaId: o.area, purposes: o.purposes ?? null });

  const knownAgents = new Set(fleet.listAgents().map((a) => a.id));
  let agentsCreated = 0;
  const siteById = new Map(seed.sites.map((s) => [s.id, s]));
  for (const s of seed.sites) {
    await repos.sites.upsert({ id: s.id, name: s.name, orgId: s.org, areaId: s.area, address: s.address ?? null, lat: s.lat ?? null, lon: s.lon ?? null });
    for (const agentId of s.agents) {
      if (!knownAgents.has(agentId)) {
        // Its MQTT password is discarded: a real box enrolls (or gets `agent create`) for credentials.
        fleet.createAgent(agentId, s.name);
        knownAgents.add(agentId);
        agentsCreated++;
      }
      await repos.sites.attachAgent(agentId, s.id);
    }
  }

  const stateByAgent = new Map<string, Parameters<FleetStore['replaceCameras']>[1]>();
  for (const c of seed.cameras) {
    const site = siteById.get(c.site)!;
    await repos.inventory.upsert({
      agentId: c.agent,
      cameraId: c.id,
      name: c.name ?? null,
      siteId: site.id,
      ownerOrgId: c.owner ?? site.org,
      areaId: c.area ?? site.area,
      purposes: c.purposes,
      lat: c.lat ?? site.lat ?? null,
      lon: c.lon ?? site.lon ?? null,
      address: c.address ?? site.address ?? null,
      serial: c.serial ?? null,
      mac: c.mac ?? null,
      manufacturer: c.manufacturer ?? null,
      model: c.model ?? null,
    });
    if (c.state && options.stateSnapshot) {
      const list = stateByAgent.get(c.agent) ?? [];
      list.push({
        id: c.id,
        name: c.name,
        online: c.state.online,
        recording: c.state.recording,
        problem: c.state.problem,
        conformance: c.state.conformance
          ? { standard: 'camfleet-hanoi-2025', checkedAt: new Date().toISOString(), verdict: c.state.conformance, rules: [] }
          : undefined,
      });
      stateByAgent.set(c.agent, list);
    }
  }
  for (const [agentId, cameras] of stateByAgent) {
    fleet.replaceCameras(agentId, cameras);
  }

  const usersCreated: SeedResult['usersCreated'] = [];
  for (const u of seed.users) {
    if (users.byUsername(u.username)) continue;
    const password = options.userPassword ?? newSecret(12);
    users.create(u.username, password, u.role, u.org);
    usersCreated.push({ username: u.username, role: u.role, org: u.org, ...(options.userPassword ? {} : { password }) });
  }

  let grantsCreated = 0;
  if (deps.createGrant) for (const g of seed.grants) if ((await deps.createGrant(g)) === 'created') grantsCreated++;

  return { areas: seed.areas.length, orgs: seed.orgs.length, sites: seed.sites.length, agentsCreated, cameras: seed.cameras.length, usersCreated, grantsCreated };
}

/** Seed grants go through the sharing service, as if the owner's user consented (recorded and audited). */
export function seedGrantCreator(domain: DomainServices, users: UserStore): NonNullable<SeedDeps['createGrant']> {
  return async (g) => {
    if (await domain.grants.get(g.id)) return 'exists';
    const user = users.byUsername(g.grantedBy);
    if (!user || user.orgId !== g.owner) throw new Error(`invalid seed: grant ${g.id}: ${g.grantedBy} is not a user of ${g.owner}`);
    const principal = await domain.authorizer.principalFor(user);
    await domain.sharing.create(
      principal,
      {
        cameras: g.cameras.map((c) => ({ agentId: c.agent, cameraId: c.id })),
        granteeOrgIds: g.granteeOrgs,
        granteeKinds: g.granteeKinds,
        levels: g.levels,
        purposes: g.purposes,
        hours: g.hours ?? null,
        validUntil: g.validDays ? new Date(Date.now() + g.validDays * 86400_000).toISOString() : null,
        consent: { version: CONSENT_VERSION, accepted: true },
      },
      { ip: null, id: g.id },
    );
    return 'created';
  };
}
