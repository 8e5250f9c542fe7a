/**
 * The `config.apply` command's effect on disk: the centre's patch, once the policy accepts it
 * (remote-config.ts), is added to the centre-managed settings file (managed-config.ts); the
 * box's own configuration file is never touched. The caller then reloads the runtime.
 */
import { isPlainObject, accumulate, readManagedOverlay, writeManagedOverlay } from './managed-config.ts';
import { checkRemotePatch, keystoreHosts, type KeystoreView, type RemoteChange } from './remote-config.ts';
import type { AgentConfig } from '../config.ts';

export { RemoteConfigError as ConfigPatchError } from './remote-config.ts';

/**
 * Checks the patch against the running configuration and the keystore's names, then writes the
 * managed settings (atomically, the previous file kept as `.bak`). Nothing is written when the
 * patch is refused.
 */
export function applyRemotePatch(
  managedFile: string,
  current: AgentConfig,
  patch: unknown,
  keystore: (KeystoreView & { bind?(bindings: ReadonlyMap<string, readonly string[]>): void }) | ReadonlySet<string>,
  box?: AgentConfig,
): RemoteChange {
  const overlay = readManagedOverlay(managedFile) ?? {};
  const change = checkRemotePatch(current, patch, keystore, { box, overlay });
  if (change.diff.length > 0 && isPlainObject(patch)) {
    // Bound before the change is written: a crash between the two leaves a binding, never a
    // written change whose secrets are free to move.
    if ('bind' in keystore && typeof keystore.bind === 'function') keystore.bind(keystoreHosts(change.config.cameras));
    writeManagedOverlay(managedFile, accumulate(overlay, patch));
  }
  return change;
}
