/**
 * The clustered centre on one machine, for `npm run cluster` and test/cluster/: a RabbitMQ
 * cluster (MQTT plugin, quorum ingest queue), an S3-compatible server (s3rver), N aggregator
 * instances (`camfleet-aggregator run`, broker.engine rabbitmq, blobs.engine s3) and haproxy in
 * front of the instances (API, dashboard, RabbitMQ's auth backend calls) and of the broker nodes'
 * MQTT listeners.
 *
 * The relational store: the instances share one SQLite file in WAL mode (possible because they
 * run on one machine) until the PostgreSQL engine is wired into server.ts by the storage work;
 * then `storage` in each instance's config points at PostgreSQL and nothing else here changes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRabbitCluster, type RabbitCluster } from '../../test/support/rabbitmq.ts';
import { startS3Server, type S3Server } from '../../test/support/s3.ts';
import { startHaproxy } from '../../test/support/haproxy.ts';
import { freePort } from '../../test/support/ports.ts';
import { startChild, runToEnd, type Child, AGGREGATOR_BIN } from '../../test/support/processes.ts';

export interface AggregatorInstance {
  index: number;
  httpPort: number;
  authPort: number;
  configFile: string;
  child?: Child;
}

export interface Topology {
  dir: string;
  dataDir: string;
  rabbit: RabbitCluster;
  s3: S3Server;
  instances: AggregatorInstance[];
  haproxy: Child;
  /** Through the balancer. */
  httpUrl: string;
  mqttUrl: string;
  env: NodeJS.ProcessEnv;
  startInstance(i: number): Promise<void>;
  /** kill -9 of one instance. */
  killInstance(i: number): Promise<void>;
  /** Runs the aggregator CLI against the shared data (seed, token create, user token...). */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<string>;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  dir: string;
  instances?: number;
  rabbitNodes?: number;
  /** Runs before the instances start (e.g. seed), with the CLI bound to the shared data. */
  prepare?(cli: Topology['cli']): Promise<void>;
  log?: (line: string) => void;
  httpPort?: number;
  mqttPort?: number;
}

export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  const log = opts.log ?? (() => {});
  const dir = opts.dir;
  const dataDir = join(dir, 'aggregator-data');
  mkdirSync(dataDir, { recursive: true });
  const authSecret = randomBytes(24).toString('hex');
  const httpPort = opts.httpPort || (await freePort());
  const mqttPort = opts.mqttPort || (await freePort());
  const authPort = await freePort();
  const n = opts.instances ?? 2;
  const instances: AggregatorInstance[] = [];
  for (let i = 0; i < n; i++) instances.push({ index: i, httpPort: await freePort(), authPort: await freePort(), configFile: join(dir, `aggregator-${i}.json`) });

  let rabbit: RabbitCluster | undefined;
  let s3: S3Server | undefined;
  let haproxy: Child | undefined;
  const stopAll = async () => {
    await Promise.all(
      instances.map(async (inst) => {
        inst.child?.kill('SIGTERM');
        const done = await Promise.race([inst.child?.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!done) inst.child?.kill('SIGKILL');
        await inst.child?.exited;
      }),
    );
    haproxy?.kill('SIGTERM');
    await haproxy?.exited;
    await s3?.close().catch(() => {});
    await rabbit?.stop();
  };

  try {
    // The broker nodes call the auth backend through the balancer, so any live instance answers.
    rabbit = await startRabbitCluster({
      dir: join(dir, 'rabbitmq'),
      nodes: opts.rabbitNodes ?? 3,
      authBackendUrl: `http://127.0.0.1:${authPort}/internal/rabbitmq/${authSecret}`,
      log,
    });
    s3 = await startS3Server(join(dir, 's3'), 'camfleet-clips');
    log(`s3 (s3rver) on ${s3.endpoint}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CAMFLEET_RABBITMQ_PASSWORD: rabbit.password,
      CAMFLEET_RABBITMQ_AUTH_SECRET: authSecret,
      CAMFLEET_S3_SECRET: s3.secretAccessKey,
      CAMFLEET_LOG_LEVEL: process.env.CAMFLEET_LOG_LEVEL ?? 'warn',
    };
    for (const inst of instances) {
      writeFileSync(
        inst.configFile,
        JSON.stringify(
          {
            dataDir,
            // No embedded broker runs with broker.engine rabbitmq; this port stays closed.
            mqtt: { host: '127.0.0.1', port: 0 },
            http: { host: '127.0.0.1', port: inst.httpPort },
            broker: {
              engine: 'rabbitmq',
              amqpUrls: rabbit.nodes.map((nd) => `amqp://${rabbit!.user}@127.0.0.1:${nd.amqpPort}`),
              password: { env: 'CAMFLEET_RABBITMQ_PASSWORD' },
              managementUrls: rabbit.mgmtUrls,
              publicMqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
              authBackend: { host: '127.0.0.1', port: inst.authPort, secret: { env: 'CAMFLEET_RABBITMQ_AUTH_SECRET' } },
            },
            blobs: { engine: 's3', endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: { env: 'CAMFLEET_S3_SECRET' }, createBucket: true },
            log: { level: 'warn' },
          },
          null,
          2,
        ),
      );
    }
    const cli: Topology['cli'] = async (args, extra = {}) => {
      const r = await runToEnd(process.execPath, [AGGREGATOR_BIN, ...args, '--config', instances[0]!.configFile], { env: { ...env, ...extra } });
      if (r.code !== 0) throw new Error(`camfleet-aggregator ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
      return r.stdout;
    };
    await opts.prepare?.(cli);

    const startInstance = async (i: number) => {
      const inst = instances[i]!;
      inst.child = startChild(process.execPath, [AGGREGATOR_BIN, 'run', '--config', inst.configFile], { env });
      const deadline = Date.now() + 120_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${inst.httpPort}/readyz`).then((r) => r.ok, () => false);
        if (ok) break;
        if (inst.child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`aggregator ${i} did not become ready:\n${inst.child.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      log(`aggregator ${i} ready on 127.0.0.1:${inst.httpPort} (auth backend ${inst.authPort})`);
    };
    // One at a time: the first applies the database migrations alone.
    for (let i = 0; i < n; i++) await startInstance(i);

    haproxy = startHaproxy({
      dir,
      httpPort,
      api: instances.map((x) => x.httpPort),
      authPort,
      auth: instances.map((x) => x.authPort),
      mqttPort,
      mqtt: rabbit.nodes.map((x) => x.mqttPort),
    });
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${httpUrl}/readyz`).then((r) => r.ok, () => false))) {
      if (haproxy.proc.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy did not come up:\n${haproxy.output()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    log(`haproxy: API ${httpUrl}, MQTT mqtt://127.0.0.1:${mqttPort}`);

    return {
      dir,
      dataDir,
      rabbit,
      s3,
      instances,
      haproxy,
      httpUrl,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      env,
      startInstance,
      async killInstance(i) {
        const inst = instances[i]!;
        inst.child?.kill('SIGKILL');
        await inst.child?.exited;
        inst.child = undefined;
      },
      cli,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
