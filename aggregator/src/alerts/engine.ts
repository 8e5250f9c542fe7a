/**
 * Raises and clears alerts from what agents report. Event-like conditions (tamper, a recording
 * gap) are raised at once; state-like ones (offline, not recording) only after they have lasted
 * a while, so a camera rebooting does not page anyone; disk space clears with hysteresis.
 * `sweep(now)` promotes conditions that have lasted long enough and clears stale tamper alerts;
 * the server calls it periodically.
 */
import type { BodyOf, CameraReport } from '@camfleet/shared';
import type { AlertKind, AlertRepository } from './repository.ts';
import { alertSentence } from './text.ts';

export interface AlertThresholds {
  offlineMinutes: number;
  notRecordingMinutes: number;
  /** Raise when free/total falls below this; clear when it is back above `diskClearRatio`. */
  diskLowRatio: number;
  diskClearRatio: number;
  clockSkewMs: number;
  /** A tamper alert clears after this long without a new tamper event. */
  tamperClearMinutes: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = { offlineMinutes: 5, notRecordingMinutes: 2, diskLowRatio: 0.1, diskClearRatio: 0.15, clockSkewMs: 2000, tamperClearMinutes: 60 };

/** What the engine reads of the fleet at a sweep. */
export interface FleetView {
  agentsOnline(): Map<string, boolean>;
  /** Last reported camera states (startup baseline). */
  cameras(): Array<{ agentId: string; cameraId: string; online: boolean; recording: boolean }>;
}

interface CameraState {
  online: boolean;
  recording: boolean;
}

export class AlertEngine {
  private readonly t: AlertThresholds;
  private readonly cameraState = new Map<string, CameraState>();

  constructor(
    private readonly repo: AlertRepository,
    private readonly fleet: FleetView,
    thresholds: Partial<AlertThresholds> = {},
  ) {
    this.t = { ...DEFAULT_THRESHOLDS, ...thresholds };
    for (const c of fleet.cameras()) this.cameraState.set(`${c.agentId}/${c.cameraId}`, { online: c.online, recording: c.recording });
  }

  /** The condition holds (bad) or not at `at`; `delayMs` is how long it must last before raising. */
  observe(kind: AlertKind, agentId: string, cameraId: string | null, bad: boolean, at: Date, facts: Record<string, unknown> = {}, delayMs = 0): void {
    const open = this.repo.open(kind, agentId, cameraId);
    const ts = at.toISOString();
    // The sentence operators read, stored with the facts it was made from.
    const detail = { ...facts, text: alertSentence(kind, facts) };
    if (bad) {
      if (!open) {
        const raise = delayMs <= 0;
        this.repo.insert({ kind, agentId, cameraId, state: raise ? 'active' : 'pending', since: ts, raisedAt: raise ? ts : null, clearedAt: null, lastSeenAt: ts, detail });
      } else if (open.state === 'pending' && at.getTime() - Date.parse(open.since) >= delayMs) {
        this.repo.update(open.id, { state: 'active', raisedAt: ts, lastSeenAt: ts, detail });
      } else {
        this.repo.update(open.id, { lastSeenAt: ts, detail });
      }
    } else if (open) {
      this.repo.update(open.id, { state: 'cleared', clearedAt: ts });
    }
  }

  private observeCamera(agentId: string, cameraId: string, s: CameraState, at: Date, problem?: string): void {
    this.cameraState.set(`${agentId}/${cameraId}`, s);
    this.observe('camera_offline', agentId, cameraId, !s.online, at, problem ? { problem } : {}, this.t.offlineMinutes * 60_000);
    this.observe('not_recording', agentId, cameraId, s.online && !s.recording, at, problem ? { problem } : {}, this.t.notRecordingMinutes * 60_000);
  }

  onCameras(agentId: string, cameras: readonly CameraReport[], at = new Date()): void {
    for (const c of cameras) {
      this.observeCamera(agentId, c.id, { online: c.online, recording: c.recording }, at, c.problem);
      if (c.conformance) {
        const failed = c.conformance.rules.filter((r) => r.status === 'fail').map((r) => r.id);
        this.observe('non_conformant', agentId, c.id, c.conformance.verdict === 'fail', at, { standard: c.conformance.standard, failed });
      }
      if (c.record) this.observe('clock_skew', agentId, c.id, Math.abs(c.record.clockOffsetMs) > this.t.clockSkewMs, at, { clockOffsetMs: c.record.clockOffsetMs });
    }
  }

