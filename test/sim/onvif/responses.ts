/**
 * Response bodies of the simulated ONVIF device, as templates over a resolved device model.
 * Pure: each function returns the Body content (wrapped by soap.envelope()).
 */
import { xmlEscape as x } from './soap.ts';

export interface SimProfile {
  token: string;
  name: string;
  encoding: 'H264' | 'H265' | 'JPEG';
  width: number;
  height: number;
  fps: number;
  bitrateKbps?: number;
  streamUrl: string;
}

export interface DeviceModel {
  name: string;
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
  mac: string;
  location: string;
  profiles: SimProfile[];
  media1: boolean;
  media2: boolean;
  httpsAdvertised: boolean;
  /** ONVIF profiles claimed in the scopes, e.g. ['S', 'T']. */
  onvifProfiles: string[];
  /** Base of every service address, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  usernames: string[];
  /** Offset of the device's local time zone from UTC, minutes (east positive). */
  utcOffsetMinutes: number;
}

export const SERVICE_PATHS = {
  device: '/onvif/device_service',
  media1: '/onvif/media_service',
  media2: '/onvif/media2_service',
  snapshot: '/onvif/snapshot',
} as const;

export function scopes(m: DeviceModel): string[] {
  const s: string[] = [];
  if (m.onvifProfiles.includes('S')) s.push('onvif://www.onvif.org/Profile/Streaming');
  for (const p of m.onvifProfiles.filter((p) => p !== 'S')) s.push(`onvif://www.onvif.org/Profile/${p}`);
  s.push(
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/type/Network_Video_Transmitter',
    `onvif://www.onvif.org/name/${encodeURIComponent(m.name)}`,
    `onvif://www.onvif.org/hardware/${encodeURIComponent(m.model)}`,
    `onvif://www.onvif.org/location/${encodeURIComponent(m.location)}`,
    `onvif://www.onvif.org/MAC/${m.mac}`,
    `onvif://www.onvif.org/serial/${encodeURIComponent(m.serialNumber)}`,
  );
  return s;
}

function dateTimeXml(tag: string, d: Date): string {
  return (
    `<tt:${tag}><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:${tag}>`
  );
}

/** POSIX TZ for an offset east of UTC: +60 -> "CET-1"-like "UTC-01:00" style, sign inverted as POSIX wants. */
function posixTz(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC0';
  const sign = offsetMinutes > 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `LOC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * `reportedUtcMs` is what the device puts in UTCDateTime (its clock, or its local time when it
 * wrongly reports local time as UTC); `localMs` what it puts in LocalDateTime.
 */
export function getSystemDateAndTime(m: DeviceModel, reportedUtcMs: number, localMs: number): string {
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>` +
    `<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>${posixTz(m.utcOffsetMinutes)}</tt:TZ></tt:TimeZone>` +
    dateTimeXml('UTCDateTime', new Date(reportedUtcMs)) +
    dateTimeXml('LocalDateTime', new Date(localMs)) +
    `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

export function getDeviceInformation(m: DeviceModel): string {
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>${x(m.manufacturer)}</tds:Manufacturer><tds:Model>${x(m.model)}</tds:Model>` +
    `<tds:FirmwareVersion>${x(m.firmwareVersion)}</tds:FirmwareVersion><tds:SerialNumber>${x(m.serialNumber)}</tds:SerialNumber>` +
    `<tds:HardwareId>${x(m.hardwareId)}</tds:HardwareId></tds:GetDeviceInformationResponse>`
  );
}

export function getCapabilities(m: DeviceModel): string {
  const media = m.media1
    ? `<tt:Media><tt:XAddr>${m.baseUrl}${SERVICE_PATHS.media1}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
      `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>`
    : '';
  return (
    `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
    `<tt:Device><tt:XAddr>${m.baseUrl}${SERVICE_PATHS.device}</tt:XAddr>` +
    `<tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false</tt:ZeroConfiguration><tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false</tt:DynDNS></tt:Network>` +
    `<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>` +
    `<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>true</tt:FirmwareUpgrade>` +
    `<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>` +
    `<tt:Security><tt:TLS1.1>${m.httpsAdvertised}</tt:TLS1.1><tt:TLS1.2>${m.httpsAdvertised}</tt:TLS1.2><tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration>` +
    `<tt:AccessPolicyConfig>false</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>` +
    `<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>` +
    media +
    `</tds:Capabilities></tds:GetCapabilitiesResponse>`
  );
}

