/**
 * The conformance rules: pure functions of a CameraRecord, the facts the check gathered beyond
 * the probe, and the standard. Each gives pass, warn or fail with its evidence.
 */
import type { CameraRecord, ConformanceResult, RuleStatus, StreamProfile } from '@camfleet/shared/protocol/camera';
import type { VulnerabilityFinding } from '../firmware/match.ts';
import type { Standard } from './standard.ts';

export interface CheckFacts {
  /** The device's clock answer, to tell a wrong zone from a wrong clock. */
  clock?: { utcMs?: number; localAsUtcMs?: number; timeZone?: string };
  /** RTSP DESCRIBE of the main stream without credentials. */
  rtspAnonymous?: { status: 'refused' | 'accepted' | 'unreachable' | 'untested'; detail: string };
  /** Device calls answered without any credentials. */
  unauthenticatedAccess?: boolean;
  defaultCredentials?: { status: 'tested' | 'untested'; tried: number; accepted: string[]; detail: string };
  /** The matched firmware family and its published vulnerabilities for this device. */
  firmware?: { profile?: string; findings: VulnerabilityFinding[] };
  /** HTTPS offered by the device (service addresses or GetNetworkProtocols). */
  httpsOffered?: boolean;
}

export interface RuleResult {
  id: string;
  title: string;
  status: RuleStatus;
  evidence: string;
}

type Rule = (record: CameraRecord, facts: CheckFacts, std: Standard) => RuleResult;

const res = (id: string, title: string, status: RuleStatus, evidence: string): RuleResult => ({ id, title, status, evidence });

const pixels = (p: StreamProfile) => p.width * p.height;
const describe = (p: StreamProfile) => `${p.name || p.token}: ${p.encoding || '?'} ${p.width}x${p.height} @ ${p.fps} fps`;

/** The main stream is the largest one the device reports; the sub stream the next. */
export function mainAndSub(record: CameraRecord): { main?: StreamProfile; sub?: StreamProfile } {
  const sorted = [...record.profiles].sort((a, b) => pixels(b) - pixels(a) || b.fps - a.fps);
  const main = sorted[0];
  const sub = sorted.slice(1).find((p) => p.streamUri && main && pixels(p) < pixels(main)) ?? sorted.slice(1).find((p) => p.streamUri);
  return { main, sub };
}

export const onvifProfileRule: Rule = (r, _f, std) => {
  const title = `ONVIF Profile ${std.onvifProfiles.join(' or ')}`;
  const claimed = r.scopes.profiles;
  const hit = claimed.filter((p) => std.onvifProfiles.includes(p));
  if (hit.length) return res('onvif-profile', title, 'pass', `claims Profile ${hit.join(', ')} in its scopes`);
  if ((r.services.media || r.services.media2) && r.profiles.some((p) => p.streamUri))
    return res('onvif-profile', title, 'warn', `streams over ONVIF media but claims ${claimed.length ? `only Profile ${claimed.join(', ')}` : 'no profile'} in its scopes`);
  const media = r.services.media || r.services.media2 ? 'its media service gives no stream URI' : 'it offers no media service';
  return res('onvif-profile', title, 'fail', `${claimed.length ? `claims only Profile ${claimed.join(', ')}` : 'claims no ONVIF profile'} and ${media}`);
};

export const codecRule: Rule = (r, _f, std) => {
  const title = `Main stream in ${std.encodings.join(' or ')}`;
  const { main } = mainAndSub(r);
  if (!main) return res('codec', title, 'fail', 'the device reports no media profile');
  if (!main.encoding) return res('codec', title, 'fail', `main stream ${main.token}: encoding not reported`);
  return std.encodings.includes(main.encoding)
    ? res('codec', title, 'pass', describe(main))
    : res('codec', title, 'fail', `${describe(main)}; change the main stream's codec to ${std.encodings.join(' or ')}`);
};

export const mainStreamRule: Rule = (r, _f, std) => {
  const m = std.mainStream;
  const title = `Main stream at least ${m.minWidth}x${m.minHeight} @ ${m.minFps} fps`;
  const { main } = mainAndSub(r);
  if (!main) return res('main-stream', title, 'fail', 'the device reports no media profile');
  const problems: string[] = [];
  // Portrait (corridor) mode swaps width and height; compare the long and short sides.
  const long = Math.max(main.width, main.height);
  const short = Math.min(main.width, main.height);
  if (long < Math.max(m.minWidth, m.minHeight) || short < Math.min(m.minWidth, m.minHeight)) problems.push(`resolution below ${m.minWidth}x${m.minHeight}`);
  if (main.fps < m.minFps) problems.push(`frame rate below ${m.minFps} fps`);
  if (!main.streamUri) problems.push('no stream URI');
  return problems.length ? res('main-stream', title, 'fail', `${describe(main)}: ${problems.join('; ')}`) : res('main-stream', title, 'pass', describe(main));
};

