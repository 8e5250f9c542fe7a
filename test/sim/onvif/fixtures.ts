/**
 * Replays a folder of real ONVIF responses (/work/shared/fixtures/onvif) as a device on
 * loopback. The file is picked by the SOAP operation of the request (and its namespace, so
 * Media1 and Media2 GetProfiles differ); every address inside (http/https/rtsp URL hosts,
 * bare IPv4/IPv6) is rewritten to this simulator; every other byte is served as captured, so
 * the prober meets the real quirks (prefixes, escaping, encoding="utf-16" declarations...).
 * The fixture files are only read, never modified.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBody, sendSoap, type OnvifDeviceSim } from './device.ts';
import { startDiscoveryResponder, type DiscoveryResponder } from './discovery.ts';
import { fault, parseSoapRequest, type SoapRequest } from './soap.ts';
import { makeSnapshotJpeg } from './snapshot.ts';
import { randomUUID } from 'node:crypto';

export function fixturesDir(): string {
  return process.env.CAMFLEET_FIXTURES_DIR ?? fileURLToPath(new URL('../../../../shared/fixtures/onvif', import.meta.url));
}

export interface FixtureDeviceOptions {
  /** Operations answered with the folder's Fault.xml (agsh layout: Error.xml). */
  faultOn?: string[];
  discovery?: boolean;
  /** Where rewritten rtsp:// URLs point (host:port); default: this simulator's own host:port. */
  rtspHostPort?: string;
}

/** Service folder (easy_onvif layout) and file prefix (agsh layout) for an operation namespace. */
const SERVICES: Array<{ ns: RegExp; folder: string; prefix: string; path: RegExp }> = [
  { ns: /ver20\/media\/wsdl/, folder: 'media2', prefix: 'media2', path: /media2|media_2|ver20\/media/i },
  { ns: /ver10\/media\/wsdl/, folder: 'media1', prefix: 'media', path: /media/i },
  { ns: /ptz\/wsdl/, folder: 'ptz', prefix: 'ptz', path: /ptz/i },
  { ns: /imaging\/wsdl/, folder: 'imaging', prefix: 'imaging', path: /imaging/i },
  { ns: /events\/wsdl/, folder: 'events', prefix: 'events', path: /event/i },
  { ns: /(recording|search|replay)\/wsdl/, folder: 'recordings', prefix: 'recording', path: /record|search|replay/i },
  { ns: /device\/wsdl/, folder: 'device_management', prefix: 'device', path: /device/i },
];

function serviceFor(soap: SoapRequest, path: string): (typeof SERVICES)[number] {
  return SERVICES.find((s) => s.ns.test(soap.namespace)) ?? SERVICES.find((s) => s.path.test(path)) ?? SERVICES[SERVICES.length - 1]!;
}

function isPrivateOrPublicIpv4(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  if (parts.some((p) => p > 255)) return false;
  const [a] = parts as [number];
  if (ip === '0.0.0.0' || a === 127 || (a >= 224 && a <= 239) || a === 255) return false; // any/loopback/multicast/broadcast
  return true;
}

/**
 * Every device address in `xml` pointed at `hostPort` (and rtsp URLs at `rtspHostPort`):
 * URL hosts that are IP literals or template placeholders, any rtsp host, bare IPv4/IPv6.
 * Namespace URIs (http://www.onvif.org/...) are names, not addresses, and stay.
 */
