/**
 * Typed configuration: one YAML or JSON file per component, validated with zod at load and
 * overridable by environment variables.
 *
 * Environment overrides: `CAMFLEET_<PATH>` (for keys the component's schema has) where nested keys are joined by a double underscore
 * and each key is written in upper snake case: `CAMFLEET_HTTP__PORT=8081` sets `http.port`,
 * `CAMFLEET_DATA_DIR=/var/lib/x` sets `dataDir`. Values are parsed as JSON when they parse
 * (numbers, booleans, arrays), otherwise taken as strings.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const ENV_PREFIX = 'CAMFLEET_';

function snakeToCamel(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Applies `CAMFLEET_*` variables onto a plain config object (returns a new object). */
export function applyEnvOverrides(
  base: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  ignore: readonly string[] = [],
  topLevelKeys?: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || ignore.includes(name)) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(snakeToCamel);
    // Other CAMFLEET_* variables (another component's settings, tools' knobs) are not ours.
    if (topLevelKeys && !topLevelKeys.has(path[0]!)) continue;
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = parseEnvValue(value);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const key = issue.path.length ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (issue.path.length ? `${key}.${k}` : k)).join(', ');
    return `${source}: unknown key ${keys}`;
  }
  return `${source}: key '${key}': ${issue.message}`;
}

/** Validates `raw` with `schema`, throwing a ConfigError that names each bad key. */
export function validateConfig<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    `invalid configuration\n` + result.error.issues.map((i) => '  ' + describeIssue(i, source)).join('\n'),
  );
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping of keys to values`);
  }
  return parsed as Record<string, unknown>;
}

/** The keys an object schema knows, so that only variables meant for this component apply. */
function topLevelKeys(schema: z.ZodType): Set<string> | undefined {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape && typeof shape === 'object' ? new Set(Object.keys(shape)) : undefined;
}

/**
 * Loads a component's configuration: file (optional), then `CAMFLEET_*` overrides, then schema
 * validation with defaults. Schemas should be strict so that a misspelt key is refused.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown>; ignoreEnv?: string[] } = {},
): z.infer<S> {
  const fromFile = options.file ? readConfigFile(options.file) : {};
  const merged = { ...applyEnvOverrides(fromFile, options.env ?? process.env, options.ignoreEnv, topLevelKeys(schema)), ...options.overrides };
  return validateConfig(schema, merged, options.file ?? 'configuration');
}