export const subStreamRule: Rule = (r, _f, std) => {
  const title = 'A sub stream for live view';
  const { sub } = mainAndSub(r);
  if (sub) return res('sub-stream', title, 'pass', describe(sub));
  return res('sub-stream', title, std.subStreamRequired ? 'fail' : 'warn', `${r.profiles.length} profile(s), no second stream with a stream URI`);
};

export const clockRule: Rule = (r, f, std) => {
  const title = `Clock within ${std.maxClockOffsetMs / 1000} s`;
  if (f.clock && f.clock.utcMs === undefined && f.clock.localAsUtcMs === undefined)
    return res('clock', title, 'warn', 'the device did not report its time');
  const off = r.clockOffsetMs;
  const secs = formatOffset(off);
  if (Math.abs(off) <= std.maxClockOffsetMs) return res('clock', title, 'pass', `offset ${secs}`);
  let hint = 'set NTP on the camera';
  // A whole number of quarter hours, up to 14 h: the camera keeps local time in its UTC field.
  const quarter = 15 * 60_000;
  const nearest = Math.round(off / quarter) * quarter;
  if (Math.abs(off) <= 14 * 3_600_000 && Math.abs(off - nearest) <= std.maxClockOffsetMs)
    hint = `the offset is ${(nearest / 3_600_000).toFixed(2).replace(/\.?0+$/, '')} h: the camera probably reports local time as UTC; fix its time zone${f.clock?.timeZone ? ` (now '${f.clock.timeZone}')` : ''} and NTP`;
  return res('clock', title, 'fail', `offset ${secs}; ${hint}`);
};

/** `+0.3 s`, `-37.0 s`, `+7.00 h`, `-1355.6 days`: readable at any size. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  if (a >= 86_400_000) return `${sign}${(a / 86_400_000).toFixed(1)} days`;
  if (a >= 3_600_000) return `${sign}${(a / 3_600_000).toFixed(2)} h`;
  return `${sign}${(a / 1000).toFixed(1)} s`;
}

export const rtspAnonymousRule: Rule = (_r, f) => {
  const title = 'RTSP refuses anonymous access';
  const a = f.rtspAnonymous;
  if (!a || a.status === 'untested' || a.status === 'unreachable') return res('rtsp-anonymous', title, 'warn', a?.detail ?? 'not tested');
  return res('rtsp-anonymous', title, a.status === 'refused' ? 'pass' : 'fail', a.detail);
};

export const defaultCredentialsRule: Rule = (_r, f) => {
  const title = 'No default credential accepted';
  if (f.unauthenticatedAccess) return res('default-credentials', title, 'fail', 'the device answers ONVIF calls without any credentials');
  const d = f.defaultCredentials;
  if (!d || d.status === 'untested') return res('default-credentials', title, 'warn', d?.detail ?? 'not tested');
  if (d.accepted.length) return res('default-credentials', title, 'fail', `accepted factory credentials for ${d.accepted.map((u) => `'${u}'`).join(', ')}; change the password`);
  return res('default-credentials', title, 'pass', d.detail);
};

export const firmwareRule: Rule = (_r, f) => {
  const title = 'Firmware outside known vulnerable ranges';
  const fw = f.firmware;
  if (!fw?.profile || fw.profile === 'generic-onvif') return res('firmware', title, 'warn', 'vendor family not recognised; vulnerable ranges not checked');
  const affected = fw.findings.filter((x) => x.status === 'affected');
  if (affected.length)
    return res('firmware', title, 'fail', `${fw.profile}: ${affected.map((x) => `${x.vulnerability.cve} (${x.vulnerability.title})`).join('; ')}; update the firmware`);
  const unverified = fw.findings.filter((x) => x.status === 'unverified');
  if (unverified.length)
    return res('firmware', title, 'warn', `${fw.profile}: check ${unverified.map((x) => x.vulnerability.cve).join(', ')} against the vendor advisory for this model (${unverified[0]!.vulnerability.sources[0]})`);
  return res('firmware', title, 'pass', `${fw.profile}: no published vulnerable range matches`);
};

export const httpsRule: Rule = (_r, f) => {
  const title = 'HTTPS offered (advisory)';
  return f.httpsOffered ? res('https', title, 'pass', 'the device offers HTTPS') : res('https', title, 'warn', 'no HTTPS service advertised; enable HTTPS on the camera');
};

export const RULES: Rule[] = [onvifProfileRule, codecRule, mainStreamRule, subStreamRule, clockRule, rtspAnonymousRule, defaultCredentialsRule, firmwareRule, httpsRule];

/** Runs every rule; the verdict is the worst status. */
export function checkCamera(record: CameraRecord, facts: CheckFacts, standard: Standard, now = new Date()): ConformanceResult {
  const rules = RULES.map((rule) => rule(record, facts, standard));
  const verdict: RuleStatus = rules.some((r) => r.status === 'fail') ? 'fail' : rules.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  return { standard: standard.name, checkedAt: now.toISOString(), verdict, rules };
}
