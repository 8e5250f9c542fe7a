/**
 * The settings the centre manages, kept apart from the box's own configuration file: the
 * accumulated `config.apply` patches in `<dataDir>/managed-config.json`, laid over the box's file
 * at every load. The box's file (secrets, paths, uplink, identity) is never written by the agent,
 * so it can stay owned by root and read-only.
 *
 * Patch shape: top-level settings merge key by key (`null` removes a key, arrays replace);
 * `cameras` is a list of entries merged by `id` into the box's cameras: the fields given replace
 * the camera's, `null` removes a field, `{ id, remove: true }` removes the camera, and an unknown
 * id adds one. Pure functions, apart from reading and writing the file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Json = Record<string, unknown>;

/** Top-level settings the centre may manage; everything else belongs to the box. */
export const MANAGED_KEYS = ['heartbeatSeconds', 'probeIntervalMinutes', 'keepaliveSeconds', 'cameras', 'detection', 'recording', 'log'] as const;
/** A camera's fields the centre may set (`remove: true` removes the camera). */
export const CAMERA_FIELDS = ['id', 'name', 'onvifUrl', 'rtspUrl', 'subRtspUrl', 'vendor', 'host', 'channel', 'rtspPort', 'httpPort', 'username', 'password', 'record', 'detect', 'remove'] as const;

/**
 * Why a managed-settings file (or patch) oversteps, or undefined: a key the box owns, a camera
 * field outside CAMERA_FIELDS, or a secret other than a keystore name. Checked again at every
 * load, so a file edited behind the agent's back cannot widen what the centre may change.
 */
export function overlayProblem(overlay: Json): string | undefined {
  const boxKeys = Object.keys(overlay).filter((k) => !(MANAGED_KEYS as readonly string[]).includes(k));
  if (boxKeys.length) return `keys owned by the box: ${boxKeys.join(', ')}`;
  if (overlay.cameras === undefined) return undefined;
  if (!Array.isArray(overlay.cameras)) return 'cameras: a list of camera entries';
  for (const [i, cam] of overlay.cameras.entries()) {
    if (!isPlainObject(cam)) return `cameras[${i}]: must be an object`;
    const fields = Object.keys(cam).filter((k) => !(CAMERA_FIELDS as readonly string[]).includes(k));
    if (fields.length) return `cameras[${i}]: fields the centre may not set: ${fields.join(', ')}`;
    const pw = cam.password;
    if (pw !== undefined && pw !== null && !(isPlainObject(pw) && Object.keys(pw).length === 1 && typeof pw.keystore === 'string')) {
      return `cameras[${i}].password: only { keystore: <name> }`;
    }
  }
  return undefined;
}

export function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Objects merge key by key; arrays and values replace; `null` removes a key. */
export function mergePatch(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergePatch(out[key] as Json, value);
    else out[key] = value;
  }
  return out;
}

/** Camera entries merged by id: see the file comment. Entries without a string id are ignored (validated before). */
export function mergeCameras(base: readonly unknown[], entries: readonly unknown[]): Json[] {
  const out = base.filter(isPlainObject).map((c) => ({ ...c }));
  for (const entry of entries) {
    if (!isPlainObject(entry) || typeof entry.id !== 'string') continue;
    const at = out.findIndex((c) => c.id === entry.id);
    if (entry.remove === true) {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    const { remove: _remove, ...fields } = entry;
    if (at >= 0) out[at] = mergePatch(out[at]!, fields);
    else out.push(mergePatch({}, fields));
  }
  return out;
}

/** The configuration with a patch (or the whole overlay) laid over it. */
export function applyManagedOverlay(base: Json, overlay: Json): Json {
  const { cameras, ...settings } = overlay;
  const out = mergePatch(base, settings);
  if (Array.isArray(cameras)) out.cameras = mergeCameras(Array.isArray(base.cameras) ? base.cameras : [], cameras);
  return out;
}

/** The overlay after one more patch: settings merged, camera entries merged by id (a later remove wins, a later add replaces a remove). */
export function accumulate(overlay: Json, patch: Json): Json {
  const { cameras: oldCameras, ...oldSettings } = overlay;
  const { cameras: newCameras, ...newSettings } = patch;
  const out = mergeKeepingNulls(oldSettings, newSettings);
  const entries = Array.isArray(oldCameras) ? oldCameras.filter(isPlainObject).map((c) => ({ ...c })) : [];
  for (const entry of Array.isArray(newCameras) ? newCameras.filter(isPlainObject) : []) {
    const at = entries.findIndex((c) => c.id === entry.id);
    if (at < 0) entries.push({ ...entry });
    else if (entry.remove === true || entries[at]!.remove === true) entries[at] = { ...entry };
    else entries[at] = { ...entries[at], ...entry };
  }
  if (entries.length) out.cameras = entries;
  return out;
}

/** Like mergePatch, but a `null` is kept: in the overlay it must still remove the box's value at the next load. */
function mergeKeepingNulls(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeKeepingNulls(out[key] as Json, value) : value;
  }
  return out;
}

export function readManagedOverlay(file: string): Json | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`the centre-managed settings ${file} are not valid JSON (${(err as Error).message.slice(0, 80)}); remove the file to run on the box's configuration alone`);
  }
  if (!isPlainObject(parsed)) throw new Error(`the centre-managed settings ${file} must be an object`);
  const problem = overlayProblem(parsed);
  if (problem) throw new Error(`the centre-managed settings ${file} overstep (${problem}); remove the file to run on the box's configuration alone`);
  return parsed;
}

/** Atomic: a temporary file renamed over the old one, which is kept as `.bak`. */
export function writeManagedOverlay(file: string, overlay: Json): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(overlay, null, 2) + '\n', { mode: 0o640 });
  chmodSync(tmp, 0o640);
  if (existsSync(file)) writeFileSync(`${file}.bak`, readFileSync(file), { mode: 0o640 });
  renameSync(tmp, file);
}