export function getServices(m: DeviceModel): string {
  const service = (ns: string, path: string, major: number, minor: number) =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${m.baseUrl}${path}</tds:XAddr>` +
    `<tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${minor}</tt:Minor></tds:Version></tds:Service>`;
  return (
    `<tds:GetServicesResponse>` +
    service('http://www.onvif.org/ver10/device/wsdl', SERVICE_PATHS.device, 2, 60) +
    (m.media1 ? service('http://www.onvif.org/ver10/media/wsdl', SERVICE_PATHS.media1, 2, 60) : '') +
    (m.media2 ? service('http://www.onvif.org/ver20/media/wsdl', SERVICE_PATHS.media2, 2, 60) : '') +
    `</tds:GetServicesResponse>`
  );
}

export function getScopes(m: DeviceModel): string {
  const items = scopes(m)
    .map((s) => `<tds:Scopes><tt:ScopeDef>${s.includes('/name/') || s.includes('/location/') ? 'Configurable' : 'Fixed'}</tt:ScopeDef><tt:ScopeItem>${x(s)}</tt:ScopeItem></tds:Scopes>`)
    .join('');
  return `<tds:GetScopesResponse>${items}</tds:GetScopesResponse>`;
}

export function getNetworkInterfaces(m: DeviceModel): string {
  return (
    `<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>` +
    `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${m.mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
    `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>127.0.0.1</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:Manual>` +
    `<tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`
  );
}

export function getNetworkProtocols(m: DeviceModel, httpPort: number): string {
  const rtspPort = m.profiles[0] ? new URL(m.profiles[0].streamUrl).port || '554' : '554';
  const proto = (name: string, enabled: boolean, port: number | string) =>
    `<tds:NetworkProtocols><tt:Name>${name}</tt:Name><tt:Enabled>${enabled}</tt:Enabled><tt:Port>${port}</tt:Port></tds:NetworkProtocols>`;
  return `<tds:GetNetworkProtocolsResponse>${proto('HTTP', true, httpPort)}${proto('HTTPS', m.httpsAdvertised, 443)}${proto('RTSP', true, rtspPort)}</tds:GetNetworkProtocolsResponse>`;
}

export function getUsers(m: DeviceModel): string {
  // Never the passwords: a real device does not return them either.
  const users = m.usernames.map((u) => `<tds:User><tt:Username>${x(u)}</tt:Username><tt:UserLevel>Administrator</tt:UserLevel></tds:User>`).join('');
  return `<tds:GetUsersResponse>${users}</tds:GetUsersResponse>`;
}

// --- Media (ver10) --------------------------------------------------------------------------

function govLength(p: SimProfile): number {
  return p.fps; // a keyframe every second, as the fake RTSP streams do
}

function videoSourceConfiguration1(m: DeviceModel, tag = 'tt:VideoSourceConfiguration'): string {
  const main = m.profiles[0];
  const w = main?.width ?? 1920;
  const h = main?.height ?? 1080;
  return (
    `<${tag} token="vsc0"><tt:Name>VideoSource</tt:Name><tt:UseCount>${m.profiles.length}</tt:UseCount>` +
    `<tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="${w}" height="${h}"/></${tag}>`
  );
}

/** The one sensor behind every profile. */
export function getVideoSources1(m: DeviceModel): string {
  const main = m.profiles[0];
  return (
    `<trt:GetVideoSourcesResponse><trt:VideoSources token="vs0"><tt:Framerate>${main?.fps ?? 25}</tt:Framerate>` +
    `<tt:Resolution><tt:Width>${main?.width ?? 1920}</tt:Width><tt:Height>${main?.height ?? 1080}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`
  );
}

export function getVideoSourceConfigurations(m: DeviceModel, prefix: 'trt' | 'tr2'): string {
  return `<${prefix}:GetVideoSourceConfigurationsResponse>${videoSourceConfiguration1(m, `${prefix}:Configurations`)}</${prefix}:GetVideoSourceConfigurationsResponse>`;
}

