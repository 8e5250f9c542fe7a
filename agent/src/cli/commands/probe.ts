/** `camfleet-agent probe <url|host[:port]>`: what one ONVIF device is and what it streams. */
import { flag, int, UsageError, type Command } from '@camfleet/shared';
import { probeCamera } from '../../onvif/probe.ts';
import { profiles } from '../../firmware/index.ts';
import { firmwareMatcher } from '../../conformance/check.ts';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, readCredentials } from '../credentials.ts';
import { paint, table, useColour } from '../format.ts';
import { formatOffset } from '../../conformance/rules.ts';

export const probe: Command = {
  name: 'probe',
  summary: 'probe one ONVIF camera: identity, clock, services, profiles, stream URIs',
  usage: 'probe <device-service-url | host[:port]> [--user <u>] [--password-env <VAR>] [--json] [--timeout <ms>]',
  details: [CREDENTIAL_HELP, '  --json                  print one CameraRecord', '  --timeout <ms>          per call (default 5000)'].join('\n'),
  options: { ...CREDENTIAL_OPTIONS, json: { type: 'boolean' }, timeout: { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const [target, ...extra] = ctx.positionals;
    if (!target || extra.length) throw new UsageError('give exactly one camera');
    const credentials = await readCredentials(ctx);
    const result = await probeCamera(target, credentials, { timeoutMs: int(ctx, 'timeout', 5_000), matchFirmware: firmwareMatcher(profiles()) });
    if (!result.reachable) {
      ctx.stderr.write(`no answer from ${result.record.deviceServiceUrl}: ${result.faults[0]?.message ?? 'unreachable'}\n`);
      return 1;
    }
    if (flag(ctx, 'json')) {
      ctx.stdout.write(JSON.stringify(result.record, null, 2) + '\n');
      return 0;
    }
    const c = paint(useColour(ctx.stdout, ctx.env));
    const r = result.record;
    const lines = [
      ['Device', `${r.manufacturer || '?'} ${r.model || '?'}`],
      ['Firmware', `${r.firmwareVersion || '?'}${r.firmwareProfile ? c('dim', `  (profile: ${r.firmwareProfile})`) : ''}`],
      ['Serial', r.serialNumber || '-'],
      ['Hardware', r.hardwareId || '-'],
      ['Service', r.deviceServiceUrl],
      ['Clock offset', formatOffset(r.clockOffsetMs)],
      ['Auth', r.auth ?? '-'],
      ['Services', Object.entries(r.services).filter(([k]) => k !== 'device').map(([k]) => k).join(', ') || '-'],
      ['Scopes', [r.scopes.name && `name=${r.scopes.name}`, r.scopes.hardware && `hardware=${r.scopes.hardware}`, r.scopes.location && `location=${r.scopes.location}`, r.scopes.profiles.length && `profiles=${r.scopes.profiles.join(',')}`].filter(Boolean).join('  ') || '-'],
    ];
    ctx.stdout.write(table(lines.map(([k, v]) => [c('bold', k!), v!])) + '\n\n');
    const rows = [['PROFILE', 'ENCODING', 'SIZE', 'FPS', 'KBPS', 'STREAM', 'SNAPSHOT'].map((h) => c('bold', h))];
    for (const p of r.profiles) rows.push([p.name || p.token, p.encoding || '?', `${p.width}x${p.height}`, String(p.fps), p.bitrateKbps === undefined ? '-' : String(p.bitrateKbps), p.streamUri || '-', p.snapshotUri || '-']);
    ctx.stdout.write((r.profiles.length ? table(rows) : 'no media profiles') + '\n');
    if (result.faults.length) {
      ctx.stdout.write('\n' + c('yellow', `${result.faults.length} call(s) failed:`) + '\n');
      for (const f of result.faults) ctx.stdout.write(`  ${f.operation}: ${f.message}\n`);
    }
    return 0;
  },
};
