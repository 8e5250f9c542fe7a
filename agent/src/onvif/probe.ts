/**
 * Probing one ONVIF device: clock first (unauthenticated), then identity, services, scopes,
 * profiles and their stream and snapshot URIs. Every call that fails is recorded in `faults`
 * and the probe goes on with what it has.
 */
import type { CameraRecord, StreamProfile } from '@camfleet/shared/protocol/camera';
import type { Credentials } from './auth.ts';
import { NS, OnvifClient, type CallError, type CallResult } from './client.ts';
import {
  clockOffsetMs,
  parseCapabilities,
  parseDeviceInformation,
  parseMedia1Profiles,
  parseMedia2EncoderConfigurations,
  parseMedia2Profiles,
  parseMediaUri,
  parseScopeItems,
  parseServices,
  parseSystemDateAndTime,
  type DeviceClock,
  type MediaProfile,
  type ServiceAddresses,
} from './parse.ts';
import { parseScopes } from './scopes.ts';
import { deviceServiceUrl, sameOrigin } from './target.ts';
import { redactUrl } from '@camfleet/shared/logger';

export interface ProbeOptions {
  /** Per call. */
  timeoutMs?: number;
  /** Per answer. */
  maxBytes?: number;
  /** Names the firmware profile matching the record (see ../firmware). */
  matchFirmware?: (record: CameraRecord) => string | undefined;
}

export interface ProbeResult {
  /** False when the device answered none of the calls. */
  reachable: boolean;
  record: CameraRecord;
  clock?: DeviceClock;
  faults: CallError[];
}

const MAX_PROFILES = 16;

function cleanUri(uri: string): string {
  return redactUrl(uri.trim());
}

export async function probeCamera(target: string, credentials?: Credentials, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const deviceUrl = deviceServiceUrl(target);
  const client = new OnvifClient({ credentials, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes });
  const faults: CallError[] = [];
  let answered = 0;
  /** Counts any answer from the device (a fault is an answer) and records failures. */
  const keep = (r: CallResult) => {
    if (r.ok || ['fault', 'auth', 'http', 'xml'].includes(r.error.kind)) answered++;
    if (!r.ok && !faults.some((f) => f.operation === r.error.operation && f.message === r.error.message)) faults.push(r.error);
    return r.ok ? r.response : undefined;
  };

  // 1. The clock, unauthenticated, before anything that needs a UsernameToken.
  let clock: DeviceClock | undefined;
  const t = await client.call(deviceUrl, NS.device, 'GetSystemDateAndTime', '', { authenticate: false });
  const tResp = keep(t);
  if (t.ok && tResp) {
    clock = parseSystemDateAndTime(tResp);
    const deviceMs = clock.utcMs ?? clock.localAsUtcMs;
    if (deviceMs !== undefined) client.clockOffsetMs = clockOffsetMs(deviceMs, t.sentAt, t.receivedAt);
  }

  // 2. Identity.
  const infoResp = keep(await client.call(deviceUrl, NS.device, 'GetDeviceInformation'));
  const info = infoResp ? parseDeviceInformation(infoResp) : { manufacturer: '', model: '', firmwareVersion: '', serialNumber: '', hardwareId: '' };

  // A device that answered neither call is not there (or not ONVIF): stop before the rest
  // of the calls each wait out their deadline.
  if (answered === 0) {
    return {
      reachable: false,
      record: { deviceServiceUrl: deviceUrl, ...info, clockOffsetMs: 0, services: { device: deviceUrl }, profiles: [], scopes: { profiles: [] }, faults: faults.map((f) => ({ operation: f.operation, kind: f.kind, message: f.message.slice(0, 500) })) },
      faults,
    };
  }

  // 3. Services (GetServices, else GetCapabilities), every address pinned to the device's origin.
  let addresses: ServiceAddresses = {};
  const svc = await client.call(deviceUrl, NS.device, 'GetServices', '<IncludeCapability>false</IncludeCapability>');
  if (svc.ok) addresses = parseServices(keep(svc)!);
  if (!addresses.media && !addresses.media2) {
    // Older firmwares only know GetCapabilities; their GetServices fault is expected, not news.
    const caps = await client.call(deviceUrl, NS.device, 'GetCapabilities', '<Category>All</Category>');
    if (caps.ok) addresses = { ...parseCapabilities(keep(caps)!), ...addresses };
    else (keep(svc), keep(caps));
  }
  const services: CameraRecord['services'] = { device: deviceUrl };
  for (const key of ['media', 'media2', 'events', 'ptz', 'imaging'] as const) {
    const a = addresses[key];
    if (a) services[key] = sameOrigin(a, deviceUrl);
  }

  // 4. Scopes.
  const scopesResp = keep(await client.call(deviceUrl, NS.device, 'GetScopes'));
  const scopes = parseScopes(scopesResp ? parseScopeItems(scopesResp) : []);

  // 5. Profiles: Media2 where offered, Media1 otherwise; encoder details from whichever has them.
  const profiles = await readProfiles(client, services, keep);

  const record: CameraRecord = {
    deviceServiceUrl: deviceUrl,
    ...info,
    clockOffsetMs: client.clockOffsetMs,
    services,
    profiles,
    scopes: {
      ...(scopes.name !== undefined ? { name: scopes.name } : {}),
      ...(scopes.hardware !== undefined ? { hardware: scopes.hardware } : {}),
      ...(scopes.location !== undefined ? { location: scopes.location } : {}),
      ...(scopes.mac !== undefined ? { mac: scopes.mac } : {}),
      ...(scopes.serial !== undefined ? { serial: scopes.serial } : {}),
      profiles: scopes.profiles,
      ...(scopes.types.length ? { types: scopes.types } : {}),
    },
    ...(credentials ? (client.authMode && client.authMode !== 'none' ? { auth: client.authMode } : {}) : { auth: 'none' as const }),
  };
  const fw = opts.matchFirmware?.(record);
  if (fw) record.firmwareProfile = fw;
  if (faults.length) record.faults = faults.map((f) => ({ operation: f.operation, kind: f.kind, message: f.message.slice(0, 500) }));
  return { reachable: answered > 0, record, clock, faults };
}

