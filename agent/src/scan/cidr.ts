/** IPv4 ranges for the scan: parsing, size, and the hosts inside (never one outside). */
export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

export const MAX_PREFIX_WITHOUT_FORCE = 16;

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `192.168.1.0/24`, or a single address (a /32). Host bits are cleared. */
export function parseCidr(s: string): Cidr {
  const m = /^\s*([0-9.]+)(?:\/(\d{1,2}))?\s*$/.exec(s);
  const ip = m ? ipToNumber(m[1]!) : undefined;
  const prefix = m?.[2] === undefined ? 32 : Number(m[2]);
  if (ip === undefined || prefix > 32) throw new Error(`not an IPv4 range: '${s}' (expected e.g. 192.168.1.0/24)`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ip & mask) >>> 0, prefix };
}

export function rangeSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The usable host addresses: all of a /31 or /32, else without network and broadcast. */
export function* hosts(c: Cidr): Generator<string> {
  const size = rangeSize(c);
  const first = size <= 2 ? 0 : 1;
  const last = size <= 2 ? size - 1 : size - 2;
  for (let i = first; i <= last; i++) yield numberToIp((c.network + i) >>> 0);
}

export function hostCount(c: Cidr): number {
  const size = rangeSize(c);
  return size <= 2 ? size : size - 2;
}

export function contains(c: Cidr, ip: string): boolean {
  const n = ipToNumber(ip);
  if (n === undefined) return false;
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return ((n & mask) >>> 0) === c.network;
}
