/** `camfleet-agent scan --cidr <range>`: cameras that discovery cannot see. */
import { flag, int, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { parsePorts, DEFAULT_PORTS } from '../../scan/ports.ts';
import { planScan, scan as runScan } from '../../scan/scan.ts';
import { hostCount } from '../../scan/cidr.ts';
import { paint, table, useColour } from '../format.ts';

export const scan: Command = {
  name: 'scan',
  summary: 'scan an IPv4 range for cameras (TCP ports, RTSP/HTTP banners, ONVIF)',
  usage: 'scan --cidr <range> [--ports <list>] [--concurrency <n>] [--timeout <ms>] [--force] [--json]',
  details: [
    '  --cidr <range>      e.g. 192.168.1.0/24; only addresses inside it are contacted',
    `  --ports <list>      e.g. 80,554,8000-8010 (default ${DEFAULT_PORTS.join(',')})`,
    '  --concurrency <n>   simultaneous connection attempts (default 64)',
    '  --timeout <ms>      per connection attempt (default 1000)',
    '  --force             allow ranges larger than a /16',
    '  --json              print an array of hosts',
  ].join('\n'),
  options: {
    cidr: { type: 'string' },
    ports: { type: 'string' },
    concurrency: { type: 'string' },
    timeout: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const cidr = requireStr(ctx, 'cidr');
    let ports: number[];
    let range;
    try {
      ports = str(ctx, 'ports') ? parsePorts(str(ctx, 'ports')!) : DEFAULT_PORTS;
      range = planScan(cidr, flag(ctx, 'force'));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const concurrency = int(ctx, 'concurrency', 64);
    if (concurrency < 1 || concurrency > 1024) throw new UsageError('--concurrency must be between 1 and 1024');
    const tty = Boolean((ctx.stderr as { isTTY?: boolean }).isTTY);
    const width = 30;
    let lastDraw = 0;
    const results = await runScan({
      cidr,
      ports,
      concurrency,
      connectTimeoutMs: int(ctx, 'timeout', 1_000),
      force: flag(ctx, 'force'),
      onProgress: tty
        ? (done, total) => {
            const now = Date.now();
            if (done !== total && now - lastDraw < 100) return;
            lastDraw = now;
            const filled = Math.round((done / total) * width);
            ctx.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} probes`);
            if (done === total) ctx.stderr.write('\n');
          }
        : undefined,
    });
    if (flag(ctx, 'json')) {
      ctx.stdout.write(JSON.stringify(results, null, 2) + '\n');
      return 0;
    }
    const c = paint(useColour(ctx.stdout, ctx.env));
    if (!results.length) {
      ctx.stdout.write(`nothing open on ${hostCount(range)} host(s) of ${cidr}\n`);
      return 0;
    }
    const rows = [['HOST', 'OPEN PORTS', 'BANNERS', 'ONVIF'].map((h) => c('bold', h))];
    for (const h of results)
      rows.push([
        h.host,
        h.ports.map((p) => `${p.port}/${p.kind}`).join(' '),
        h.ports.filter((p) => p.banner).map((p) => `${p.port}: ${p.banner}`).join('; ') || '-',
        h.onvif ? c('green', h.onvif.deviceServiceUrl) : '-',
      ]);
    ctx.stdout.write(table(rows) + `\n\n${results.length} host(s) with open camera ports, ${results.filter((h) => h.onvif).length} ONVIF\n`);
    return 0;
  },
};
