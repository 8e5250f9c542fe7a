/**
 * Opt-in sharing as the agent enforces it. The centre tells the agent (`sharing.update`) which
 * grants share each of its cameras and with which levels (health, events, snapshots, clips); the
 * agent keeps that durably (tables below) and, for footage the centre asks for on a grantee's
 * behalf (a footage command carrying `grantId`), serves it only while that grant is active for
 * that camera with the level needed. A revocation also cancels, within the command's handling,
 * every clip upload made under the grant: the queued offer finds no clip, no further chunk is
 * read, and the exported file and its pin are released.
 *
 * Footage asked for without a grant (the owner's own access, a state body's by its function) is
 * not the agent's to judge: the centre authorised it and the agent serves it as before.
 */
import type { AgentDb, Migration } from '../storage/db.ts';

export const SHARING_MIGRATIONS: Migration[] = [
  {
    id: 'sharing-001',
    up: `
      -- every grant the centre told this agent about, per camera: active or revoked, with its levels
      CREATE TABLE sharing_grants (
        grant_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
        levels_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (grant_id, camera_id)
      );
      -- clip uploads made for a grantee: cancelled when their grant is revoked
      CREATE TABLE sharing_clips (
        clip_id TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX sharing_clips_grant ON sharing_clips (grant_id);
    `,
  },
];

export const SHARING_LEVELS = ['health', 'events', 'snapshots', 'clips'] as const;
export type SharingLevel = (typeof SHARING_LEVELS)[number];

export class SharingUpdateError extends Error {}

/** The `sharing.update` arguments, as the centre's sharing service sends them. */
export interface SharingUpdate {
  grantId: string;
  change: 'granted' | 'revoked';
  /** The changed grant's own levels (older centres sent only the per-camera union below). */
  levels?: SharingLevel[];
  /** For each camera of the grant: the levels and grants still in force after the change. */
  cameras: Array<{ cameraId: string; levels: SharingLevel[]; grants: string[] }>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Validates the command's arguments; throws SharingUpdateError naming the first problem. */
export function parseSharingUpdate(args: Record<string, unknown>): SharingUpdate {
  const { grantId, change, cameras } = args;
  if (typeof grantId !== 'string' || !ID.test(grantId)) throw new SharingUpdateError('grantId: a grant id');
  if (change !== 'granted' && change !== 'revoked') throw new SharingUpdateError("change: 'granted' or 'revoked'");
  if (!Array.isArray(cameras) || cameras.length === 0 || cameras.length > 10_000) throw new SharingUpdateError('cameras: a non-empty list');
  return {
    grantId,
    change,
    levels: args.levels === undefined ? undefined : parseLevels(args.levels, 'levels'),
    cameras: cameras.map((c, i) => {
      const cam = c as Record<string, unknown>;
      if (typeof cam?.cameraId !== 'string' || !ID.test(cam.cameraId)) throw new SharingUpdateError(`cameras[${i}].cameraId: a camera id`);
      const levels = parseLevels(cam.levels ?? [], `cameras[${i}].levels`);
      const grants = Array.isArray(cam.grants) ? cam.grants.filter((g): g is string => typeof g === 'string' && ID.test(g)) : [];
      return { cameraId: cam.cameraId, levels, grants };
    }),
  };
}

function parseLevels(value: unknown, at: string): SharingLevel[] {
  if (!Array.isArray(value)) throw new SharingUpdateError(`${at}: a list of levels`);
  const bad = value.find((l) => !(SHARING_LEVELS as readonly unknown[]).includes(l));
  if (bad !== undefined) throw new SharingUpdateError(`${at}: unknown level ${JSON.stringify(bad).slice(0, 40)}`);
  return value as SharingLevel[];
}

export type FootageVerdict = { ok: true } | { ok: false; code: 'grant-revoked' | 'grant-unknown' | 'level-not-shared'; message: string };

export class SharingState {
  constructor(private readonly db: AgentDb) {}