export function rewriteAddresses(xml: string, hostPort: string, rtspHostPort = hostPort): string {
  const host = '(?:\\[[0-9A-Fa-f:.]+\\]|\\d{1,3}(?:\\.\\d{1,3}){3}|\\{\\{[^}]*\\}\\})(?::(?:\\d+|\\{\\{[^}]*\\}\\}))?';
  let out = xml.replace(new RegExp(`\\b(https?)://${host}`, 'g'), (_m, scheme: string) => `${scheme}://${hostPort}`);
  out = out.replace(/\brtsp:\/\/(?:[^/@\s<"']*@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?/g, `rtsp://${rtspHostPort}`);
  out = out.replace(/(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])/g, (ip) => (isPrivateOrPublicIpv4(ip) ? '127.0.0.1' : ip));
  out = out.replace(/(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:.])/g, (m) => {
    const isIpv6 = (m.includes('::') || m.split(':').length === 8) && /[0-9A-Fa-f]/.test(m) && m !== '::1';
    return isIpv6 ? '::1' : m;
  });
  return out;
}

export async function startFixtureDevice(folder: string, opts: FixtureDeviceOptions = {}): Promise<OnvifDeviceSim> {
  const dir = isAbsolute(folder) ? folder : join(fixturesDir(), folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`startFixtureDevice: no fixture folder ${dir}`);
  const serviceLayout = readdirSync(dir).some((n) => statSync(join(dir, n)).isDirectory());
  const faultOn = new Set(opts.faultOn ?? []);
  const requests: OnvifDeviceSim['requests'] = [];
  const endpointReference = `urn:uuid:${randomUUID()}`;

  function candidates(soap: SoapRequest, path: string): string[] {
    const svc = serviceFor(soap, path);
    const op = soap.operation;
    if (serviceLayout) {
      const own = join(dir, svc.folder, `${op}Response.xml`);
      if (soap.namespace) return [own];
      // No namespace to go by: any service that has the operation.
      return [own, ...readdirSync(dir).map((s) => join(dir, s, `${op}Response.xml`))];
    }
    return [`${svc.prefix}.${op}.xml`, `${svc.prefix}.${op}`, `${op}.xml`, `${op}`].map((f) => join(dir, f));
  }

  function faultFile(soap: SoapRequest, path: string): string | undefined {
    const svc = serviceFor(soap, path);
    const options = serviceLayout
      ? [join(dir, svc.folder, 'Fault.xml'), ...readdirSync(dir).map((s) => join(dir, s, 'Fault.xml'))]
      : [join(dir, 'Error.xml')];
    return options.find((f) => existsSync(f));
  }

  /** Raw bytes as latin1 so the rewrite keeps every other byte exactly. */
  const load = (file: string, hostPort: string) =>
    Buffer.from(rewriteAddresses(readFileSync(file).toString('latin1'), hostPort, opts.rtspHostPort ?? hostPort), 'latin1');

  const server = createServer((req, res) => {
    const hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET') {
      // Snapshot URIs from fixtures have vendor paths; answer any GET with a JPEG.
      requests.push({ operation: 'Snapshot', authenticated: Boolean(req.headers.authorization) });
      const jpeg = makeSnapshotJpeg();
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length });
      res.end(jpeg);
      return;
    }
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) return sendSoap(res, 413, fault('Sender', ['ter:InvalidArgVal'], 'request too large'));
      let soap: SoapRequest;
      try {
        soap = parseSoapRequest(body);
      } catch (err) {
        return sendSoap(res, 400, fault('Sender', ['ter:WellFormed'], String((err as Error).message)));
      }
      requests.push({ operation: soap.operation, authenticated: Boolean(soap.security || req.headers.authorization) });
      if (faultOn.has(soap.operation)) {
        const file = faultFile(soap, path);
        if (file) {
          const bytes = load(file, hostPort);
          return sendSoap(res, bytes.toString('latin1').includes('Sender') ? 400 : 500, bytes.toString('latin1'));
        }
        return sendSoap(res, 500, fault('Receiver', ['ter:Action'], `${soap.operation} failed`));
      }
      const file = candidates(soap, path).find((f) => existsSync(f) && statSync(f).isFile());
      if (!file) return sendSoap(res, 500, fault('Receiver', ['ter:ActionNotSupported'], `${soap.operation} is not in this fixture`));
      const bytes = load(file, hostPort);
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': bytes.length });
      res.end(bytes);
    })().catch(() => {
      if (!res.headersSent) sendSoap(res, 500, fault('Receiver', ['ter:Action'], 'simulator error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}${deviceServicePath(dir, serviceLayout)}`;
  let online = true;
  server.on('connection', (socket) => {
    if (!online) socket.destroy();
  });

  let discovery: DiscoveryResponder | undefined;
  if (opts.discovery) {
    const name = folder.split(/[\\/]/).filter(Boolean).pop() ?? 'fixture';
    discovery = await startDiscoveryResponder({
      endpointReference,
      xaddrs: [url],
      scopes: ['onvif://www.onvif.org/Profile/Streaming', `onvif://www.onvif.org/name/${encodeURIComponent(name)}`, 'onvif://www.onvif.org/type/video_encoder'],
    }).catch((err: unknown) => {
      server.close();
      throw err;
    });
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    endpointReference,
    requests,
    setClockOffset() {
      // A replayed device's clock is whatever the captured file says.
    },
    async setOnline(value: boolean) {
      online = value;
      if (!value) server.closeAllConnections();
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

/** The device service path the fixture itself advertises (GetCapabilities Device XAddr), else the usual one. */
function deviceServicePath(dir: string, serviceLayout: boolean): string {
  const file = serviceLayout ? join(dir, 'device_management', 'GetCapabilitiesResponse.xml') : join(dir, 'GetCapabilities.xml');
  if (existsSync(file)) {
    const m = /<[\w-]*:?Device>\s*<[\w-]*:?XAddr>\s*[a-z]+:\/\/[^/<]+(\/[^<\s]*)/.exec(readFileSync(file, 'latin1'));
    if (m?.[1]) return m[1];
  }
  return '/onvif/device_service';
}
