/** `camfleet-agent discover`: cameras answering WS-Discovery on the local network. */
import { flag, int, str, type Command } from '@camfleet/shared';
import { discover as runDiscovery } from '../../discovery/discover.ts';
import { paint, table, useColour } from '../format.ts';

export const discover: Command = {
  name: 'discover',
  summary: 'find ONVIF cameras on the local network (WS-Discovery probe and Hello)',
  usage: 'discover [--timeout <ms>] [--interface <ipv4>] [--json]',
  details: [
    '  --timeout <ms>       how long to listen for answers (default 3000)',
    '  --interface <ipv4>   probe on this interface address only (repeatable; default: all IPv4 interfaces)',
    '  --json               print an array of devices',
    'Cameras on other subnets or with discovery off do not answer: use `scan --cidr`.',
  ].join('\n'),
  options: { timeout: { type: 'string' }, interface: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(ctx) {
    const ifs = ctx.values.interface;
    const interfaces = Array.isArray(ifs) ? ifs.filter((x): x is string => typeof x === 'string') : str(ctx, 'interface') ? [str(ctx, 'interface')!] : undefined;
    const { devices } = await runDiscovery({ timeoutMs: int(ctx, 'timeout', 3_000), ...(interfaces?.length ? { interfaces } : {}) });
    devices.sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }) || a.endpointReference.localeCompare(b.endpointReference));
    if (flag(ctx, 'json')) {
      ctx.stdout.write(JSON.stringify(devices, null, 2) + '\n');
      return 0;
    }
    if (!devices.length) {
      ctx.stdout.write('no camera answered WS-Discovery (try a longer --timeout, or scan --cidr)\n');
      return 0;
    }
    const c = paint(useColour(ctx.stdout, ctx.env));
    const rows = [['ADDRESS', 'NAME', 'HARDWARE', 'LOCATION', 'PROFILES', 'SERVICE URL'].map((h) => c('bold', h))];
    for (const d of devices) rows.push([d.address, d.scopes.name ?? '-', d.scopes.hardware ?? '-', d.scopes.location || '-', d.scopes.profiles.join(',') || '-', d.xaddrs.join(' ') || '-']);
    ctx.stdout.write(table(rows) + `\n\n${devices.length} device(s)\n`);
    return 0;
  },
};
