/**
 * `npm run demo`: a city's central office and one of its sites, on this machine.
 *
 * It goes the way an installation does: the aggregator is seeded with Hanoi's areas, agencies,
 * businesses and camera inventory; the central office issues a one-time enrollment token for
 * the Hoàn Kiếm ward office's site; `camfleet-agent enroll` trades it for the agent's
 * credentials; the agent then probes the site's 3 simulated ONVIF cameras, checks them against
 * the standard, records them and reports. Only that site's cameras are live: the rest of the
 * seeded inventory shows no state until an agent reports it.
 *
 * State goes under .demo/ (git-ignored), including .demo/admin.token for the API. Ctrl-C stops
 * everything and leaves no ffmpeg, GStreamer or Node process behind.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { AggregatorConfigSchema } from '../aggregator/src/config.ts';
import { startAggregator } from '../aggregator/src/server.ts';
import { newSecret } from '../aggregator/src/auth/secrets.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS } from '../test/sim/site.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoDir = join(root, '.demo');
const AGENT_BIN = join(root, 'agent/bin/camfleet-agent.js');
const AGGREGATOR_BIN = join(root, 'aggregator/bin/camfleet-aggregator.js');
const SEED = join(root, 'aggregator/seed/hanoi.json');
const SITE = 'site-ubnd-hoan-kiem';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function pickPort(preferred: number): Promise<number> {
  return (await portFree(preferred)) ? preferred : 0;
}

/**
 * Runs one of the project's CLIs as a user would, failing the demo when it fails. Asynchronous:
 * the aggregator runs in this process and must keep answering while the CLI talks to it.
 */
async function cli(bin: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${bin} ${args[0]} failed:\n${out}`);
  return out;
}

async function main() {
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  const aggData = join(demoDir, 'aggregator');
  const agentData = join(demoDir, 'agent');
  const demoPassword = newSecret(9);

  // The city: areas, agencies, businesses, sites, inventory, users (one password for the demo).
  const seeded = await cli(AGGREGATOR_BIN, ['seed', '--data-dir', aggData, '--file', SEED, '--password-env', 'DEMO_USER_PASSWORD'], {
    DEMO_USER_PASSWORD: demoPassword,
  });

  // Three cameras at the site, each an ONVIF device (WS-UsernameToken) with an RTSP stream (Digest).
  const site = await startSimulatedSite({ cameras: 3, width: 640, height: 360, fps: 10 });
  const agg = await startAggregator(
    AggregatorConfigSchema.parse({
      dataDir: aggData,
      mqtt: { host: '127.0.0.1', port: await pickPort(Number(process.env.CAMFLEET_DEMO_MQTT_PORT ?? 1883)) },
      http: { host: '127.0.0.1', port: await pickPort(Number(process.env.CAMFLEET_DEMO_HTTP_PORT ?? 8080)) },
      log: { level: 'warn' },
    }),
  );
  const admin = agg.users.byUsername('admin');
  if (!admin) throw new Error('the seed has no admin user');
  writeFileSync(join(demoDir, 'admin.token'), agg.users.issueToken(admin.id, 'demo') + '\n', { mode: 0o600 });

  // The technician's side: a one-time token from the central office, traded by `enroll`.
  const { token } = agg.uplink.enrollment.createToken(SITE, 3600, 'demo');
  mkdirSync(agentData, { recursive: true });
  await cli(AGENT_BIN, ['enroll', '--aggregator', agg.httpUrl, '--token-env', 'DEMO_ENROLL_TOKEN', '--data', agentData], { DEMO_ENROLL_TOKEN: token });

  const agentConfig = join(demoDir, 'agent.json');
  writeFileSync(
    agentConfig,
    JSON.stringify(
      {
        dataDir: agentData,
        aggregator: { mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}` },
        heartbeatSeconds: 5,
        keepaliveSeconds: 10,
        // Only the ONVIF address and credentials: the agent probes each camera, checks it
        // against the standard and finds its streams itself.
        cameras: site.cameras.map((c) => ({
          id: c.id,
          name: c.name,
          onvifUrl: c.onvifUrl,
          username: DEFAULT_SIM_CREDENTIALS.username,
          password: { env: 'DEMO_CAMERA_PASSWORD' },
        })),
      },
      null,
      2,
    ),
  );
  const agent = spawn(process.execPath, [AGENT_BIN, 'run', '--config', agentConfig], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CAMFLEET_LOG_LEVEL: process.env.CAMFLEET_LOG_LEVEL ?? 'warn', DEMO_CAMERA_PASSWORD: DEFAULT_SIM_CREDENTIALS.password },
  });

  const users = seeded
    .split('\n')
    .filter((l) => l.trim().startsWith('user '))
    .map((l) => l.trim().replace(/^user /, ''));
  console.log(`
camfleet demo is running
  dashboard       : ${agg.httpUrl}/
  API             : ${agg.httpUrl}/api/v1   (OpenAPI: ${agg.httpUrl}/api/v1/openapi.json)
  MQTT broker     : mqtt://127.0.0.1:${agg.mqttPort}
  admin API token : .demo/admin.token   e.g.  curl -H "Authorization: Bearer $(cat .demo/admin.token)" ${agg.httpUrl}/api/v1/fleet
  demo logins     : password ${demoPassword} for every demo user:
    ${users.join('\n    ')}
  live site       : ${SITE} (Hoàn Kiếm ward office), 3 simulated ONVIF cameras, enrolled with a one-time token
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping demo...');
    // The agent may have died already (killed to watch it go offline): then there is no exit to wait for.
    const running = agent.exitCode === null && agent.signalCode === null;
    if (running) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await site.close();
    await agg.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  agent.on('exit', (code, signal) => {
    if (!stopping) console.error(`agent exited (${signal ?? `code ${code}`}); the aggregator marks it offline`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
