/**
 * Pure readers for ONVIF answers: each takes the `<XResponse>` element (namespace prefixes
 * already dropped) and returns plain values. A missing element gives an empty value, never an
 * exception: firmwares leave out whatever they like.
 */
import { attr, child, children, text, textAt, type XmlNode } from './xml.ts';
import { NS } from './client.ts';

export interface DeviceClock {
  /** The device's UTCDateTime as epoch ms; undefined when absent or invalid. */
  utcMs?: number;
  /** LocalDateTime read as if it were UTC (to compare with utcMs). */
  localAsUtcMs?: number;
  timeZone: string;
  dateTimeType: string;
}

function dateTimeMs(node: XmlNode | undefined): number | undefined {
  if (!node) return undefined;
  const n = (path: string[]) => {
    const t = textAt(node, ...path);
    return /^\d{1,4}$/.test(t) ? Number(t) : NaN;
  };
  const [y, mo, d, h, mi, s] = [n(['Date', 'Year']), n(['Date', 'Month']), n(['Date', 'Day']), n(['Time', 'Hour']), n(['Time', 'Minute']), n(['Time', 'Second'])];
  if ([y, mo, d, h, mi, s].some((v) => !Number.isFinite(v))) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 61) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(ms) ? ms : undefined;
}

export function parseSystemDateAndTime(resp: XmlNode): DeviceClock {
  const sdt = child(resp, 'SystemDateAndTime');
  return {
    utcMs: dateTimeMs(child(sdt, 'UTCDateTime')),
    localAsUtcMs: dateTimeMs(child(sdt, 'LocalDateTime')),
    timeZone: textAt(sdt, 'TimeZone', 'TZ'),
    dateTimeType: textAt(sdt, 'DateTimeType'),
  };
}

/**
 * Device clock minus ours. The device's answer is compared with the midpoint of our request,
 * and the device only reports whole seconds, so half a second of error is expected.
 */
export function clockOffsetMs(deviceUtcMs: number, sentAt: number, receivedAt: number): number {
  return Math.round(deviceUtcMs + 500 - (sentAt + receivedAt) / 2);
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export function parseDeviceInformation(resp: XmlNode): DeviceInformation {
  return {
    manufacturer: textAt(resp, 'Manufacturer'),
    model: textAt(resp, 'Model'),
    firmwareVersion: textAt(resp, 'FirmwareVersion'),
    serialNumber: textAt(resp, 'SerialNumber'),
    hardwareId: textAt(resp, 'HardwareId'),
  };
}

export interface ServiceAddresses {
  media?: string;
  media2?: string;
  events?: string;
  ptz?: string;
  imaging?: string;
  device?: string;
}

const SERVICE_BY_NS: Record<string, keyof ServiceAddresses> = {
  [NS.device]: 'device',
  [NS.media]: 'media',
  [NS.media2]: 'media2',
  [NS.events]: 'events',
  [NS.ptz]: 'ptz',
  [NS.imaging]: 'imaging',
};

/** GetServices: one Service per namespace. */
export function parseServices(resp: XmlNode): ServiceAddresses {
  const out: ServiceAddresses = {};
  for (const s of children(resp, 'Service')) {
    const key = SERVICE_BY_NS[textAt(s, 'Namespace')];
    const xaddr = textAt(s, 'XAddr');
    if (key && xaddr && !out[key]) out[key] = xaddr;
  }
  return out;
}

/** GetCapabilities (older devices without GetServices). */
export function parseCapabilities(resp: XmlNode): ServiceAddresses {
  const caps = child(resp, 'Capabilities');
  const x = (...path: string[]) => textAt(caps, ...path, 'XAddr') || undefined;
  const out: ServiceAddresses = {
    device: x('Device'),
    media: x('Media'),
    events: x('Events'),
    ptz: x('PTZ'),
    imaging: x('Imaging'),
    media2: x('Extension', 'Media2'),
  };
  for (const k of Object.keys(out) as Array<keyof ServiceAddresses>) if (!out[k]) delete out[k];
  return out;
}

/** GetScopes: the ScopeItem strings. */
export function parseScopeItems(resp: XmlNode): string[] {
  return children(resp, 'Scopes').map((s) => textAt(s, 'ScopeItem')).filter(Boolean);
}

export interface VideoEncoding {
  encoding: string;
  width: number;
  height: number;
  fps: number;
  bitrateKbps?: number;
}

export interface MediaProfile extends Partial<VideoEncoding> {
  token: string;
  name: string;
}

function num(s: string): number | undefined {
  if (!/^\s*[0-9]+(\.[0-9]+)?\s*$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** `H264`, `H.264`, `h264` all read `H264`; `HEVC` reads `H265`. */
export function normalizeEncoding(e: string): string {
  const u = e.toUpperCase().replace(/[.\s-]/g, '');
  if (u === 'HEVC') return 'H265';
  if (u === 'MJPEG') return 'JPEG';
  return u;
}

/** A VideoEncoderConfiguration (media1) or VideoEncoder configuration (media2). */
export function parseVideoEncoder(vec: XmlNode | undefined): Partial<VideoEncoding> {
  if (!vec) return {};
  const out: Partial<VideoEncoding> = {};
  const enc = textAt(vec, 'Encoding');
  if (enc) out.encoding = normalizeEncoding(enc);
  const w = num(textAt(vec, 'Resolution', 'Width'));
  const h = num(textAt(vec, 'Resolution', 'Height'));
  if (w !== undefined) out.width = Math.round(w);
  if (h !== undefined) out.height = Math.round(h);
  const fps = num(textAt(vec, 'RateControl', 'FrameRateLimit'));
  if (fps !== undefined) out.fps = fps;
  const br = num(textAt(vec, 'RateControl', 'BitrateLimit'));
  if (br !== undefined) out.bitrateKbps = br;
  return out;
}

export function parseMedia1Profiles(resp: XmlNode): MediaProfile[] {
  return children(resp, 'Profiles')
    .map((p) => ({ token: attr(p, 'token') ?? '', name: textAt(p, 'Name'), ...parseVideoEncoder(child(p, 'VideoEncoderConfiguration')) }))
    .filter((p) => p.token);
}

export function parseMedia2Profiles(resp: XmlNode): MediaProfile[] {
  return children(resp, 'Profiles')
    .map((p) => ({ token: attr(p, 'token') ?? '', name: textAt(p, 'Name'), ...parseVideoEncoder(child(p, 'Configurations', 'VideoEncoder')) }))
    .filter((p) => p.token);
}

/** Media2 GetVideoEncoderConfigurations. */
export function parseMedia2EncoderConfigurations(resp: XmlNode): Array<Partial<VideoEncoding> & { token: string }> {
  return children(resp, 'Configurations').map((c) => ({ token: attr(c, 'token') ?? '', ...parseVideoEncoder(c) }));
}

/** GetStreamUri / GetSnapshotUri, media1 (`MediaUri/Uri`) or media2 (`Uri`); unescaped and trimmed. */
export function parseMediaUri(resp: XmlNode): string {
  return textAt(resp, 'MediaUri', 'Uri') || textAt(resp, 'Uri');
}

export { text };
