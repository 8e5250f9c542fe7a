/** The city model's types: plain data, no storage concerns. */
import { z } from 'zod';

/** Kinds of organisation. Ward and commune committees share one kind: the area says which. */
export const ORG_KINDS = ['city_committee', 'police', 'command', 'department', 'ward_committee', 'business', 'citizen'] as const;
export const OrgKind = z.enum(ORG_KINDS);
export type OrgKind = z.infer<typeof OrgKind>;

/** Cameras of these kinds of owner are private: others see them only through a sharing grant. */
export const PRIVATE_OWNER_KINDS: readonly OrgKind[] = ['business', 'citizen'];

export interface Area {
  id: string;
  parentId: string | null;
  name: string;
  /** 'city', 'ward', 'commune', … — data, not code, since cities reorganise. */
  kind: string;
  lat: number | null;
  lon: number | null;
}

export interface Purpose {
  id: string;
  name: string;
}

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  /** The root of the area subtree the organisation's function covers. */
  areaId: string;
  /** Purposes the organisation's function covers; null means every purpose. */
  purposes: string[] | null;
}

export interface Site {
  id: string;
  name: string;
  orgId: string;
  areaId: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
}

export interface CameraKey {
  agentId: string;
  cameraId: string;
}

export function cameraKeyString(k: CameraKey): string {
  return `${k.agentId}/${k.cameraId}`;
}

/** What the inventory records about a camera (declared or learnt from its agent's report). */
export interface InventoryEntry extends CameraKey {
  name: string | null;
  siteId: string | null;
  ownerOrgId: string;
  areaId: string;
  purposes: string[];
  lat: number | null;
  lon: number | null;
  address: string | null;
  serial: string | null;
  mac: string | null;
  manufacturer: string | null;
  model: string | null;
}

export type CameraStatus = 'online' | 'not_recording' | 'offline' | 'unknown';

/** An inventory entry joined with its owner and its live state as last reported. */
export interface InventoryCamera extends InventoryEntry {
  ownerOrgKind: OrgKind;
  ownerOrgName: string;
  status: CameraStatus;
  online: boolean;
  recording: boolean;
  problem: string | null;
  conformance: 'pass' | 'warn' | 'fail' | null;
  lastReportAt: string | null;
}
