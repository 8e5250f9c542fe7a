/**
 * A simulated ONVIF camera on loopback: device service, Media1 and/or Media2, a JPEG snapshot
 * URL, WS-UsernameToken or HTTP Digest authentication against the device's own (possibly
 * wrong) clock, and optional WS-Discovery. Stream URIs are whatever the caller gives (the
 * simulated site points them at the fake RTSP server).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EVENT_SERVICE_PATH, SimEventService } from './events.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { checkBasic, checkDigest, checkUsernameToken, DEFAULT_MAX_SKEW_MS, digestChallenge, newNonce, type Account, type AuthVerdict } from './auth.ts';
import { startDiscoveryResponder, type DiscoveryBehaviour, type DiscoveryResponder } from './discovery.ts';
import * as r from './responses.ts';
import { envelope, fault, NS, parseSoapRequest, SoapParseError, text, type SoapRequest } from './soap.ts';
import { makeSnapshotJpeg } from './snapshot.ts';

export type SimProfile = r.SimProfile;

export interface OnvifDeviceOptions {
  name?: string;
  auth?: 'usernameToken' | 'digest' | 'none';
  username?: string;
  password?: string;
  /** Device clock = real time + this. */
  clockOffsetMs?: number;
  /** The device writes its local time into UTCDateTime (and checks UsernameToken against it). */
  reportsLocalTimeAsUtc?: boolean;
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  serialNumber?: string;
  hardwareId?: string;
  mac?: string;
  location?: string;
  profiles?: SimProfile[];
  media1?: boolean;
  media2?: boolean;
  httpsAdvertised?: boolean;
  /** Extra accounts accepted, e.g. admin/12345 on a "vulnerable" device. */
  defaultCredentials?: Array<{ username: string; password: string }>;
  discovery?: boolean | (DiscoveryBehaviour & { duplicates?: number; soap11?: boolean });
  // --- beyond the agreed API, all optional ---
  /** Local time zone, minutes east of UTC (default 0; 60 when reportsLocalTimeAsUtc is set without it). */
  utcOffsetMinutes?: number;
  /** ONVIF profiles claimed in the scopes (default ['S'], plus 'T' when media2). */
  onvifProfiles?: string[];
  /** Allowed distance between UsernameToken Created and the device clock (default 5 min). */
  maxSkewMs?: number;
}