async function readProfiles(
  client: OnvifClient,
  services: CameraRecord['services'],
  keep: (r: CallResult) => import('./xml.ts').XmlNode | undefined,
): Promise<StreamProfile[]> {
  let list: MediaProfile[] = [];
  let via: 'media2' | 'media' | undefined;
  if (services.media2) {
    const r = keep(await client.call(services.media2, NS.media2, 'GetProfiles', '<Type>All</Type>'));
    if (r) (list = parseMedia2Profiles(r)), (via = 'media2');
  }
  let media1: MediaProfile[] = [];
  if (services.media && (list.length === 0 || list.some((p) => p.encoding === undefined))) {
    const r = keep(await client.call(services.media, NS.media, 'GetProfiles'));
    if (r) media1 = parseMedia1Profiles(r);
    if (list.length === 0 && media1.length) (list = media1), (via = 'media');
  }
  list = list.slice(0, MAX_PROFILES);
  // Media2 profiles without their configurations: take the encoder from Media1 by token, else
  // from Media2's encoder configurations when there is exactly one per profile, in order.
  if (via === 'media2' && list.some((p) => p.encoding === undefined)) {
    const byToken = new Map(media1.map((p) => [p.token, p]));
    let configs: ReturnType<typeof parseMedia2EncoderConfigurations> = [];
    if (list.some((p) => !byToken.get(p.token)?.encoding)) {
      const r = keep(await client.call(services.media2!, NS.media2, 'GetVideoEncoderConfigurations'));
      if (r) configs = parseMedia2EncoderConfigurations(r);
    }
    list = list.map((p, i) => {
      if (p.encoding !== undefined) return p;
      const m1 = byToken.get(p.token);
      if (m1?.encoding) return { ...m1, ...p, encoding: m1.encoding };
      const c = configs.length === list.length ? configs[i] : undefined;
      return c ? { ...c, ...p, encoding: c.encoding } : p;
    });
  }

  const out: StreamProfile[] = [];
  for (const p of list) {
    const token = p.token.replace(/[<>&"']/g, '');
    const streamUri = await mediaUri(client, services, via, 'GetStreamUri', token, keep);
    const snapshotUri = await mediaUri(client, services, via, 'GetSnapshotUri', token, keep);
    out.push({
      token: p.token,
      name: p.name,
      encoding: p.encoding ?? '',
      width: p.width ?? 0,
      height: p.height ?? 0,
      fps: p.fps ?? 0,
      ...(p.bitrateKbps !== undefined ? { bitrateKbps: p.bitrateKbps } : {}),
      streamUri,
      ...(snapshotUri ? { snapshotUri } : {}),
    });
  }
  return out;
}

async function mediaUri(
  client: OnvifClient,
  services: CameraRecord['services'],
  via: 'media2' | 'media' | undefined,
  operation: 'GetStreamUri' | 'GetSnapshotUri',
  token: string,
  keep: (r: CallResult) => import('./xml.ts').XmlNode | undefined,
): Promise<string> {
  const m2 =
    operation === 'GetStreamUri' ? `<Protocol>RtspUnicast</Protocol><ProfileToken>${token}</ProfileToken>` : `<ProfileToken>${token}</ProfileToken>`;
  const m1 =
    operation === 'GetStreamUri'
      ? `<StreamSetup><Stream xmlns="${NS.schema}">RTP-Unicast</Stream><Transport xmlns="${NS.schema}"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>${token}</ProfileToken>`
      : `<ProfileToken>${token}</ProfileToken>`;
  // Try the service the profiles came from first, then the other one.
  const order: Array<['media2' | 'media', string, string]> = via === 'media' ? [['media', NS.media, m1], ['media2', NS.media2, m2]] : [['media2', NS.media2, m2], ['media', NS.media, m1]];
  const failures: CallResult[] = [];
  for (const [key, ns, inner] of order) {
    const url = services[key];
    if (!url) continue;
    const r = await client.call(url, ns, operation, inner);
    if (r.ok) {
      const uri = parseMediaUri(r.response);
      if (uri) return cleanUri(uri);
    } else failures.push(r);
  }
  // Only report a failure when no service gave the URI.
  for (const f of failures) keep(f);
  return '';
}
