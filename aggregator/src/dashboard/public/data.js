// Reading the fleet. Uses the inventory route (GET /api/v1/cameras, issue 6) when the aggregator
// offers it, else the fleet summary (GET /api/v1/fleet). Either way the list is exactly what the
// API returned for this user; nothing is added or guessed in the browser.
import { get, ApiError } from './api.js';

/** 'unknown' (never reported) | 'offline' | 'not-recording' | 'ok' */
export function cameraState(cam) {
  if (cam.status === 'unknown') return 'unknown';
  if (!cam.online) return 'offline';
  if (!cam.recording) return 'not-recording';
  return 'ok';
}

function fromInventory(item, areaNames, siteNames) {
  // Accepts the inventory's flat shape (agentId, cameraId, areaId, lat, lon, ownerOrgName, ...)
  // and a nested one (area:{id,name}, location:{lat,lon}, owner:{...}).
  const agentId = item.agentId ?? item.agent?.id ?? null;
  const cameraId = item.cameraId ?? item.id;
  const areaId = item.area?.id ?? item.areaId ?? null;
  const lat = item.location?.lat ?? item.lat ?? null;
  const lon = item.location?.lon ?? item.lon ?? null;
  const ownerName = item.owner?.name ?? item.ownerOrgName ?? null;
  return {
    id: String(item.id ?? (agentId ? `${agentId}/${cameraId}` : cameraId)),
    agentId,
    cameraId,
    name: item.name ?? null,
    status: item.status ?? null,
    online: item.online ?? item.status === 'online',
    recording: item.recording ?? item.status === 'online',
    problem: item.problem ?? null,
    conformance: typeof item.conformance === 'string' ? item.conformance : item.conformance?.verdict ?? null,
    area: areaId ? { id: areaId, name: item.area?.name ?? item.areaName ?? areaNames.get(areaId) ?? areaId } : null,
    location: typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null,
    owner: ownerName ? { id: item.owner?.id ?? item.ownerOrgId ?? null, name: ownerName, kind: item.owner?.kind ?? item.ownerOrgKind ?? null } : null,
    purposes: item.purposes ?? [],
    site: item.site ?? (item.siteId ? { id: item.siteId, name: item.siteName ?? siteNames.get(item.siteId) ?? item.siteId } : agentId ? { id: agentId, name: agentId } : null),
    raw: item,
  };
}

/** A list route's items, or null when the route is missing or not permitted (callers show ids then). */
async function optionalList(path) {
  try {
    const res = await get(path);
    return Array.isArray(res) ? res : res.items ?? [];
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/** Areas (names, parent, centre) from GET /api/v1/areas when offered. */
export const loadAreas = () => optionalList('/api/v1/areas');
export const loadPurposeList = () => optionalList('/api/v1/purposes');

function fromFleet(fleet) {
  const cameras = [];
  for (const agent of fleet.agents ?? []) {
    for (const cam of agent.cameras ?? []) {
      cameras.push({
        id: `${agent.id}/${cam.id}`,
        agentId: agent.id,
        cameraId: cam.id,
        name: cam.name ?? null,
        online: !!cam.online,
        recording: !!cam.recording,
        problem: cam.problem ?? null,
        conformance: cam.conformance ?? null,
        area: null,
        location: null,
        owner: null,
        purposes: [],
        site: { id: agent.id, name: agent.name ?? agent.id },
        raw: cam,
      });
    }
  }
  return cameras;
}

/** {cameras, agents, source} where source says which API route answered. */
export async function loadFleet() {
  try {
    // The inventory is paged; a city's few thousand cameras take a few pages.
    const items = [];
    for (let page = 1; page <= 100; page++) {
      const res = await get(`/api/v1/cameras?page=${page}&pageSize=1000`);
      const batch = Array.isArray(res) ? res : res.items ?? [];
      items.push(...batch);
      if (Array.isArray(res) || batch.length === 0 || items.length >= (res.total ?? 0)) break;
    }
    const [areas, sites] = await Promise.all([loadAreas(), optionalList('/api/v1/sites')]);
    const areaNames = new Map((areas ?? []).map((a) => [a.id, a.name]));
    const siteNames = new Map((sites ?? []).map((s) => [s.id, s.name]));
    let agents = null;
    try {
      agents = (await get('/api/v1/fleet')).agents ?? null;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    return { cameras: items.map((item) => fromInventory(item, areaNames, siteNames)), agents, areas, source: 'cameras' };
  } catch (err) {
    if (!(err instanceof ApiError && err.unavailable)) throw err;
  }
  const fleet = await get('/api/v1/fleet');
  return { cameras: fromFleet(fleet), agents: fleet.agents ?? [], areas: await loadAreas(), source: 'fleet' };
}

/** The group a camera is counted under on the overview: its area, else its site. */
export function groupOf(cam) {
  if (cam.area) return { kind: 'area', id: String(cam.area.id ?? cam.area.name), name: cam.area.name ?? String(cam.area.id) };
  if (cam.site) return { kind: 'site', id: String(cam.site.id), name: cam.site.name ?? String(cam.site.id) };
  return { kind: 'site', id: cam.agentId ?? '?', name: cam.agentId ?? '?' };
}

/** The ids of an area and everything under it (the area tree is data: any depth). */
export function areaSubtree(areas, rootId) {
  const out = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of areas ?? []) if (a.parentId && out.has(a.parentId) && !out.has(a.id)) out.add(a.id), (grew = true);
  }
  return out;
}

/** An <option> list of the areas that have cameras here (and their ancestors), indented by depth. */
export function areaOptions(areas, cameras) {
  if (!areas?.length) return [];
  const byId = new Map(areas.map((a) => [a.id, a]));
  const used = new Set();
  for (const c of cameras) for (let id = c.area?.id; id && !used.has(id); id = byId.get(id)?.parentId) used.add(id);
  const depth = (a) => (a.parentId && byId.has(a.parentId) ? 1 + depth(byId.get(a.parentId)) : 0);
  const out = [];
  const visit = (parentId) => {
    for (const a of areas.filter((x) => (x.parentId ?? null) === parentId && used.has(x.id)).sort((x, y) => x.name.localeCompare(y.name))) {
      out.push({ id: a.id, label: `${'\u00a0\u00a0'.repeat(depth(a))}${a.name}` });
      visit(a.id);
    }
  };
  visit(null);
  // Areas whose parent is not visible to this user still appear, at the top level.
  for (const id of used) if (!out.some((o) => o.id === id)) out.push({ id, label: byId.get(id)?.name ?? id });
  return out;
}

export function summarize(cameras) {
  const s = { total: cameras.length, online: 0, offline: 0, notRecording: 0, nonConformant: 0, unknown: 0 };
  for (const c of cameras) {
    const state = cameraState(c);
    if (state === 'offline') s.offline++;
    else if (state === 'unknown') s.unknown++;
    else s.online++;
    if (state === 'not-recording') s.notRecording++;
    if (c.conformance === 'fail') s.nonConformant++;
  }
  return s;
}
