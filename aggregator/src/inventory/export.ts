/** Inventory exports: CSV (RFC 4180) and GeoJSON (RFC 7946). Pure. */
import type { InventoryCamera } from '../domain/types.ts';

export const CSV_COLUMNS = [
  'agentId', 'cameraId', 'name', 'ownerOrgId', 'ownerOrgName', 'ownerOrgKind', 'areaId', 'purposes', 'lat', 'lon', 'address',
  'serial', 'mac', 'manufacturer', 'model', 'status', 'recording', 'conformance', 'lastReportAt',
] as const;

function csvField(v: unknown): string {
  const s = v == null ? '' : Array.isArray(v) ? v.join(';') : String(v);
  // Spreadsheet formula injection: a cell starting with = + - @ is neutralised with a quote.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(cameras: readonly InventoryCamera[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of cameras) lines.push(CSV_COLUMNS.map((k) => csvField(c[k])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export interface GeoJsonFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; id: string; geometry: { type: 'Point'; coordinates: [number, number] } | null; properties: Record<string, unknown> }>;
}

export function toGeoJson(cameras: readonly InventoryCamera[]): GeoJsonFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: cameras.map((c) => ({
      type: 'Feature',
      id: `${c.agentId}/${c.cameraId}`,
      // GeoJSON is [longitude, latitude].
      geometry: c.lat != null && c.lon != null ? { type: 'Point', coordinates: [c.lon, c.lat] } : null,
      properties: {
        agentId: c.agentId, cameraId: c.cameraId, name: c.name, ownerOrgId: c.ownerOrgId, ownerOrgName: c.ownerOrgName, ownerOrgKind: c.ownerOrgKind,
        areaId: c.areaId, purposes: c.purposes, address: c.address, status: c.status, conformance: c.conformance,
      },
    })),
  };
}
