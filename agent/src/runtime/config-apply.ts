/**
 * The `config.apply` command: the centre changes part of a running agent's configuration. The
 * patch is merged into the agent's config file, the result validated with the same schema as at
 * start, and only then written (atomically, the previous file kept as `.bak`); the agent then
 * restarts its runtime with it. Keys that decide where the agent keeps its secrets and whom it
 * talks to are not changeable remotely: a compromised centre account must not be able to point
 * an agent elsewhere or move its data.
 */
import { copyFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { readConfigFile, validateConfig } from '@camfleet/shared';
import { AgentConfigSchema, type AgentConfig } from '../config.ts';

export const REMOTE_KEYS = ['heartbeatSeconds', 'probeIntervalMinutes', 'keepaliveSeconds', 'cameras', 'detection', 'recording', 'uplink', 'log'] as const;

export class ConfigPatchError extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and values replace; `null` removes a key. */
export function mergePatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergePatch(out[key] as Record<string, unknown>, value);
    else out[key] = value;
  }
  return out;
}

/** The new file content and the validated config, or a ConfigPatchError naming what is wrong. */
export function applyPatch(current: Record<string, unknown>, patch: unknown, source: string): { content: Record<string, unknown>; config: AgentConfig } {
  if (!isPlainObject(patch)) throw new ConfigPatchError('the patch must be an object of settings');
  const refused = Object.keys(patch).filter((k) => !(REMOTE_KEYS as readonly string[]).includes(k));
  if (refused.length) throw new ConfigPatchError(`not changeable remotely: ${refused.join(', ')}`);
  const content = mergePatch(current, patch);
  try {
    return { content, config: validateConfig(AgentConfigSchema, content, source) };
  } catch (err) {
    throw new ConfigPatchError((err as Error).message);
  }
}

/** Validates and writes the patched config file; returns the keys changed. */
export function applyPatchToFile(file: string, patch: unknown): string[] {
  const current = existsSync(file) ? readConfigFile(file) : {};
  const { content } = applyPatch(current, patch, `${file} + patch`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n', { mode: 0o640 });
  if (existsSync(file)) copyFileSync(file, `${file}.bak`);
  renameSync(tmp, file);
  return Object.keys(patch as object);
}
