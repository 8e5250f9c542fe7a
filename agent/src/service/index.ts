/** Installing the agent as a systemd service: see README.md in this folder. */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { credentialsPath, loadAgentConfig } from '../config.ts';
import { runtimeLayout } from '../runtime/paths.ts';
import { validUserName, type ServiceSpec } from './unit.ts';

export * from './unit.ts';
export * from './plan.ts';
export * from './apply.ts';

/** The command systemd runs: this very executable (binary), or node + the dev launcher (source). */
export function defaultExec(): string[] {
  const layout = runtimeLayout();
  return layout.kind === 'binary' ? [process.execPath] : [process.execPath, join(layout.root, 'agent', 'bin', 'camfleet-agent.js')];
}

/** Builds the service description from the agent's config file; refuses what would break as a service. */
export function serviceSpecFromConfig(configFile: string, o: { user: string; exec?: string[] }): ServiceSpec {
  const file = resolve(configFile);
  if (!existsSync(file)) throw new Error(`config file ${file} does not exist`);
  if (!validUserName(o.user)) throw new Error(`'${o.user}' is not a valid system user name`);
  const config = loadAgentConfig(file);
  // systemd starts the service in /, so a relative path would mean something else there.
  if (!isAbsolute(config.dataDir)) throw new Error(`dataDir '${config.dataDir}' in ${file} must be an absolute path for a service (e.g. /var/lib/camfleet)`);
  const creds = credentialsPath(config);
  if (!isAbsolute(creds)) throw new Error(`credentialsFile '${creds}' in ${file} must be an absolute path for a service`);
  return { exec: o.exec ?? defaultExec(), configFile: file, dataDir: config.dataDir, credentialsFile: creds, user: o.user };
}

/** Paths the unit's hardening hides from the service (ProtectHome=, PrivateTmp=): warn about them. */
export function hiddenPathWarnings(spec: ServiceSpec): string[] {
  const hidden = /^\/(home|root|run\/user|tmp|var\/tmp)(\/|$)/;
  return (
    [
      ['config file', spec.configFile],
      ['data directory', spec.dataDir],
      ['credentials file', spec.credentialsFile],
    ] as const
  )
    .filter(([, p]) => hidden.test(p))
    .map(([what, p]) => `warning: the ${what} ${p} is hidden from the service (ProtectHome/PrivateTmp): use /etc/camfleet and /var/lib/camfleet`);
}

/** A live install needs root and a running systemd (sd_booted: /run/systemd/system exists). */
export function liveSystemProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'run as root (sudo) to install a service';
  if (!existsSync('/run/systemd/system')) return 'systemd is not running on this system; use --root <dir> to write the files for an image instead';
  return undefined;
}