export interface OnvifDeviceSim {
  url: string;
  port: number;
  endpointReference: string;
  setClockOffset(ms: number): void;
  requests: Array<{ operation: string; authenticated: boolean }>;
  /**
   * Beyond the agreed API: take the device off the network (new connections are reset,
   * open ones closed, WS-Discovery says Bye) or bring it back (Hello again).
   */
  setOnline(online: boolean): Promise<void>;
  /** The ONVIF event service (PullPoint) at `<base>/onvif/event_service`: `emit()` a notification, `reset()` as a reboot (not on fixture replays). */
  events?: SimEventService;
  eventServiceUrl?: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DIGEST_REALM = 'camfleet-sim';

function defaultProfiles(): SimProfile[] {
  return [
    { token: 'main', name: 'MainStream', encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, streamUrl: 'rtsp://127.0.0.1:8554/main' },
    { token: 'sub', name: 'SubStream', encoding: 'H264', width: 640, height: 360, fps: 10, bitrateKbps: 512, streamUrl: 'rtsp://127.0.0.1:8554/sub' },
  ];
}

function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02; // locally administered, unicast
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendSoap(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8', ...headers });
  res.end(xml);
}

export async function startOnvifDevice(opts: OnvifDeviceOptions = {}): Promise<OnvifDeviceSim> {
  const authMode = opts.auth ?? 'usernameToken';
  const accounts: Account[] = [
    { username: opts.username ?? 'admin', password: opts.password ?? 'Sim-Passw0rd!' },
    ...(opts.defaultCredentials ?? []),
  ];
  const utcOffsetMinutes = opts.utcOffsetMinutes ?? (opts.reportsLocalTimeAsUtc ? 60 : 0);
  const media2 = opts.media2 ?? true;
  let clockOffsetMs = opts.clockOffsetMs ?? 0;
  const issuedNonces = new Set<string>();
  const requests: OnvifDeviceSim['requests'] = [];
  const events = new SimEventService(() => model.baseUrl, () => Date.now() + clockOffsetMs);
  const endpointReference = `urn:uuid:${randomUUID()}`;

  const model: r.DeviceModel = {
    name: opts.name ?? 'SimCam',
    manufacturer: opts.manufacturer ?? 'Camfleet Sim',
    model: opts.model ?? 'SIM-1000',
    firmwareVersion: opts.firmwareVersion ?? '1.0.0',
    serialNumber: opts.serialNumber ?? randomBytes(6).toString('hex').toUpperCase(),
    hardwareId: opts.hardwareId ?? 'SIM-HW-1',
    mac: opts.mac ?? randomMac(),
    location: opts.location ?? 'loopback',
    profiles: opts.profiles ?? defaultProfiles(),
    media1: opts.media1 ?? true,
    media2,
    httpsAdvertised: opts.httpsAdvertised ?? false,
    onvifProfiles: opts.onvifProfiles ?? (media2 ? ['S', 'T'] : ['S']),
    baseUrl: '', // known once listening
    usernames: accounts.map((a) => a.username),
    utcOffsetMinutes,
  };

  /** What the device believes is UTC now (wrong by the offset when it reports local time as UTC). */
  const deviceUtcMs = () => Date.now() + clockOffsetMs + (opts.reportsLocalTimeAsUtc ? utcOffsetMinutes * 60_000 : 0);
  const deviceLocalMs = () => Date.now() + clockOffsetMs + utcOffsetMinutes * 60_000;

  function authenticate(req: IncomingMessage, soap: SoapRequest | undefined): AuthVerdict {
    if (authMode === 'none') return { ok: true, username: '' };
    if (authMode === 'digest') return checkDigest(req.headers.authorization, req.method ?? 'POST', accounts, DIGEST_REALM, issuedNonces);
    return checkUsernameToken(soap?.security, accounts, deviceUtcMs(), opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  }

  function digestDenied(res: ServerResponse, body: string, contentType: string): void {
    const nonce = newNonce();
    issuedNonces.add(nonce);
    if (issuedNonces.size > 1000) issuedNonces.delete(issuedNonces.values().next().value!);
    res.writeHead(401, { 'WWW-Authenticate': digestChallenge(DIGEST_REALM, nonce), 'Content-Type': contentType });
    res.end(body);
  }

  function findProfile(soap: SoapRequest): SimProfile | undefined {
    const token = text(soap.params.ProfileToken);
    return model.profiles.find((p) => p.token === token);
  }

  /** Body of the answer, or a fault envelope with its HTTP status. */
  function answer(path: string, soap: SoapRequest, port: number): { status: number; xml: string } {
    const ok = (body: string) => ({ status: 200, xml: envelope(body) });
    const noProfile = { status: 400, xml: fault('Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'No such profile') };
    if (path === r.SERVICE_PATHS.device) {
      switch (soap.operation) {
        case 'GetSystemDateAndTime':
          return ok(r.getSystemDateAndTime(model, deviceUtcMs(), deviceLocalMs()));
        case 'GetDeviceInformation':
          return ok(r.getDeviceInformation(model));
        case 'GetCapabilities':
          return ok(r.getCapabilities(model));
        case 'GetServices':
          return ok(r.getServices(model));
        case 'GetScopes':
          return ok(r.getScopes(model));
        case 'GetNetworkInterfaces':
          return ok(r.getNetworkInterfaces(model));
        case 'GetNetworkProtocols':
          return ok(r.getNetworkProtocols(model, port));
        case 'GetUsers':
          return ok(r.getUsers(model));
      }
    } else if (path === r.SERVICE_PATHS.media1 && model.media1) {
      switch (soap.operation) {
        case 'GetProfiles':
          return ok(r.getProfiles1(model));
        case 'GetVideoSources':
          return ok(r.getVideoSources1(model));
        case 'GetVideoSourceConfigurations':
          return ok(r.getVideoSourceConfigurations(model, 'trt'));
        case 'GetVideoEncoderConfigurations':
          return ok(r.getVideoEncoderConfigurations1(model));
        case 'GetStreamUri': {
          const p = findProfile(soap);
          return p ? ok(r.getStreamUri1(p)) : noProfile;
        }
        case 'GetSnapshotUri': {
          const p = findProfile(soap);
          return p ? ok(r.getSnapshotUri1(model, p)) : noProfile;
        }
      }
    } else if (path === r.SERVICE_PATHS.media2 && model.media2) {
      switch (soap.operation) {
        case 'GetProfiles':
          return ok(r.getProfiles2(model));
        case 'GetVideoSourceConfigurations':
          return ok(r.getVideoSourceConfigurations(model, 'tr2'));
        case 'GetVideoEncoderConfigurations':
          return ok(r.getVideoEncoderConfigurations2(model));
        case 'GetStreamUri': {
          const p = findProfile(soap);
          return p ? ok(r.getStreamUri2(p)) : noProfile;
        }
        case 'GetSnapshotUri': {
          const p = findProfile(soap);
          return p ? ok(r.getSnapshotUri2(model, p)) : noProfile;
        }
      }
    }
    return { status: 500, xml: fault('Receiver', ['ter:ActionNotSupported'], `${soap.operation} is not supported here`) };
  }

  async function handleSoap(req: IncomingMessage, res: ServerResponse, path: string, port: number): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) return sendSoap(res, 413, fault('Sender', ['ter:InvalidArgVal'], 'request too large'));
    let soap: SoapRequest;
    try {
      soap = parseSoapRequest(body);
    } catch (err) {
      const reason = err instanceof SoapParseError ? err.message : 'unreadable request';
      requests.push({ operation: '(malformed)', authenticated: false });
      return sendSoap(res, 400, fault('Sender', ['ter:WellFormed'], reason));
    }
    const verdict = authenticate(req, soap);
    requests.push({ operation: soap.operation, authenticated: verdict.ok && authMode !== 'none' });
    if (!verdict.ok && soap.operation !== 'GetSystemDateAndTime') {
      const xml = fault('Sender', ['ter:NotAuthorized'], 'Sender not authorized');
      if (authMode === 'digest') return digestDenied(res, xml, 'application/soap+xml; charset=utf-8');
      return sendSoap(res, 400, xml);
    }
    const { status, xml } = events.handles(path) ? await events.answer(path, soap) : answer(path, soap, port);
    sendSoap(res, status, xml);
  }

  function handleSnapshot(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    if (authMode !== 'none') {
      const verdict = /^Basic /i.test(req.headers.authorization ?? '')
        ? checkBasic(req.headers.authorization, accounts)
        : checkDigest(req.headers.authorization, req.method ?? 'GET', accounts, DIGEST_REALM, issuedNonces);
      requests.push({ operation: 'Snapshot', authenticated: verdict.ok });
      if (!verdict.ok) {
        digestDenied(res, 'Unauthorized\n', 'text/plain');
        return;
      }
    } else {
      requests.push({ operation: 'Snapshot', authenticated: false });
    }
    const profile = model.profiles.find((p) => p.token === query.get('token')) ?? model.profiles[0];
    const scale = profile ? Math.max(1, Math.ceil(profile.width / 640)) : 1;
    const jpeg = makeSnapshotJpeg(profile ? Math.round(profile.width / scale) : 320, profile ? Math.round(profile.height / scale) : 180);
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length });
    res.end(jpeg);
  }

  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (err: unknown) => {
      if (!res.headersSent) sendSoap(res, 500, fault('Receiver', ['ter:Action'], String(err)));
      else res.destroy();
    };
    if (req.method === 'GET' && url.pathname === r.SERVICE_PATHS.snapshot) {
      try {
        handleSnapshot(req, res, url.searchParams);
      } catch (err) {
        fail(err);
      }
      return;
    }
    if (req.method === 'POST' && (Object.values(r.SERVICE_PATHS).includes(url.pathname as never) || events.handles(url.pathname))) {
      handleSoap(req, res, url.pathname, port).catch(fail);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  model.baseUrl = `http://127.0.0.1:${port}`;
  const url = `${model.baseUrl}${r.SERVICE_PATHS.device}`;

  let online = true;
  server.on('connection', (socket) => {
    if (!online) socket.destroy();
  });

  let discovery: DiscoveryResponder | undefined;
  const startDiscovery = async () => {
    if (!opts.discovery) return;
    const behaviour = typeof opts.discovery === 'object' ? opts.discovery : {};
    discovery = await startDiscoveryResponder({ endpointReference, xaddrs: [url], scopes: r.scopes(model) }, behaviour);
  };
  try {
    await startDiscovery();
  } catch (err) {
    server.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    endpointReference,
    requests,
    events,
    eventServiceUrl: `${model.baseUrl}${EVENT_SERVICE_PATH}`,
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    async setOnline(value: boolean) {
      if (value === online) return;
      online = value;
      if (!value) {
        // Off the network = a reboot for the event service: subscriptions are lost.
        events.reset();
        server.closeAllConnections();
        await discovery?.close();
        discovery = undefined;
      } else {
        await startDiscovery();
      }
    },
    close() {
      closing ??= (async () => {
        await discovery?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

export { NS };
