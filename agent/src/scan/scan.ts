/**
 * A scan for cameras that do not answer discovery: TCP connects to the camera ports of every
 * host in the range, a bounded number at a time; RTSP and HTTP banners read from what is open;
 * an unauthenticated ONVIF GetSystemDateAndTime on the HTTP ports. Never outside the range.
 */
import net from 'node:net';
import { NS, OnvifClient } from '../onvif/client.ts';
import { contains, hostCount, hosts, MAX_PREFIX_WITHOUT_FORCE, parseCidr, type Cidr } from './cidr.ts';
import { DEFAULT_PORTS, portKind, type PortKind } from './ports.ts';

export interface OpenPort {
  port: number;
  kind: PortKind;
  /** `Server` header of an HTTP or RTSP answer, or the status line. */
  banner?: string;
}

export interface ScannedHost {
  host: string;
  ports: OpenPort[];
  /** Set when an ONVIF device service answered. */
  onvif?: { deviceServiceUrl: string };
}

export interface ScanOptions {
  cidr: string;
  ports?: number[];
  /** Simultaneous connection attempts. */
  concurrency?: number;
  connectTimeoutMs?: number;
  /** Allow ranges larger than a /16. */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export class ScanRangeError extends Error {}

/** Checks the range before any packet is sent. */
export function planScan(cidr: string, force = false): Cidr {
  const c = parseCidr(cidr);
  if (c.prefix < MAX_PREFIX_WITHOUT_FORCE && !force)
    throw new ScanRangeError(`${cidr} holds ${hostCount(c)} hosts; ranges larger than a /${MAX_PREFIX_WITHOUT_FORCE} need --force`);
  return c;
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    });
  });
}

/** Sends `request` and reads the head of the answer (at most 8 KiB, at most `timeoutMs`). */
function exchange(s: net.Socket, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(buf);
    };
    const timer = setTimeout(done, timeoutMs);
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n') || buf.length > 8192) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.write(request);
  });
}

function bannerOf(head: string): string | undefined {
  const server = /\r\nServer:\s*([^\r\n]{1,200})/i.exec(head)?.[1];
  if (server) return server.trim();
  const status = /^(RTSP|HTTP)\/\d\.\d [^\r\n]{0,100}/.exec(head)?.[0];
  return status;
}

async function probePort(host: string, port: number, timeoutMs: number): Promise<OpenPort | undefined> {
  const s = await connect(host, port, timeoutMs);
  if (!s) return undefined;
  const kind = portKind(port);
  let head = '';
  if (kind === 'rtsp') head = await exchange(s, `OPTIONS rtsp://${host}:${port}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camfleet-scan\r\n\r\n`, 1_500);
  else if (kind === 'http' || kind === 'unknown') head = await exchange(s, `HEAD / HTTP/1.0\r\nHost: ${host}\r\nUser-Agent: camfleet-scan\r\n\r\n`, 1_500);
  else s.destroy();
  const banner = bannerOf(head);
  return { port, kind: kind === 'unknown' && head.startsWith('HTTP/') ? 'http' : kind, ...(banner ? { banner } : {}) };
}

/** Runs `fn` over `items`, `limit` at a time. */
async function mapLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async () => {
    for (let n = it.next(); !n.done; n = it.next()) await fn(n.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}

export async function scan(opts: ScanOptions): Promise<ScannedHost[]> {
  const range = planScan(opts.cidr, opts.force);
  const ports = opts.ports ?? DEFAULT_PORTS;
  const timeoutMs = opts.connectTimeoutMs ?? 1_000;
  const total = hostCount(range) * ports.length;
  const found = new Map<string, OpenPort[]>();
  let done = 0;

  function* tasks(): Generator<[string, number]> {
    for (const h of hosts(range)) for (const p of ports) yield [h, p];
  }
  await mapLimit(tasks(), opts.concurrency ?? 64, async ([host, port]) => {
    if (!contains(range, host)) return; // defence in depth: never outside the range
    const open = await probePort(host, port, timeoutMs);
    if (open) found.set(host, [...(found.get(host) ?? []), open]);
    opts.onProgress?.(++done, total);
  });

  const results: ScannedHost[] = [];
  for (const [host, open] of found) {
    open.sort((a, b) => a.port - b.port);
    const entry: ScannedHost = { host, ports: open };
    for (const p of open.filter((x) => x.kind === 'http' || x.kind === 'https')) {
      const url = `${p.kind}://${host}:${p.port}/onvif/device_service`;
      const r = await new OnvifClient({ timeoutMs: 2_000, maxBytes: 256 * 1024 }).call(url, NS.device, 'GetSystemDateAndTime', '', { authenticate: false });
      // A SOAP fault (e.g. the device wants credentials even for the clock) is still ONVIF.
      if (r.ok || r.error.kind === 'fault' || (r.error.kind === 'auth' && r.error.fault)) {
        entry.onvif = { deviceServiceUrl: url };
        break;
      }
    }
    results.push(entry);
  }
  return results.sort((a, b) => a.host.localeCompare(b.host, undefined, { numeric: true }));
}