  /**
   * Records an update: the changed grant's state per camera, and any grant the centre lists as
   * no longer in force for a camera (expired meanwhile) as revoked. Returns the clip ids made
   * under grants that are now revoked, which the caller cancels.
   */
  apply(update: SharingUpdate, now = new Date()): { revokedClips: string[] } {
    const at = now.toISOString();
    const upsert = this.db.prepare(
      `INSERT INTO sharing_grants (grant_id, camera_id, state, levels_json, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (grant_id, camera_id) DO UPDATE SET state = excluded.state, levels_json = excluded.levels_json, updated_at = excluded.updated_at`,
    );
    const activeOf = this.db.prepare("SELECT grant_id FROM sharing_grants WHERE camera_id = ? AND state = 'active'").pluck();
    const revoke = this.db.prepare("UPDATE sharing_grants SET state = 'revoked', updated_at = ? WHERE grant_id = ? AND camera_id = ?");
    const revokedGrants = new Set<string>();
    this.db.transaction(() => {
      for (const cam of update.cameras) {
        // The grant's own levels when the centre sends them (a grant valid from a later time is
        // not yet in the camera's union); else the camera's union in force, never wider than
        // what the owner shares on that camera.
        const levels = update.levels ?? cam.levels;
        // A grant whose validity starts later is active here too: the centre still checks its times.
        const active = update.change === 'granted';
        upsert.run(update.grantId, cam.cameraId, active ? 'active' : 'revoked', JSON.stringify(levels), at);
        if (!active) revokedGrants.add(update.grantId);
        // A grant the centre no longer lists as in force on this camera (expired, revoked while
        // this agent missed the update) is revoked here too.
        for (const other of activeOf.all(cam.cameraId) as string[]) {
          if (other !== update.grantId && !cam.grants.includes(other)) {
            revoke.run(at, other, cam.cameraId);
            revokedGrants.add(other);
          }
        }
      }
    })();
    return { revokedClips: this.clipsOfRevoked([...revokedGrants]) };
  }

  /** May footage of `level` of this camera be served for a request made under `grantId`? */
  mayServe(cameraId: string, grantId: string | undefined, level: SharingLevel): FootageVerdict {
    if (grantId === undefined) return { ok: true };
    const row = this.db.prepare('SELECT state, levels_json FROM sharing_grants WHERE grant_id = ? AND camera_id = ?').get(grantId, cameraId) as
      | { state: string; levels_json: string }
      | undefined;
    if (!row) return { ok: false, code: 'grant-unknown', message: `grant ${grantId} does not share camera ${cameraId} on this agent` };
    if (row.state !== 'active') return { ok: false, code: 'grant-revoked', message: `grant ${grantId} was revoked` };
    if (!(JSON.parse(row.levels_json) as string[]).includes(level)) return { ok: false, code: 'level-not-shared', message: `camera ${cameraId} does not share ${level}` };
    return { ok: true };
  }

  /** Remembers that a clip upload was made for a grantee, so a revocation can cancel it. */
  trackClip(clipId: string, grantId: string, cameraId: string, now = new Date()): void {
    this.db.prepare('INSERT OR REPLACE INTO sharing_clips (clip_id, grant_id, camera_id, created_at) VALUES (?, ?, ?, ?)').run(clipId, grantId, cameraId, now.toISOString());
  }

  forgetClip(clipId: string): void {
    this.db.prepare('DELETE FROM sharing_clips WHERE clip_id = ?').run(clipId);
  }

  /** Clip uploads made under grants that are revoked now (e.g. at start, for a revocation that came while one was being cut). */
  clipsOfRevoked(grantIds?: string[]): string[] {
    if (grantIds && grantIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT DISTINCT c.clip_id FROM sharing_clips c JOIN sharing_grants g ON g.grant_id = c.grant_id AND g.camera_id = c.camera_id
         WHERE g.state = 'revoked'`,
      )
      .pluck()
      .all() as string[];
    if (!grantIds) return rows;
    const wanted = new Set(grantIds);
    const byClip = this.db.prepare('SELECT grant_id FROM sharing_clips WHERE clip_id = ?').pluck();
    return rows.filter((id) => wanted.has(byClip.get(id) as string));
  }

  /** The grants recorded for a camera (status and tests). */
  grants(cameraId: string): Array<{ grantId: string; state: 'active' | 'revoked'; levels: SharingLevel[] }> {
    return (this.db.prepare('SELECT grant_id, state, levels_json FROM sharing_grants WHERE camera_id = ? ORDER BY grant_id').all(cameraId) as Array<Record<string, string>>).map(
      (r) => ({ grantId: r.grant_id!, state: r.state as 'active' | 'revoked', levels: JSON.parse(r.levels_json!) }),
    );
  }
}
