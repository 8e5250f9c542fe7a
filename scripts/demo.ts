/**
 * `npm run demo`: the aggregator, a simulated site of 3 cameras and an agent, on this machine.
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

async function main() {
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });

  // Three cameras, each an ONVIF device (WS-UsernameToken) with an RTSP stream (Digest).
  const site = await startSimulatedSite({ cameras: 3, width: 640, height: 360, fps: 10 });
  const agg = await startAggregator(
    AggregatorConfigSchema.parse({
      dataDir: join(demoDir, 'aggregator'),
      mqtt: { host: '127.0.0.1', port: await pickPort(Number(process.env.CAMFLEET_DEMO_MQTT_PORT ?? 1883)) },
      http: { host: '127.0.0.1', port: await pickPort(Number(process.env.CAMFLEET_DEMO_HTTP_PORT ?? 8080)) },
      log: { level: 'warn' },
    }),
  );

  const password = newSecret(12);
  const admin = agg.users.create('admin', password, 'admin');
  const token = agg.users.issueToken(admin.id, 'demo');
  writeFileSync(join(demoDir, 'admin.token'), token + '\n', { mode: 0o600 });

  const creds = agg.fleet.createAgent('demo-site');
  const credsFile = join(demoDir, 'agent', 'credentials.json');
  mkdirSync(join(demoDir, 'agent'), { recursive: true });
  writeFileSync(credsFile, JSON.stringify({ ...creds, mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}` }), { mode: 0o600 });
  const agentConfig = join(demoDir, 'agent.json');
  writeFileSync(
    agentConfig,
    JSON.stringify(
      {
        dataDir: join(demoDir, 'agent'),
        credentialsFile: credsFile,
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
  const agent = spawn(process.execPath, [join(root, 'agent/bin/camfleet-agent.js'), 'run', '--config', agentConfig], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CAMFLEET_LOG_LEVEL: process.env.CAMFLEET_LOG_LEVEL ?? 'warn', DEMO_CAMERA_PASSWORD: DEFAULT_SIM_CREDENTIALS.password },
  });

  console.log(`
camfleet demo is running
  dashboard / API : ${agg.httpUrl}/   (fleet: ${agg.httpUrl}/api/v1/fleet)
  MQTT broker     : mqtt://127.0.0.1:${agg.mqttPort}
  admin login     : admin / ${password}
  API token       : .demo/admin.token   e.g.  curl -H "Authorization: Bearer $(cat .demo/admin.token)" ${agg.httpUrl}/api/v1/fleet
  cameras (ONVIF) : ${site.cameras.map((c) => c.onvifUrl).join('  ')}
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping demo...');
    agent.kill('SIGTERM');
    await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
    await site.close();
    await agg.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  agent.on('exit', (code) => {
    if (!stopping) console.error(`agent exited with code ${code}`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
