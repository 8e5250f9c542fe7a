/**
 * The running agent as a list of components, each with `start`, `stop` and (when it can take a
 * new configuration in place) `reload`: assembled in one place (agent.ts), started in order,
 * stopped in reverse, like mediamtx's core. A component that cannot apply a change says so, and
 * the whole runtime is restarted instead.
 */
import type { Logger } from '@camfleet/shared';
import type { AgentConfig } from '../config.ts';

export interface Component {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  /** Applies `next` (the previous configuration is `prev`); returns false when only a restart can apply it. */
  reload?(next: AgentConfig, prev: AgentConfig): Promise<boolean | void> | boolean | void;
}

/** Starts each in order; on a failure, stops those already started (in reverse) and throws. */
export async function startComponents(components: readonly Component[], logger: Logger): Promise<void> {
  const started: Component[] = [];
  try {
    for (const c of components) {
      await c.start();
      started.push(c);
    }
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'runtime start failed; stopping what was started');
    await stopComponents(started, logger);
    throw err;
  }
}

/** Stops each in reverse order; a failing stop is logged and the others still stop. */
export async function stopComponents(components: readonly Component[], logger: Logger): Promise<void> {
  for (const c of [...components].reverse()) {
    try {
      await c.stop();
    } catch (err) {
      logger.warn({ component: c.name, err: (err as Error).message }, 'component stop failed');
    }
  }
}

/** Reloads each in order; false as soon as one needs a restart (the rest are not asked). */
export async function reloadComponents(components: readonly Component[], next: AgentConfig, prev: AgentConfig): Promise<boolean> {
  for (const c of components) {
    if (!c.reload) continue;
    if ((await c.reload(next, prev)) === false) return false;
  }
  return true;
}

/** Keys of the configuration only a restart of the whole runtime applies (identity, paths, uplink, logging). */
export const RESTART_KEYS = ['dataDir', 'credentialsFile', 'keystoreFile', 'aggregator', 'uplink', 'keepaliveSeconds', 'log'] as const;

export function needsRestart(next: AgentConfig, prev: AgentConfig): string[] {
  return RESTART_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(prev[k]));
}

/**
 * Keeps a set of per-camera workers in line with the wanted specs: removes those gone or
 * changed, adds those new or changed, leaves the rest running. `spec` is compared as a string.
 */
export async function syncWorkers<T>(
  running: Map<string, string>,
  wanted: ReadonlyMap<string, { spec: string; value: T }>,
  ops: { add(id: string, value: T): void | Promise<void>; remove(id: string): void | Promise<unknown> },
): Promise<{ added: string[]; removed: string[] }> {
  const added: string[] = [];
  const removed: string[] = [];
  for (const [id, spec] of [...running]) {
    if (wanted.get(id)?.spec === spec) continue;
    await ops.remove(id);
    running.delete(id);
    removed.push(id);
  }
  for (const [id, w] of wanted) {
    if (running.has(id)) continue;
    await ops.add(id, w.value);
    running.set(id, w.spec);
    added.push(id);
  }
  return { added, removed };
}
