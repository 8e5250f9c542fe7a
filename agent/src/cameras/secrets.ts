/**
 * Camera passwords resolved for use: keystore references read from the box's keystore, env,
 * file and inline values as before. Resolved cameras live in memory only, are handed to ffmpeg,
 * ONVIF and HTTP clients, and never logged or sent (pino censors password fields anyway).
 */
import { resolveSecret, type Logger } from '@camfleet/shared';
import type { CameraConfig } from '../config.ts';
import type { Keystore } from '../keystore/keystore.ts';

export type ResolvedCamera = Omit<CameraConfig, 'password'> & { password?: { value: string } };

/** The camera with its password as `{ value }`; without one when it cannot be read (logged by name). */
export function resolveCamera(c: CameraConfig, keystore: Pick<Keystore, 'get'>, logger?: Logger, env: NodeJS.ProcessEnv = process.env): ResolvedCamera {
  if (!c.password) return c as ResolvedCamera;
  try {
    const value = 'keystore' in c.password ? keystore.get(c.password.keystore) : resolveSecret(c.password, env);
    return { ...c, password: { value } };
  } catch (err) {
    // The message names the reference (variable, file, keystore name), never a value.
    logger?.warn({ camera: c.id, err: (err as Error).message }, 'camera password unavailable; trying without it');
    const { password: _password, ...rest } = c;
    return rest as ResolvedCamera;
  }
}

/** The plain password of a resolved camera. */
export function plainPassword(c: CameraConfig): string | undefined {
  if (!c.password) return undefined;
  if ('value' in c.password) return c.password.value;
  throw new Error(`camera ${c.id}: password not resolved`);
}
