/** A business's (or citizen's) consent to let others see some of its cameras. Plain data. */
import { z } from 'zod';
import type { CameraKey, OrgKind } from '../domain/types.ts';

/** What a grant lets the grantee see; each level is granted explicitly. */
export const SHARING_LEVELS = ['health', 'events', 'snapshots', 'clips'] as const;
export const SharingLevel = z.enum(SHARING_LEVELS);
export type SharingLevel = z.infer<typeof SharingLevel>;

/** The version of the sharing terms an owner accepts; bump it when the wording changes. */
export const CONSENT_VERSION = 'camfleet-sharing-terms-2025-07';

export interface SharingGrant {
  id: string;
  ownerOrgId: string;
  cameras: CameraKey[];
  /** Grantees: these organisations, and every organisation of these kinds. */
  granteeOrgIds: string[];
  granteeKinds: OrgKind[];
  levels: SharingLevel[];
  /** Purposes the grantee may state to use it; empty means any purpose. */
  purposes: string[];
  /** Local hours of day [from, to) when access is allowed (wraps past midnight when from > to); null = all day. */
  hours: { from: number; to: number } | null;
  validFrom: string;
  validUntil: string | null;
  consentVersion: string;
  consentedAt: string;
  consentedBy: number;
  revokedAt: string | null;
  revokedBy: number | null;
}
