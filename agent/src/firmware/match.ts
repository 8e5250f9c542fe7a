/** Recognising a firmware family from probed facts, and comparing firmware versions. */
import type { AffectedRange, FirmwareProfile, Vulnerability } from './schema.ts';

export interface DeviceFacts {
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  hardware?: string;
  /** HTTP `Server` header of the device's web interface, when read. */
  httpServer?: string;
}

const anyMatch = (patterns: string[], value: string | undefined) => !!value && patterns.some((p) => new RegExp(p, 'i').test(value));

/** The first profile whose patterns recognise the device (manufacturer first, then the others). */
export function matchProfile(profiles: FirmwareProfile[], d: DeviceFacts): FirmwareProfile | undefined {
  return (
    profiles.find((p) => anyMatch(p.match.manufacturer, d.manufacturer)) ??
    profiles.find(
      (p) =>
        anyMatch(p.match.model, d.model) ||
        anyMatch(p.match.firmware, d.firmwareVersion) ||
        anyMatch(p.match.hardware, d.hardware) ||
        anyMatch(p.match.httpServer, d.httpServer),
    )
  );
}

/** The first dotted number in a firmware string: `V5.5.3 build 180822` gives [5, 5, 3]. */
export function parseVersion(s: string | undefined): number[] | undefined {
  const m = /(\d+(?:\.\d+)+)/.exec(s ?? '');
  return m ? m[1]!.split('.').map(Number) : undefined;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function inRange(r: AffectedRange, d: DeviceFacts): boolean {
  if (r.models && !anyMatch(r.models, d.model)) return false;
  if (r.httpServer && !anyMatch([r.httpServer], d.httpServer)) return false;
  const hasVersionBound = r.from !== undefined || r.below !== undefined || r.through !== undefined;
  if (!hasVersionBound) return r.httpServer !== undefined || r.models !== undefined;
  const v = parseVersion(d.firmwareVersion);
  if (!v) return false;
  if (r.from && compareVersions(v, parseVersion(r.from)!) < 0) return false;
  if (r.below && compareVersions(v, parseVersion(r.below)!) >= 0) return false;
  if (r.through && compareVersions(v, parseVersion(r.through)!) > 0) return false;
  return true;
}

export interface VulnerabilityFinding {
  vulnerability: Vulnerability;
  /** `affected`: the facts fall in a published range; `unverified`: the CVE has no checkable range. */
  status: 'affected' | 'unverified';
}

export function findVulnerabilities(profile: FirmwareProfile, d: DeviceFacts): VulnerabilityFinding[] {
  const out: VulnerabilityFinding[] = [];
  for (const v of profile.vulnerabilities) {
    if (v.affected.length === 0) out.push({ vulnerability: v, status: 'unverified' });
    else if (v.affected.some((r) => inRange(r, d))) out.push({ vulnerability: v, status: 'affected' });
  }
  return out;
}
