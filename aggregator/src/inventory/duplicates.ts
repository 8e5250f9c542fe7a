/**
 * Likely duplicates for review: the same serial number or MAC address seen through two agents
 * (one camera reported twice), and cameras a few metres apart that serve the same purpose
 * (bought twice). Pure; the proximity check buckets cameras into a grid so it stays near-linear.
 */
import type { InventoryCamera } from '../domain/types.ts';

export interface DuplicateFlag {
  reason: 'same-serial' | 'same-mac' | 'nearby-same-purpose';
  cameras: string[];
  detail: string;
}

const key = (c: InventoryCamera) => `${c.agentId}/${c.cameraId}`;

/** Great-circle distance in metres. */
export function distanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

function normaliseMac(mac: string): string {
  return mac.toLowerCase().replace(/[^0-9a-f]/g, '');
}

export function findDuplicates(cameras: readonly InventoryCamera[], opts: { withinMetres?: number } = {}): DuplicateFlag[] {
  const within = opts.withinMetres ?? 10;
  const flags: DuplicateFlag[] = [];
  const byIdentity = (reason: 'same-serial' | 'same-mac', value: (c: InventoryCamera) => string | null) => {
    const groups = new Map<string, InventoryCamera[]>();
    for (const c of cameras) {
      const v = value(c);
      if (v) groups.set(v, [...(groups.get(v) ?? []), c]);
    }
    for (const [v, group] of groups) {
      // Two entries through the same agent are two channels of one device (an NVR), not a duplicate.
      if (new Set(group.map((c) => c.agentId)).size < 2) continue;
      flags.push({ reason, cameras: group.map(key).sort(), detail: `${reason === 'same-serial' ? 'serial' : 'MAC'} ${v} reported by ${[...new Set(group.map((c) => c.agentId))].sort().join(', ')}` });
    }
  };
  byIdentity('same-serial', (c) => (c.serial ? c.serial.trim().toUpperCase() : null));
  byIdentity('same-mac', (c) => (c.mac ? normaliseMac(c.mac) || null : null));

  // Grid cells about `within` metres wide; compare each camera with its own and neighbouring cells.
  const cell = within / 111_000;
  const grid = new Map<string, InventoryCamera[]>();
  const located = cameras.filter((c) => c.lat != null && c.lon != null);
  for (const c of located) {
    const k = `${Math.floor(c.lat! / cell)}:${Math.floor(c.lon! / cell)}`;
    grid.set(k, [...(grid.get(k) ?? []), c]);
  }
  const seen = new Set<string>();
  for (const c of located) {
    const gy = Math.floor(c.lat! / cell);
    const gx = Math.floor(c.lon! / cell);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const o of grid.get(`${gy + dy}:${gx + dx}`) ?? []) {
          if (key(o) <= key(c)) continue;
          const shared = c.purposes.filter((p) => o.purposes.includes(p));
          if (!shared.length) continue;
          const d = distanceMetres(c.lat!, c.lon!, o.lat!, o.lon!);
          if (d > within) continue;
          const pair = `${key(c)}|${key(o)}`;
          if (seen.has(pair)) continue;
          seen.add(pair);
          flags.push({ reason: 'nearby-same-purpose', cameras: [key(c), key(o)], detail: `${d.toFixed(1)} m apart, both for ${shared.join(', ')}` });
        }
      }
    }
  }
  return flags;
}
