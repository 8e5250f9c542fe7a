/**
 * What the centre may change in an agent's configuration, and what it may not: the policy
 * `config.apply` enforces before anything is written. Pure: the current configuration and the
 * keystore's names in, the validated result (or a RemoteConfigError naming the refusal) out.
 *
 * The box alone owns its secrets, paths, uplink and identity: a centre account (or whoever
 * holds one) must not be able to point the agent elsewhere, read a file or variable through a
 * secret reference, or send a camera's password to a host of its choosing. So a remote patch
 *  - touches only MANAGED_KEYS, and of a camera only CAMERA_FIELDS;
 *  - names secrets only as `{ keystore: <name> }`, and only names the keystore already holds
 *    (never `{ env }`, `{ file }` or `{ value }`: the centre never carries nor chooses a secret);
 *  - never moves a credential to another host: a camera's secret may be used only with the hosts
 *    it is used with today, by the box's own cameras, or (keystore) has ever been bound to; a
 *    keystore secret bound to no host yet may go to one (the box's owner set it for that), and
 *    is bound to it from then on;
 *  - puts no credentials in URLs.
 */
import { validateConfig } from '@camfleet/shared';
import { AgentConfigSchema, type AgentConfig, type CameraConfig } from '../config.ts';
import { CAMERA_ID } from '../cameras/camera-id.ts';
import { accumulate, applyManagedOverlay, CAMERA_FIELDS, isPlainObject, MANAGED_KEYS, type Json } from './managed-config.ts';
import { SECRET_NAME } from '../keystore/keystore.ts';

export { CAMERA_FIELDS, MANAGED_KEYS } from './managed-config.ts';
const URL_FIELDS = { onvifUrl: ['http:', 'https:'], rtspUrl: ['rtsp:', 'rtsps:'], subRtspUrl: ['rtsp:', 'rtsps:'] } as const;

export class RemoteConfigError extends Error {}

