/**
 * The systemd files that make the agent a service, rendered from a few facts. Pure: what is
 * written is decided here, how it is written is in apply.ts.
 */
export const UNIT_NAME = 'camfleet-agent.service';

export interface ServiceSpec {
  /** The command that runs the agent, e.g. ['/opt/camfleet-agent/camfleet-agent']. */
  exec: string[];
  /** Absolute path of the agent's config file. */
  configFile: string;
  /** Absolute data directory (from the config): the only place the service may write. */
  dataDir: string;
  /** Absolute credentials file (from the config). */
  credentialsFile: string;
  /** The dedicated system user (and group) the agent runs as. */
  user: string;
}

/** systemd splits ExecStart on spaces and expands %: quote and escape each word. */
export function systemdWord(word: string): string {
  // A control character (a newline above all) would end the line and inject unit directives.
  if (/[\x00-\x1f\x7f]/.test(word)) throw new Error(`refusing a path with a control character: ${JSON.stringify(word)}`);
  const escaped = word.replaceAll('%', '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A path in a directive that takes a path list (ReadWritePaths=) or a tmpfiles/sysusers field. */
function pathField(path: string): string {
  if (/[\x00-\x1f\x7f\s"'\\%]/.test(path)) throw new Error(`refusing a path with spaces, quotes, % or control characters for a service: ${JSON.stringify(path)}`);
  return path;
}

export function validUserName(user: string): boolean {
  return /^[a-z_][a-z0-9_-]{0,30}$/.test(user);
}

export function renderUnit(s: ServiceSpec): string {
  const execStart = [...s.exec, 'run', '--config', s.configFile].map(systemdWord).join(' ');
  return `# Written by 'camfleet-agent install'; 'camfleet-agent uninstall' removes it.
[Unit]
Description=camfleet site agent (cameras, recording, reporting)
Wants=network-online.target
After=network-online.target time-sync.target

[Service]
Type=simple
User=${s.user}
Group=${s.user}
ExecStart=${execStart}
Restart=on-failure
RestartSec=5s
# Recording ffmpeg children are stopped with the agent.
KillMode=control-group
TimeoutStopSec=30s
UMask=0027

# Least privilege: no capabilities, read-only system, writable data directory only.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ReadWritePaths=${pathField(s.dataDir)}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
# IPv4/IPv6 for cameras and the aggregator, UNIX sockets, netlink to list interfaces for discovery.
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
# Not MemoryDenyWriteExecute: V8's JIT needs writable executable memory.

[Install]
WantedBy=multi-user.target
`;
}

/** sysusers.d: the system user and its group, created now and (if lost) at every boot. */
export function renderSysusers(s: ServiceSpec): string {
  return `# Written by 'camfleet-agent install'.\nu ${s.user} - "camfleet agent" ${pathField(s.dataDir)} /usr/sbin/nologin\n`;
}

/** tmpfiles.d: the data directory owned by the user; credentials owner-only; config readable by the group only. */
export function renderTmpfiles(s: ServiceSpec): string {
  return [
    `# Written by 'camfleet-agent install'.`,
    `d ${pathField(s.dataDir)} 0750 ${s.user} ${s.user} -`,
    `z ${pathField(s.credentialsFile)} 0600 ${s.user} ${s.user} -`,
    `z ${pathField(s.configFile)} 0640 root ${s.user} -`,
    '',
  ].join('\n');
}