  onHealth(agentId: string, body: BodyOf<'health'>, at = new Date(body.sampledAt)): void {
    for (const c of body.cameras) {
      this.observeCamera(agentId, c.cameraId, { online: c.online, recording: c.recording }, at);
      if (c.gapsLastHour !== undefined) this.observe('recording_gap', agentId, c.cameraId, c.gapsLastHour > 0, at, { gapsLastHour: c.gapsLastHour });
    }
  }

  onHeartbeat(agentId: string, hb: BodyOf<'heartbeat'>, at = new Date()): void {
    if (hb.disk && hb.disk.totalBytes > 0) {
      const ratio = hb.disk.freeBytes / hb.disk.totalBytes;
      const detail = { freeBytes: hb.disk.freeBytes, totalBytes: hb.disk.totalBytes, freeRatio: Math.round(ratio * 1000) / 1000 };
      if (ratio < this.t.diskLowRatio) this.observe('disk_low', agentId, null, true, at, detail);
      else if (ratio >= this.t.diskClearRatio) this.observe('disk_low', agentId, null, false, at);
    }
    if (hb.clockOffsetMs !== undefined) this.observe('clock_skew', agentId, null, Math.abs(hb.clockOffsetMs) > this.t.clockSkewMs, at, { clockOffsetMs: hb.clockOffsetMs });
  }

  onEvent(agentId: string, ev: BodyOf<'event'>, at = new Date()): void {
    const cameraId = ev.cameraId ?? null;
    if (ev.kind === 'tamper') {
      // A cleared tamper closes the alert its raised event opened (same tamper kind), instead of
      // showing as one more active alert; a cleared one with nothing open changes nothing. A camera
      // that settled on a new view ("moved" cleared with relearned) stays alerted until an operator
      // has checked where it points now (acknowledge) or the tamper alert expires.
      if (ev.data.state === 'cleared') {
        if (ev.data.relearned === true) return;
        const open = this.repo.open('tamper', agentId, cameraId);
        if (open && (open.detail.tamper === ev.data.tamper || open.detail.eventId === ev.data.raisedEventId)) this.repo.update(open.id, { state: 'cleared', clearedAt: at.toISOString() });
        return;
      }
      this.observe('tamper', agentId, cameraId, true, at, { eventId: ev.eventId, ...ev.data });
    }
    else if (ev.kind === 'recording.gap' && cameraId) this.observe('recording_gap', agentId, cameraId, true, at, { eventId: ev.eventId, ...ev.data });
    else if (ev.kind === 'disk.full') this.observe('disk_low', agentId, null, true, at, { eventId: ev.eventId, ...ev.data });
    else if (ev.kind === 'camera.offline' && cameraId) this.observeCamera(agentId, cameraId, { online: false, recording: false }, at);
    else if (ev.kind === 'camera.online' && cameraId) this.observeCamera(agentId, cameraId, { online: true, recording: this.cameraState.get(`${agentId}/${cameraId}`)?.recording ?? true }, at);
  }

  /** Promotes lasting conditions, treats cameras behind an offline agent as offline, expires tamper alerts. */
  sweep(at = new Date()): void {
    const agents = this.fleet.agentsOnline();
    for (const [key, s] of this.cameraState) {
      const [agentId, cameraId] = splitKey(key);
      const agentOnline = agents.get(agentId) ?? false;
      const effective = agentOnline ? s : { online: false, recording: false };
      this.observe('camera_offline', agentId, cameraId, !effective.online, at, agentOnline ? {} : { problem: 'agent offline' }, this.t.offlineMinutes * 60_000);
      this.observe('not_recording', agentId, cameraId, effective.online && !effective.recording, at, {}, this.t.notRecordingMinutes * 60_000);
    }
    for (const a of this.repo.listOpen()) {
      if (a.kind === 'tamper' && at.getTime() - Date.parse(a.lastSeenAt) >= this.t.tamperClearMinutes * 60_000) this.repo.update(a.id, { state: 'cleared', clearedAt: at.toISOString() });
    }
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