export interface DiffEntry {
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface RemoteChange {
  /** The configuration the agent will run with. */
  config: AgentConfig;
  /** What changed, secrets shown by name only. */
  diff: DiffEntry[];
}

/** What the policy needs of the keystore: names, and the hosts each secret is bound to. */
export interface KeystoreView {
  names: ReadonlySet<string>;
  boundHosts(name: string): readonly string[];
}

/**
 * Checks a patch from the centre against the running configuration; throws RemoteConfigError.
 * With `box` (the box's own file) and `overlay` (the centre's settings so far), the result is
 * computed exactly as the next load will compute it (box file + accumulated settings), so a
 * camera the centre removed and re-adds under its id is seen with the secret the box gave it;
 * the box's cameras' secrets stay bound to their hosts.
 */
export function checkRemotePatch(
  current: AgentConfig,
  patch: unknown,
  keystore: KeystoreView | ReadonlySet<string>,
  from: { box?: AgentConfig; overlay?: Json } = {},
): RemoteChange {
  const view: KeystoreView = keystore instanceof Set ? { names: keystore, boundHosts: () => [] } : (keystore as KeystoreView);
  if (!isPlainObject(patch)) throw new RemoteConfigError('the patch must be an object of settings');
  const refused = Object.keys(patch).filter((k) => !(MANAGED_KEYS as readonly string[]).includes(k));
  if (refused.length) throw new RemoteConfigError(`not changeable remotely (owned by the box): ${refused.join(', ')}`);
  if ('cameras' in patch) checkCameraEntries(patch.cameras, view.names);

  const merged = from.box
    ? applyManagedOverlay(from.box as unknown as Json, accumulate(from.overlay ?? {}, patch))
    : applyManagedOverlay(current as unknown as Json, patch);
  let config: AgentConfig;
  try {
    config = validateConfig(AgentConfigSchema, merged, 'configuration + patch');
  } catch (err) {
    throw new RemoteConfigError((err as Error).message);
  }
  checkNoCredentialMoves([...current.cameras, ...(from.box?.cameras ?? [])], config.cameras, view);
  return { config, diff: configDiff(current, config) };
}

function checkCameraEntries(cameras: unknown, keystoreNames: ReadonlySet<string>): void {
  if (!Array.isArray(cameras)) throw new RemoteConfigError('cameras: a list of camera entries, each with its id');
  const seen = new Set<string>();
  cameras.forEach((entry, i) => {
    const at = `cameras[${i}]`;
    if (!isPlainObject(entry)) throw new RemoteConfigError(`${at}: must be an object`);
    if (typeof entry.id !== 'string' || !CAMERA_ID.test(entry.id)) throw new RemoteConfigError(`${at}.id: a camera id (letters, digits, _ and -)`);
    if (seen.has(entry.id)) throw new RemoteConfigError(`${at}: camera '${entry.id}' named twice`);
    seen.add(entry.id);
    const unknown = Object.keys(entry).filter((k) => !(CAMERA_FIELDS as readonly string[]).includes(k));
    if (unknown.length) throw new RemoteConfigError(`${at}: not changeable remotely: ${unknown.join(', ')}`);
    if ('remove' in entry && entry.remove !== true) throw new RemoteConfigError(`${at}.remove: only true`);
    if ('password' in entry && entry.password !== null) checkSecretRef(`${at}.password`, entry.password, keystoreNames);
    for (const [field, protocols] of Object.entries(URL_FIELDS)) {
      const value = entry[field];
      if (value === undefined || value === null) continue;
      let url: URL;
      try {
        url = new URL(String(value));
      } catch {
        throw new RemoteConfigError(`${at}.${field}: not a URL`);
      }
      if (!(protocols as readonly string[]).includes(url.protocol)) throw new RemoteConfigError(`${at}.${field}: ${protocols.join(' or ')} only`);
      if (url.username || url.password) throw new RemoteConfigError(`${at}.${field}: no credentials in URLs (name a keystore secret in password)`);
    }
  });
}

function checkSecretRef(at: string, ref: unknown, keystoreNames: ReadonlySet<string>): void {
  if (!isPlainObject(ref) || Object.keys(ref).length !== 1 || typeof ref.keystore !== 'string') {
    // Name the kind of reference, never echo its content (it may be the secret itself).
    const kind = isPlainObject(ref) ? Object.keys(ref).filter((k) => ['env', 'file', 'value'].includes(k))[0] : undefined;
    throw new RemoteConfigError(
      `${at}: a remote change may name only a secret of the box's keystore ({ keystore: <name> })${kind ? `, never { ${kind} }` : ''}`,
    );
  }
  if (!SECRET_NAME.test(ref.keystore)) throw new RemoteConfigError(`${at}: not a keystore name`);
  if (!keystoreNames.has(ref.keystore)) {
    throw new RemoteConfigError(`${at}: no secret '${ref.keystore}' in this box's keystore (set it on the box: camfleet-agent secret set ${ref.keystore})`);
  }
}

/** The hosts a camera's credential is sent to: those of its ONVIF service and streams. */
export function cameraHosts(c: Pick<CameraConfig, 'onvifUrl' | 'rtspUrl' | 'subRtspUrl' | 'host'>): Set<string> {
  const hosts = new Set<string>();
  if (c.host) hosts.add(c.host.toLowerCase().replace(/^\[|\]$/g, ''));
  for (const u of [c.onvifUrl, c.rtspUrl, c.subRtspUrl]) {
    if (!u) continue;
    try {
      hosts.add(new URL(u).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
    } catch {
      hosts.add(u);
    }
  }
  return hosts;
}

/** The hosts of each keystore secret the configuration uses (to bind them in the keystore). */
export function keystoreHosts(cameras: readonly CameraConfig[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of cameras) {
    if (!c.password || !('keystore' in c.password)) continue;
    out.set(c.password.keystore, [...new Set([...(out.get(c.password.keystore) ?? []), ...cameraHosts(c)])]);
  }
  return out;
}

/** One string per secret reference: two cameras with equal keys share a secret. */
export function secretKey(ref: CameraConfig['password']): string | undefined {
  if (!ref) return undefined;
  if ('keystore' in ref) return `keystore:${ref.keystore}`;
  if ('env' in ref) return `env:${ref.env}`;
  if ('file' in ref) return `file:${ref.file}`;
  // Inline values are compared by value: the same password typed twice is the same secret.
  return `value:${ref.value}`;
}

function checkNoCredentialMoves(before: readonly CameraConfig[], after: readonly CameraConfig[], keystore: KeystoreView): void {
  const allowed = new Map<string, Set<string>>();
  for (const name of keystore.names) {
    const bound = keystore.boundHosts(name);
    if (bound.length) allowed.set(`keystore:${name}`, new Set(bound));
  }
  for (const c of before) {
    const key = secretKey(c.password);
    if (!key) continue;
    const set = allowed.get(key) ?? new Set<string>();
    for (const h of cameraHosts(c)) set.add(h);
    allowed.set(key, set);
  }
  for (const c of after) {
    const key = secretKey(c.password);
    const hosts = key ? allowed.get(key) : undefined;
    if (!hosts) continue; // no secret, or a keystore secret not bound to any host yet
    const elsewhere = [...cameraHosts(c)].filter((h) => !hosts.has(h));
    if (elsewhere.length) {
      throw new RemoteConfigError(
        `camera '${c.id}': its credential is used with ${[...hosts].join(', ')} and may not be sent to ${elsewhere.join(', ')}; ` +
          'set a new secret on the box (camfleet-agent secret set <name>) and name it in password',
      );
    }
  }
}

/** Centre-managed settings that differ, as paths; camera entries by id; secrets by name only. */
export function configDiff(before: AgentConfig, after: AgentConfig): DiffEntry[] {
  const out: DiffEntry[] = [];
  for (const key of MANAGED_KEYS) {
    if (key === 'cameras') continue;
    diffValues(key, (before as unknown as Json)[key], (after as unknown as Json)[key], out);
  }
  const ids = [...new Set([...before.cameras.map((c) => c.id), ...after.cameras.map((c) => c.id)])];
  for (const id of ids) {
    const b = before.cameras.find((c) => c.id === id);
    const a = after.cameras.find((c) => c.id === id);
    if (!a) out.push({ path: `cameras.${id}`, from: 'present', to: 'removed' });
    else if (!b) out.push({ path: `cameras.${id}`, from: 'absent', to: redactCamera(a) });
    else diffValues(`cameras.${id}`, redactCamera(b), redactCamera(a), out);
  }
  return out;
}

function diffValues(path: string, a: unknown, b: unknown, out: DiffEntry[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffValues(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ path, ...(a === undefined ? {} : { from: a }), ...(b === undefined ? {} : { to: b }) });
}

/** A camera as it may appear in a diff, a log or an audit entry: its secret by name, URLs without credentials. */
export function redactCamera(c: CameraConfig): Json {
  const out: Json = { ...c };
  if (c.password) out.password = 'keystore' in c.password ? { keystore: c.password.keystore } : 'env' in c.password ? { env: c.password.env } : 'file' in c.password ? { file: '[path]' } : '[secret]';
  for (const f of ['onvifUrl', 'rtspUrl', 'subRtspUrl'] as const) {
    const u = c[f];
    if (!u) continue;
    try {
      const url = new URL(u);
      url.username = '';
      url.password = '';
      out[f] = url.toString();
    } catch {
      out[f] = '[invalid url]';
    }
  }
  return out;
}
