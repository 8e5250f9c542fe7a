/**
 * What `install` and `uninstall` do, as a list of steps: files to write or remove, and the
 * systemctl/systemd-* commands for a live system. Pure, so the dry run prints exactly what the
 * real run does.
 */
import { renderSysusers, renderTmpfiles, renderUnit, UNIT_NAME, type ServiceSpec } from './unit.ts';

export type Step =
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'remove'; path: string }
  /** A command for a live system, run only when a file step changes something (idempotence). */
  | { kind: 'run'; argv: string[] };

export const PATHS = {
  unit: `/etc/systemd/system/${UNIT_NAME}`,
  wants: `/etc/systemd/system/multi-user.target.wants/${UNIT_NAME}`,
  sysusers: '/etc/sysusers.d/camfleet-agent.conf',
  tmpfiles: '/etc/tmpfiles.d/camfleet-agent.conf',
};

export function installSteps(s: ServiceSpec): Step[] {
  return [
    { kind: 'write', path: PATHS.sysusers, content: renderSysusers(s), mode: 0o644 },
    { kind: 'write', path: PATHS.tmpfiles, content: renderTmpfiles(s), mode: 0o644 },
    { kind: 'write', path: PATHS.unit, content: renderUnit(s), mode: 0o644 },
    // What `systemctl enable` does; also right for an image prepared with --root.
    { kind: 'symlink', path: PATHS.wants, target: PATHS.unit },
    { kind: 'run', argv: ['systemd-sysusers', PATHS.sysusers] },
    { kind: 'run', argv: ['systemd-tmpfiles', '--create', PATHS.tmpfiles] },
    { kind: 'run', argv: ['systemctl', 'daemon-reload'] },
    { kind: 'run', argv: ['systemctl', 'restart', UNIT_NAME] },
  ];
}

/** The data directory and the user stay: recordings may be evidence, removing them is a separate decision. */
export function uninstallSteps(): Step[] {
  return [
    { kind: 'run', argv: ['systemctl', 'disable', '--now', UNIT_NAME] },
    { kind: 'remove', path: PATHS.wants },
    { kind: 'remove', path: PATHS.unit },
    { kind: 'remove', path: PATHS.tmpfiles },
    { kind: 'remove', path: PATHS.sysusers },
    { kind: 'run', argv: ['systemctl', 'daemon-reload'] },
  ];
}
