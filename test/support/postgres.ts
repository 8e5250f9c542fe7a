/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, `pg_ctl start` on
 * a free loopback port (unix socket inside the same directory, so nothing touches
 * /var/run/postgresql), trust authentication, fsync off. One cluster per test file: start it once,
 * hand each test its own database with `createDatabase()`, and `stop()` it at the end (it also
 * stops when the test process exits, so a failed test leaves no postgres running).
 *
 * PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user that
 * Debian's `postgresql` package creates (the directory is chowned to it); otherwise as the
 * current user. Binaries: Debian's /usr/lib/postgresql/<major>/bin (newest installed), or
 * CAMFLEET_PG_BIN.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';

export interface PgCluster {
  /** Superuser URL of the `postgres` database (TCP on 127.0.0.1). */
  url: string;
  port: number;
  dir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server but keeps its data (for tests of an engine going down); `start()` brings it back. */
  pause(): void;
  start(): void;
}

/** The directory holding initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  if (process.env.CAMFLEET_PG_BIN) return process.env.CAMFLEET_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

let dbCounter = 0;

export async function startPostgres(opts: { prefix?: string } = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (scripts/setup.sh does it as root)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), opts.prefix ?? 'camfleet-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (pw.status !== 0) throw new Error('running as root needs the `postgres` user (created by Debian\'s postgresql package)');
    const uid = Number(pw.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' }) : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const pause = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  try {
    start();
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      pause();
    } catch {
      // Already down (a test paused it): nothing to stop.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test that throws before stop() must not leave a server behind.
  process.once('exit', stopSync);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    async createDatabase(name) {
      const db = name ?? `t${process.pid}_${++dbCounter}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${db.replace(/"/g, '')}" TEMPLATE template0`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    async stop() {
      stopSync();
      process.removeListener('exit', stopSync);
    },
    pause,
    start,
  };
}

/** For scripts that want a cluster only when PostgreSQL is installed. */
export function postgresInstalled(): boolean {
  return !!postgresBinDir() && (process.getuid?.() !== 0 || execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '');
}
