import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { flag, redactUrl, str, UsageError, type Command } from '@camfleet/shared';
import { credentialsPath, loadAgentConfig } from '../../config.ts';
import { writeCredentials } from '../../uplink/credentials.ts';

const EnrollResponse = z.object({
  agentId: z.string(),
  password: z.string(),
  siteId: z.string(),
  mqttUrl: z.string(),
  caPem: z.string().optional(),
});

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export const enrollCommand: Command = {
  name: 'enroll',
  summary: "trade a one-time enrollment token for this agent's identity and credentials",
  usage: 'enroll --aggregator <http(s)-url> (--token <token> | --token-env <VAR>) [--data <dir>] [--config <file>] [--force]',
  details:
    'Writes <data>/credentials.json (mode 0600) with the agent id, MQTT password and broker URL,\n' +
    "and the broker's CA certificate beside it when the aggregator sends one. The token works once.\n" +
    'Use https:// outside a trusted network (NODE_EXTRA_CA_CERTS=<ca.pem> for a private CA).',
  options: {
    aggregator: { type: 'string' },
    token: { type: 'string' },
    'token-env': { type: 'string' },
    data: { type: 'string' },
    config: { type: 'string', short: 'c' },
    force: { type: 'boolean' },
  },
  async run(ctx) {
    const base = str(ctx, 'aggregator');
    if (!base) throw new UsageError('--aggregator is required');
    let url: URL;
    try {
      url = new URL('/api/v1/enroll', base);
    } catch {
      throw new UsageError(`--aggregator '${base}' is not a URL`);
    }
    const tokenEnv = str(ctx, 'token-env');
    const token = str(ctx, 'token') ?? (tokenEnv ? ctx.env[tokenEnv] : undefined);
    if (!token) throw new UsageError(tokenEnv ? `environment variable ${tokenEnv} is empty` : '--token or --token-env is required');
    const data = str(ctx, 'data');
    const config = loadAgentConfig(str(ctx, 'config'), data ? { dataDir: data } : undefined);
    const file = resolve(credentialsPath(config));
    if (existsSync(file) && !flag(ctx, 'force')) throw new Error(`${file} exists: this agent is enrolled already (use --force to replace it)`);
    if (url.protocol === 'http:' && !isLoopback(url)) {
      ctx.stderr.write('warning: enrolling over plain http; the credentials cross the network unencrypted\n');
    }

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new Error(`cannot reach ${redactUrl(url.origin)}: ${(err as Error).cause ? String((err as { cause: unknown }).cause) : (err as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    if (!response.ok) {
      throw new Error(`enrollment refused (${response.status} ${body?.error?.code ?? ''}): ${body?.error?.message ?? 'no details'}`);
    }
    const parsed = EnrollResponse.safeParse(body);
    if (!parsed.success) throw new Error('the aggregator answered enrollment with an unexpected body');
    const enrolled = parsed.data;

    mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
    let caFile: string | undefined;
    if (enrolled.caPem) {
      caFile = join(dirname(file), 'aggregator-ca.pem');
      writeFileSync(caFile, enrolled.caPem, { mode: 0o644 });
    }
    writeCredentials(file, { agentId: enrolled.agentId, password: enrolled.password, mqttUrl: enrolled.mqttUrl, httpUrl: new URL(base).origin, caFile });
    ctx.stdout.write(`enrolled as agent ${enrolled.agentId} (site ${enrolled.siteId}); credentials in ${file}\n`);
    return 0;
  },
};
