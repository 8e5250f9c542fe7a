/**
 * A throwaway RabbitMQ cluster for tests and `npm run cluster`: N nodes of Debian's
 * rabbitmq-server on one machine, each in its own directory under a temp dir, on free loopback
 * ports, with a private epmd (ERL_EPMD_PORT) so nothing is shared with a system RabbitMQ, and
 * stopped (then epmd killed) by `stop()`, leaving nothing running.
 *
 * Each node enables MQTT, management (for closing a revoked agent's connection) and the HTTP
 * auth backend (agents are authenticated and authorised by the aggregator); the aggregator's own
 * AMQP user lives in the internal database, tried first.
 */
import { mkdirSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { freePort } from './ports.ts';
import { startChild, runToEnd, type Child } from './processes.ts';

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';

export interface RabbitNode {
  name: string;
  amqpPort: number;
  mqttPort: number;
  mgmtPort: number;
  distPort: number;
  child?: Child;
  dir: string;
}

export interface RabbitClusterOptions {
  dir: string;
  nodes?: number;
  /** Base URL of the aggregator's auth backend, e.g. http://127.0.0.1:9000/internal/rabbitmq/<secret>. */
  authBackendUrl: string;
  /** The aggregator's AMQP user (internal database). */
  user?: string;
  password?: string;
  log?: (line: string) => void;
}

export interface RabbitCluster {
  nodes: RabbitNode[];
  user: string;
  password: string;
  amqpUrls: string[];
  mqttUrls: string[];
  mgmtUrls: string[];
  /** Kills one node with SIGKILL (no clean shutdown). */
  killNode(i: number): Promise<void>;
  /** Starts a stopped or killed node again (it rejoins the cluster from its own data dir). */
  startNode(i: number): Promise<void>;
  ctl(i: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export function rabbitmqInstalled(): boolean {
  return existsSync(join(RABBIT_BIN, 'rabbitmq-server'));
}

export async function startRabbitCluster(opts: RabbitClusterOptions): Promise<RabbitCluster> {
  if (!rabbitmqInstalled()) throw new Error('rabbitmq-server is not installed: apt-get install -y rabbitmq-server (scripts/setup.sh does it as root)');
  const count = opts.nodes ?? 3;
  const user = opts.user ?? 'camfleet';
  const password = opts.password ?? randomBytes(12).toString('hex');
  const log = opts.log ?? (() => {});
  const home = join(opts.dir, 'home');
  mkdirSync(home, { recursive: true });
  // The Erlang cookie: nodes and rabbitmqctl find it in $HOME; it must be private to the owner.
  const cookieFile = join(home, '.erlang.cookie');
  writeFileSync(cookieFile, randomBytes(16).toString('hex'));
  chmodSync(cookieFile, 0o400);
  const epmdPort = await freePort();
  // The nodes are reaped by processes.ts when this process exits; their private epmd is a daemon
  // outside our process group, so it is asked to go here too (also after a failed test).
  process.once('exit', () => {
    spawnSync('epmd', ['-port', String(epmdPort), '-kill'], { env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) }, stdio: 'ignore', timeout: 5000 });
  });
  const host = hostname().split('.')[0]!;
  const suffix = randomBytes(3).toString('hex');

  const nodes: RabbitNode[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(opts.dir, `node${i}`);
    mkdirSync(dir, { recursive: true });
    nodes.push({
      name: `cf${suffix}n${i}@${host}`,
      amqpPort: await freePort(),
      mqttPort: await freePort(),
      mgmtPort: await freePort(),
      distPort: await freePort(),
      dir,
    });
  }
  const base = opts.authBackendUrl.replace(/\/$/, '');
  const env = (n: RabbitNode): NodeJS.ProcessEnv => ({
    ...process.env,
    HOME: home,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: n.name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(n.amqpPort),
    RABBITMQ_DIST_PORT: String(n.distPort),
    RABBITMQ_MNESIA_BASE: join(n.dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(n.dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(n.dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(n.dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(n.dir, 'rabbit.pid'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(n.dir, 'advanced.config'),
    // Small machines: fewer schedulers keep idle CPU of 3 nodes on 2 cores low.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+S 2:2 +sbwt none +sbwtdcpu none +sbwtdio none',
    RABBITMQ_LOGS: join(n.dir, 'log', 'rabbit.log'),
  });
  for (const n of nodes) {
    writeFileSync(join(n.dir, 'enabled_plugins'), '[rabbitmq_mqtt,rabbitmq_management,rabbitmq_auth_backend_http].\n');
    writeFileSync(join(n.dir, 'advanced.config'), '[].\n');
    writeFileSync(join(n.dir, 'rabbitmq.conf'), rabbitConf(n, base));
  }

  const startOne = async (n: RabbitNode) => {
    n.child = startChild(join(RABBIT_BIN, 'rabbitmq-server'), [], { env: env(n), cwd: n.dir });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await runToEnd(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', n.name, 'await_startup', '--timeout', '20'], { env: env(n) });
      if (r.code === 0) break;
      if (n.child.proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`rabbitmq node ${n.name} did not start: ${r.stderr.slice(-500)}\n${n.child.output().slice(-2000)}`);
      }
      await new Promise((r2) => setTimeout(r2, 500));
    }
    log(`rabbitmq ${n.name} up (amqp ${n.amqpPort}, mqtt ${n.mqttPort}, mgmt ${n.mgmtPort})`);
  };
  const ctl = (i: number, args: string[]) => runToEnd(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', nodes[i]!.name, ...args], { env: env(nodes[i]!) });
  const must = async (i: number, args: string[]) => {
    const r = await ctl(i, args);
    if (r.code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')}: ${r.stderr || r.stdout}`);
  };

  const cluster: RabbitCluster = {
    nodes,
    user,
    password,
    amqpUrls: nodes.map((n) => `amqp://${user}:${password}@127.0.0.1:${n.amqpPort}`),
    mqttUrls: nodes.map((n) => `mqtt://127.0.0.1:${n.mqttPort}`),
    mgmtUrls: nodes.map((n) => `http://127.0.0.1:${n.mgmtPort}`),
    ctl,
    async killNode(i) {
      const n = nodes[i]!;
      n.child?.kill('SIGKILL');
      await n.child?.exited;
      n.child = undefined;
    },
    async startNode(i) {
      await startOne(nodes[i]!);
    },
    async stop() {
      await Promise.all(
        nodes.map(async (n, i) => {
          if (!n.child) return;
          await ctl(i, ['stop']).catch(() => {});
          const done = await Promise.race([n.child.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
          if (!done) n.child.kill('SIGKILL');
          await n.child.exited;
          n.child = undefined;
        }),
      );
      // The private epmd outlives the nodes; ask it to go.
      await runToEnd('epmd', ['-port', String(epmdPort), '-kill'], { env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) } }).catch(() => {});
    },
  };

  try {
    // The first node alone, then the others join it (join_cluster needs the app stopped).
    await startOne(nodes[0]!);
    await must(0, ['add_user', user, password]);
    await must(0, ['set_user_tags', user, 'administrator']);
    await must(0, ['set_permissions', '-p', '/', user, '.*', '.*', '.*']);
    await must(0, ['set_topic_permissions', '-p', '/', user, 'amq.topic', '.*', '.*']);
    await Promise.all(nodes.slice(1).map((n) => startOne(n)));
    for (let i = 1; i < count; i++) {
      await must(i, ['stop_app']);
      await must(i, ['join_cluster', nodes[0]!.name]);
      await must(i, ['start_app']);
    }
    log(`rabbitmq cluster of ${count} nodes ready`);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function rabbitConf(n: RabbitNode, authBase: string): string {
  return [
    `listeners.tcp.default = 127.0.0.1:${n.amqpPort}`,
    `mqtt.listeners.tcp.default = 127.0.0.1:${n.mqttPort}`,
    `management.tcp.port = ${n.mgmtPort}`,
    `management.tcp.ip = 127.0.0.1`,
    // Agents are not in the internal database: the internal backend refuses them and the HTTP
    // backend (the aggregator) decides. The aggregator's AMQP user is internal.
    `auth_backends.1 = internal`,
    `auth_backends.2 = http`,
    `auth_http.http_method = post`,
    `auth_http.user_path = ${authBase}/user`,
    `auth_http.vhost_path = ${authBase}/vhost`,
    `auth_http.resource_path = ${authBase}/resource`,
    `auth_http.topic_path = ${authBase}/topic`,
    // MQTT clients need no vhost in their username; anonymous MQTT is off.
    `mqtt.allow_anonymous = false`,
    `mqtt.vhost = /`,
    `mqtt.exchange = amq.topic`,
    `loopback_users = none`,
    // Tests fill small disks; the default 50 MB free-space alarm is what we want to keep.
    `log.console = false`,
    `log.file.level = warning`,
    // A killed node's peers notice within a few seconds.
    `cluster_partition_handling = pause_minority`,
    '',
  ].join('\n');
}
