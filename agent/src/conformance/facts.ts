/**
 * Gathering what the rules need beyond the probe: an anonymous RTSP DESCRIBE, an unauthenticated
 * ONVIF call, at most three factory-credential logins, the web server banner and HTTPS.
 * Every connection goes to the host the technician named, whatever addresses the device reports.
 */
import type { CameraRecord } from '@camfleet/shared/protocol/camera';
import type { Credentials } from '../onvif/auth.ts';
import { NS, OnvifClient } from '../onvif/client.ts';
import { httpRequest } from '../onvif/http.ts';
import { children, textAt } from '../onvif/xml.ts';
import { findVulnerabilities, matchProfile, type FirmwareProfile } from '../firmware/index.ts';
import type { ProbeResult } from '../onvif/probe.ts';
import type { CheckFacts } from './rules.ts';
import { mainAndSub } from './rules.ts';
import { rtspDescribe } from './rtsp.ts';

/** Hard ceiling on factory-credential logins per check, whatever the standard says. */
export const MAX_CREDENTIAL_ATTEMPTS = 3;

export interface FactOptions {
  credentials?: Credentials;
  profiles: FirmwareProfile[];
  /** 0 skips the default-credential test (e.g. the agent's periodic re-check). */
  defaultCredentialAttempts?: number;
  timeoutMs?: number;
}

/** The stream URI with the device's host put back (cameras report NATed or stale addresses). */
export function pinHost(uri: string, deviceServiceUrl: string): string {
  try {
    const u = new URL(uri);
    u.hostname = new URL(deviceServiceUrl).hostname;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return uri;
  }
}

export async function gatherFacts(probe: ProbeResult, opts: FactOptions): Promise<CheckFacts> {
  const record = probe.record;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const facts: CheckFacts = {};
  if (probe.clock) facts.clock = { utcMs: probe.clock.utcMs, localAsUtcMs: probe.clock.localAsUtcMs, timeZone: probe.clock.timeZone };

  // RTSP without credentials, on the main stream.
  const { main } = mainAndSub(record);
  if (main?.streamUri) {
    const uri = pinHost(main.streamUri, record.deviceServiceUrl);
    const a = await rtspDescribe(uri, { timeoutMs });
    if ('error' in a) facts.rtspAnonymous = { status: 'unreachable', detail: `DESCRIBE ${safeUri(uri)}: ${a.error}` };
    else if (a.status === 401 || a.status === 403) facts.rtspAnonymous = { status: 'refused', detail: `DESCRIBE without credentials: ${a.status}` };
    else if (a.status >= 200 && a.status < 300) facts.rtspAnonymous = { status: 'accepted', detail: `DESCRIBE without credentials: ${a.status}, the stream is open to anyone` };
    else facts.rtspAnonymous = { status: 'unreachable', detail: `DESCRIBE without credentials: ${a.status}` };
  } else facts.rtspAnonymous = { status: 'untested', detail: 'no main stream URI to test' };

  // An ONVIF call without credentials.
  const anon = new OnvifClient({ timeoutMs });
  const open = await anon.call(record.deviceServiceUrl, NS.device, 'GetDeviceInformation', '', { authenticate: false });
  facts.unauthenticatedAccess = open.ok;

  // The web server banner helps recognise XiongMai-style firmwares.
  let httpServer: string | undefined;
  try {
    const origin = new URL(record.deviceServiceUrl).origin;
    const r = await httpRequest(`${origin}/`, { timeoutMs, maxBytes: 64 * 1024 });
    const s = r.headers.server;
    if (typeof s === 'string' && s) httpServer = s.slice(0, 200);
  } catch {
    // No web interface: nothing to learn.
  }

  const profile =
    (record.firmwareProfile ? opts.profiles.find((p) => p.id === record.firmwareProfile) : undefined) ??
    matchProfile(opts.profiles, { manufacturer: record.manufacturer, model: record.model, firmwareVersion: record.firmwareVersion, hardware: record.scopes.hardware ?? record.hardwareId, httpServer }) ??
    opts.profiles.find((p) => p.id === 'generic-onvif');
  facts.firmware = {
    profile: profile?.id,
    findings: profile ? findVulnerabilities(profile, { model: record.model, firmwareVersion: record.firmwareVersion, httpServer }) : [],
  };

  // Factory credentials: never more than three logins.
  const budget = Math.min(MAX_CREDENTIAL_ATTEMPTS, opts.defaultCredentialAttempts ?? MAX_CREDENTIAL_ATTEMPTS);
  const list = profile?.defaultCredentials ?? [];
  if (facts.unauthenticatedAccess) facts.defaultCredentials = { status: 'tested', tried: 0, accepted: [], detail: 'not needed: no credentials required at all' };
  else if (budget === 0) facts.defaultCredentials = { status: 'untested', tried: 0, accepted: [], detail: 'default-credential test skipped' };
  else if (list.length === 0) facts.defaultCredentials = { status: 'tested', tried: 0, accepted: [], detail: `${profile?.id ?? 'this family'} has no factory credential` };
  else {
    const accepted: string[] = [];
    let tried = 0;
    // The technician's own login proves a factory credential without a new attempt.
    const own = opts.credentials;
    if (own && record.auth && record.auth !== 'none' && list.some((c) => c.username === own.username && c.password === own.password))
      accepted.push(own.username);
    // The budget counts requests that carry credentials, not credentials: with the method the
    // probe found (or UsernameToken), each credential costs one login attempt.
    let attempts = 0;
    const onlyAuth = record.auth === 'digest' ? 'digest' : 'usernameToken';
    for (const c of list) {
      if (accepted.length || attempts >= budget) break;
      if (own && c.username === own.username && c.password === own.password) continue;
      tried++;
      const client = new OnvifClient({ credentials: c, timeoutMs, onlyAuth });
      client.clockOffsetMs = record.clockOffsetMs;
      const r = await client.call(record.deviceServiceUrl, NS.device, 'GetDeviceInformation');
      attempts += client.credentialAttempts;
      if (r.ok) accepted.push(c.username);
    }
    facts.defaultCredentials = {
      status: 'tested',
      tried,
      accepted,
      detail: accepted.length ? `factory credential accepted` : `${tried} factory credential(s) of ${profile!.id} refused (at most ${budget} tried)`,
    };
  }

  // HTTPS: an https service address, or HTTPS enabled in GetNetworkProtocols.
  facts.httpsOffered = Object.values(record.services).some((u) => typeof u === 'string' && u.startsWith('https:'));
  if (!facts.httpsOffered) {
    const c = new OnvifClient({ credentials: opts.credentials, timeoutMs });
    c.clockOffsetMs = record.clockOffsetMs;
    const r = await c.call(record.deviceServiceUrl, NS.device, 'GetNetworkProtocols');
    if (r.ok) facts.httpsOffered = children(r.response, 'NetworkProtocols').some((p) => /^https$/i.test(textAt(p, 'Name')) && textAt(p, 'Enabled') === 'true');
  }
  return facts;
}

function safeUri(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//');
}
