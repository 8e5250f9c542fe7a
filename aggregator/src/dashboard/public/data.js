// Reading the fleet. Uses the inventory route (GET /api/v1/cameras, issue 6) when the aggregator
// offers it, else the fleet summary (GET /api/v1/fleet). Either way the list is exactly what the
// API returned for this user; nothing is added or guessed in the browser.
import { get, ApiError } from './api.js';

/** 'offline' | 'not-recording' | 'ok' */
export function cameraState(cam) {
  if (!cam.online) return 'offline';
  if (!cam.recording) return 'not-recording';
  return 'ok';
}

function fromInventory(item, areaNames) {
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
    online: item.online ?? item.status === 'online',
    recording: item.recording ?? item.status === 'online',
    problem: item.problem ?? null,
    conformance: typeof item.conformance === 'string' ? item.conformance : item.conformance?.verdict ?? null,
    area: areaId ? { id: areaId, name: item.area?.name ?? item.areaName ?? areaNames.get(areaId) ?? areaId } : null,
    location: typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null,
    owner: ownerName ? { id: item.owner?.id ?? item.ownerOrgId ?? null, name: ownerName, kind: item.owner?.kind ?? item.ownerOrgKind ?? null } : null,
    purposes: item.purposes ?? [],
    site: item.site ?? (item.siteId ? { id: item.siteId, name: item.siteName ?? item.siteId } : agentId ? { id: agentId, name: agentId } : null),
    raw: item,
  };
}

/** Area id -> name, from GET /api/v1/areas when offered (else ids are shown as they are). */
export async function loadAreas() {
  try {
    const res = await get('/api/v1/areas');
    return Array.isArray(res) ? res : res.items ?? res.areas ?? [];
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

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
    const res = await get('/api/v1/cameras?limit=10000');
    const items = Array.isArray(res) ? res : res.items ?? res.cameras ?? [];
    const areas = await loadAreas();
    const areaNames = new Map((areas ?? []).map((a) => [a.id, a.name]));
    let agents = null;
    try {
      agents = (await get('/api/v1/fleet')).agents ?? null;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    return { cameras: items.map((item) => fromInventory(item, areaNames)), agents, areas, source: 'cameras' };
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

export function summarize(cameras) {
  const s = { total: cameras.length, online: 0, offline: 0, notRecording: 0, nonConformant: 0 };
  for (const c of cameras) {
    const state = cameraState(c);
    if (state === 'offline') s.offline++;
    else s.online++;
    if (state === 'not-recording') s.notRecording++;
    if (c.conformance === 'fail') s.nonConformant++;
  }
  return s;
}
