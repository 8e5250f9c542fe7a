/**
 * Narrows the fleet view (agents and the cameras they report) to what a user may see with
 * `view_health`: cameras in the inventory by their own scope, cameras not (yet) in it by their
 * agent's site, and agents placed at no site only by system-wide roles.
 */
import type { DomainRepos } from '../domain/repositories.ts';
import type { Resource } from './decide.ts';
import type { AccessGate } from './gate.ts';
import { roleSpec } from './policy.ts';
import { cameraScope } from './authorizer.ts';

export async function scopeFleet<A extends { id: string }, C extends { agentId: string; cameraId: string }>(
  gate: AccessGate,
  repos: DomainRepos,
  agents: readonly A[],
  cameras: readonly C[],
): Promise<{ agents: A[]; cameras: C[] }> {
  const principal = await gate.getPrincipal();
  const systemWide = roleSpec(principal.role)?.reach === 'any';
  const [inventory, sites, placements, orgs] = await Promise.all([repos.inventory.list(), repos.sites.list(), repos.sites.listPlacements(), repos.orgs.list()]);
  const invByKey = new Map(inventory.map((cam) => [`${cam.agentId}/${cam.cameraId}`, cam]));
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const orgKind = new Map(orgs.map((o) => [o.id, o.kind]));
  const siteOfAgent = new Map(placements.map((p) => [p.agentId, siteById.get(p.siteId)]));

  const siteResource = (agentId: string): Resource | undefined => {
    const site = siteOfAgent.get(agentId);
    const kind = site && orgKind.get(site.orgId);
    return site && kind ? { type: 'site', orgId: site.orgId, orgKind: kind, areaId: site.areaId } : undefined;
  };
  const agentVisible = new Set(
    (await gate.filterBy('view_health', agents, (a) => siteResource(a.id) ?? { type: 'collection' })).filter((a) => siteResource(a.id) || systemWide).map((a) => a.id),
  );
  const visibleCameras: C[] = [];
  for (const cam of cameras) {
    const inv = invByKey.get(`${cam.agentId}/${cam.cameraId}`);
    const ok = inv ? (await gate.filter('view_health', [cameraScope(inv)])).length > 0 : agentVisible.has(cam.agentId);
    if (ok) visibleCameras.push(cam);
  }
  const withCameras = new Set(visibleCameras.map((c) => c.agentId));
  return { agents: agents.filter((a) => agentVisible.has(a.id) || withCameras.has(a.id)), cameras: visibleCameras };
}