function videoEncoderConfiguration1(p: SimProfile, tag = 'tt:VideoEncoderConfiguration'): string {
  const h264 =
    p.encoding === 'H264' ? `<tt:H264><tt:GovLength>${govLength(p)}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` : '';
  return (
    `<${tag} token="vec_${x(p.token)}"><tt:Name>${x(p.name)}</tt:Name><tt:UseCount>1</tt:UseCount>` +
    // Media1 only knows JPEG/MPEG4/H264; an H.265 profile is shown as it is (real firmwares vary here).
    `<tt:Encoding>${p.encoding}</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>` +
    `<tt:BitrateLimit>${p.bitrateKbps ?? 0}</tt:BitrateLimit></tt:RateControl>${h264}` +
    `<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>` +
    `<tt:SessionTimeout>PT60S</tt:SessionTimeout></${tag}>`
  );
}

export function getProfiles1(m: DeviceModel): string {
  const profiles = m.profiles
    .map(
      (p) =>
        `<trt:Profiles token="${x(p.token)}" fixed="true"><tt:Name>${x(p.name)}</tt:Name>${videoSourceConfiguration1(m)}${videoEncoderConfiguration1(p)}</trt:Profiles>`,
    )
    .join('');
  return `<trt:GetProfilesResponse>${profiles}</trt:GetProfilesResponse>`;
}

export function getVideoEncoderConfigurations1(m: DeviceModel): string {
  return `<trt:GetVideoEncoderConfigurationsResponse>${m.profiles.map((p) => videoEncoderConfiguration1(p, 'trt:Configurations')).join('')}</trt:GetVideoEncoderConfigurationsResponse>`;
}

export function getStreamUri1(p: SimProfile): string {
  return (
    `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${x(p.streamUrl)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`
  );
}

export function snapshotUrl(m: DeviceModel, p: SimProfile): string {
  return `${m.baseUrl}${SERVICE_PATHS.snapshot}?token=${encodeURIComponent(p.token)}`;
}

export function getSnapshotUri1(m: DeviceModel, p: SimProfile): string {
  return (
    `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${x(snapshotUrl(m, p))}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`
  );
}

// --- Media2 (ver20) -------------------------------------------------------------------------

function videoEncoder2(p: SimProfile, tag: string): string {
  const profileAttr = p.encoding === 'JPEG' ? '' : ` GovLength="${govLength(p)}" Profile="Main"`;
  return (
    `<${tag} token="vec_${x(p.token)}"${profileAttr}><tt:Name>${x(p.name)}</tt:Name><tt:UseCount>1</tt:UseCount>` +
    `<tt:Encoding>${p.encoding}</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution>` +
    `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:BitrateLimit>${p.bitrateKbps ?? 0}</tt:BitrateLimit></tt:RateControl>` +
    `<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>` +
    `<tt:Quality>5</tt:Quality></${tag}>`
  );
}

export function getProfiles2(m: DeviceModel): string {
  const main = m.profiles[0];
  const source =
    `<tr2:VideoSource token="vsc0"><tt:Name>VideoSource</tt:Name><tt:UseCount>${m.profiles.length}</tt:UseCount><tt:SourceToken>vs0</tt:SourceToken>` +
    `<tt:Bounds x="0" y="0" width="${main?.width ?? 1920}" height="${main?.height ?? 1080}"/></tr2:VideoSource>`;
  const profiles = m.profiles
    .map(
      (p) =>
        `<tr2:Profiles token="${x(p.token)}" fixed="true"><tr2:Name>${x(p.name)}</tr2:Name><tr2:Configurations>${source}${videoEncoder2(p, 'tr2:VideoEncoder')}</tr2:Configurations></tr2:Profiles>`,
    )
    .join('');
  return `<tr2:GetProfilesResponse>${profiles}</tr2:GetProfilesResponse>`;
}

export function getVideoEncoderConfigurations2(m: DeviceModel): string {
  return `<tr2:GetVideoEncoderConfigurationsResponse>${m.profiles.map((p) => videoEncoder2(p, 'tr2:Configurations')).join('')}</tr2:GetVideoEncoderConfigurationsResponse>`;
}

export function getStreamUri2(p: SimProfile): string {
  return `<tr2:GetStreamUriResponse><tr2:Uri>${x(p.streamUrl)}</tr2:Uri></tr2:GetStreamUriResponse>`;
}

export function getSnapshotUri2(m: DeviceModel, p: SimProfile): string {
  return `<tr2:GetSnapshotUriResponse><tr2:Uri>${x(snapshotUrl(m, p))}</tr2:Uri></tr2:GetSnapshotUriResponse>`;
}
