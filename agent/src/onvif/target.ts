/** What a technician types (`192.168.1.64`, `cam.local:8080`, a full URL) to a device service URL. */
export function deviceServiceUrl(target: string): string {
  const t = target.trim();
  if (/^https?:\/\//i.test(t)) {
    const u = new URL(t);
    if (u.username || u.password) throw new Error('put credentials in --user and --password-env, not in the URL');
    if (u.pathname === '/' || u.pathname === '') u.pathname = '/onvif/device_service';
    return u.toString();
  }
  if (!/^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(:\d{1,5})?$/.test(t)) throw new Error(`not a host, host:port or URL: '${t}'`);
  return new URL(`http://${t}/onvif/device_service`).toString();
}

/**
 * Keeps the path of an address the device gave but its scheme, host and port from the URL we
 * reached it at. Cameras behind NAT report private addresses, and a hostile one could point us
 * anywhere; the probe only ever talks to the host the technician named.
 */
export function sameOrigin(address: string, reachedAt: string): string {
  try {
    const a = new URL(address);
    const base = new URL(reachedAt);
    if (a.protocol !== 'http:' && a.protocol !== 'https:') return base.toString();
    return new URL(`${a.pathname}${a.search}`, base.origin).toString();
  } catch {
    return reachedAt;
  }
}
