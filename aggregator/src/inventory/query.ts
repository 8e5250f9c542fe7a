/** Filtering, search and paging of inventory cameras. Pure. */
import type { AreaTree } from '../domain/area-tree.ts';
import type { CameraStatus, InventoryCamera, OrgKind } from '../domain/types.ts';

export interface InventoryFilter {
  /** Free text: name, address, ids, serial, MAC, manufacturer, model, owner name (case- and accent-insensitive). */
  q?: string;
  /** An area and everything below it. */
  area?: string;
  purpose?: string;
  owner?: string;
  ownerKind?: OrgKind;
  status?: CameraStatus;
  conformance?: 'pass' | 'warn' | 'fail';
}

/** Lowercase without Vietnamese diacritics, so "hoan kiem" finds "Hoàn Kiếm". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

export function filterInventory(cameras: readonly InventoryCamera[], f: InventoryFilter, areas: AreaTree): InventoryCamera[] {
  const subtree = f.area ? areas.subtree(f.area) : undefined;
  const terms = f.q ? fold(f.q).split(/\s+/).filter(Boolean) : [];
  return cameras.filter((c) => {
    if (subtree && !subtree.has(c.areaId)) return false;
    if (f.purpose && !c.purposes.includes(f.purpose)) return false;
    if (f.owner && c.ownerOrgId !== f.owner) return false;
    if (f.ownerKind && c.ownerOrgKind !== f.ownerKind) return false;
    if (f.status && c.status !== f.status) return false;
    if (f.conformance && c.conformance !== f.conformance) return false;
    if (terms.length) {
      const hay = fold([c.agentId, c.cameraId, c.name, c.address, c.serial, c.mac, c.manufacturer, c.model, c.ownerOrgName, areas.get(c.areaId)?.name].filter(Boolean).join(' '));
      if (!terms.every((t) => hay.includes(t))) return false;
    }
    return true;
  });
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function paginate<T>(items: readonly T[], page: number, pageSize: number): Page<T> {
  const start = (page - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), page, pageSize, total: items.length };
}
