/**
 * `npm run cluster`: the centre on distributed engines, on this one machine, with the demo's
 * simulated site. It starts a 3-node RabbitMQ cluster (MQTT plugin, quorum queue; agents
 * authenticated by the aggregator's HTTP auth backend), an S3-compatible server (s3rver) for
 * clips, 2 aggregator instances and haproxy in front of them and of the broker nodes; then it
 * seeds Hanoi, enrolls the Hoàn Kiếm ward office's agent through the balancer and runs it against
 * 3 simulated ONVIF cameras. Prints the URLs. Ctrl-C stops everything (agent, cameras, instances,
 * haproxy, broker nodes and their epmd, s3rver) and leaves nothing running.
 *
 * State goes under .cluster/ (git-ignored like .demo/). The relational store is, for now, one
 * SQLite file shared by the instances (see scripts/cluster/topology.ts).
 * Ports: CAMFLEET_CLUSTER_HTTP_PORT (default 8090) and CAMFLEET_CLUSTER_MQTT_PORT (1893) when free.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { newSecret } from '../aggregator/src/auth/secrets.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS } from '../test/sim/site.ts';
import { startTopology, type Topology } from './cluster/topology.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, '.cluster');
const AGENT_BIN = join(root, 'agent/bin/camfleet-agent.js');
const SEED = join(root, 'aggregator/seed/hanoi.json');
const SITE = 'site-ubnd-hoan-kiem';

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

async function main() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const demoPassword = newSecret(9);
  let seeded = '';
  let topo: Topology | undefined;
  let site: Awaited<ReturnType<typeof startSimulatedSite>> | undefined;
  let agent: ReturnType<typeof spawn> | undefined;
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the cluster...');
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await site?.close();
    await topo?.stop();
    console.log('stopped; nothing left running');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  try {
    const httpPref = Number(process.env.CAMFLEET_CLUSTER_HTTP_PORT ?? 8090);
    const mqttPref = Number(process.env.CAMFLEET_CLUSTER_MQTT_PORT ?? 1893);
    console.log('starting: 3 RabbitMQ nodes (a minute or more on a small machine), s3rver, 2 aggregator instances, haproxy...');
    topo = await startTopology({
      dir,
      httpPort: (await portFree(httpPref)) ? httpPref : 0,
      mqttPort: (await portFree(mqttPref)) ? mqttPref : 0,
      log: (l) => console.log(`  ${l}`),
      prepare: async (cli) => {
        seeded = await cli(['seed', '--file', SEED, '--password-env', 'DEMO_USER_PASSWORD'], { DEMO_USER_PASSWORD: demoPassword });
        const token = (await cli(['user', 'token', '--username', 'admin', '--name', 'cluster'])).trim().split('\n').pop()!;
        writeFileSync(join(dir, 'admin.token'), token + '\n', { mode: 0o600 });
      },
    });
    if (stopping) return;
    const t = topo;
    site = await startSimulatedSite({ cameras: 3, width: 640, height: 360, fps: 10 });
    const enrollOut = await t.cli(['token', 'create', '--site', SITE, '--ttl', '1h', '--json']);
    const { token } = JSON.parse(enrollOut.trim().split('\n').pop()!) as { token: string };
    const agentData = join(dir, 'agent');
    mkdirSync(agentData, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, [AGENT_BIN, 'enroll', '--aggregator', t.httpUrl, '--token-env', 'CLUSTER_ENROLL_TOKEN', '--data', agentData], {
        env: { ...process.env, CLUSTER_ENROLL_TOKEN: token, CAMFLEET_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`agent enroll failed:\n${out}`))));
    });
    const agentConfig = join(dir, 'agent.json');
    writeFileSync(
      agentConfig,
      JSON.stringify(
        {
          dataDir: agentData,
          aggregator: { mqttUrl: t.mqttUrl },
          heartbeatSeconds: 5,
          keepaliveSeconds: 10,
          cameras: site.cameras.map((c) => ({ id: c.id, name: c.name, onvifUrl: c.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'DEMO_CAMERA_PASSWORD' } })),
        },
        null,
        2,
      ),
    );
    agent = spawn(process.execPath, [AGENT_BIN, 'run', '--config', agentConfig], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CAMFLEET_LOG_LEVEL: process.env.CAMFLEET_LOG_LEVEL ?? 'warn', DEMO_CAMERA_PASSWORD: DEFAULT_SIM_CREDENTIALS.password },
    });
    agent.on('exit', (code, signal) => {
      if (!stopping) console.error(`agent exited (${signal ?? `code ${code}`}); the centre marks it offline (its last will)`);
    });
    const users = seeded
      .split('\n')
      .filter((l) => l.trim().startsWith('user '))
      .map((l) => l.trim().replace(/^user /, ''));
    console.log(`
camfleet cluster is running (all on 127.0.0.1)
  dashboard (via haproxy) : ${t.httpUrl}/
  API (via haproxy)       : ${t.httpUrl}/api/v1   readiness: ${t.httpUrl}/readyz
  admin API token         : .cluster/admin.token   e.g.  curl -H "Authorization: Bearer $(cat .cluster/admin.token)" ${t.httpUrl}/api/v1/fleet
  aggregator instances    : ${t.instances.map((i) => `http://127.0.0.1:${i.httpPort}`).join(', ')}
  MQTT (via haproxy)      : ${t.mqttUrl}
  RabbitMQ nodes (MQTT)   : ${t.rabbit.mqttUrls.join(', ')}
  RabbitMQ management     : ${t.rabbit.mgmtUrls[0]}  (user ${t.rabbit.user}, password ${t.rabbit.password})
  S3 (s3rver)             : ${t.s3.endpoint}  bucket ${t.s3.bucket}
  demo logins             : password ${demoPassword} for every demo user:
    ${users.join('\n    ')}
  live site               : ${SITE}, 3 simulated ONVIF cameras, enrolled through the balancer
Press Ctrl-C to stop.`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
}

void main();
