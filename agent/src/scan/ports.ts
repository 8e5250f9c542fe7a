/** The usual camera ports and what each one speaks. */
export type PortKind = 'http' | 'https' | 'rtsp' | 'xm-dvrip' | 'dahua-private' | 'hik-sdk' | 'unknown';

export const DEFAULT_PORTS = [80, 443, 554, 2020, 8000, 8080, 8899, 34567, 37777];

const KNOWN: Record<number, PortKind> = {
  80: 'http',
  443: 'https',
  554: 'rtsp',
  2020: 'http', // TP-Link Tapo ONVIF
  8000: 'hik-sdk',
  8080: 'http',
  8554: 'rtsp',
  8899: 'http', // many OEM ONVIF servers
  34567: 'xm-dvrip',
  37777: 'dahua-private',
};

/** Ports the user adds are probed as HTTP first, then as RTSP if HTTP gives nothing. */
export function portKind(port: number): PortKind {
  return KNOWN[port] ?? 'unknown';
}

export function parsePorts(s: string): number[] {
  const out = new Set<number>();
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad port '${part}'`);
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    if (a < 1 || b > 65535 || a > b || b - a > 1024) throw new Error(`bad port range '${part}'`);
    for (let p = a; p <= b; p++) out.add(p);
  }
  return [...out];
}
