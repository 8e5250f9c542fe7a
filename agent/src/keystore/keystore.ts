/**
 * The box's keystore: named secrets (camera passwords, mostly) kept in one JSON file of mode
 * 0600 beside the agent's data, set only on the box (`camfleet-agent secret set <name>`, value
 * from stdin or an environment variable, never argv). The configuration refers to them as
 * `{ keystore: <name> }`; a configuration change from the centre may name a secret but never
 * carry or read one (see runtime/remote-config.ts), so the centre never learns a value.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Names are identifiers, not values: they appear in configs, audit diffs and error messages. */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const KeystoreRef = z.object({ keystore: z.string().regex(SECRET_NAME, 'a keystore name: letters, digits, _ . - (max 64)') }).strict();
export type KeystoreRef = z.infer<typeof KeystoreRef>;

const KeystoreFile = z.object({
  version: z.literal(1),
  secrets: z.record(
    z.string().regex(SECRET_NAME),
    z
      .object({
        value: z.string(),
        setAt: z.string(),
        /**
         * Hosts this secret has been used with (lower case). It may go to these only, whoever
         * asks: bindings grow as the box's cameras use the secret and never shrink while it
         * exists, so removing a camera does not free its secret for another host.
         */
        hosts: z.array(z.string()).optional(),
      })
      .strict(),
  ),
});
type KeystoreFile = z.infer<typeof KeystoreFile>;

export class KeystoreError extends Error {}

function mergeHosts(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return [...new Set([...(a ?? []), ...b.map((h) => h.toLowerCase().replace(/^\[|\]$/g, ''))])].sort();
}

/** A secret value's size bound: camera passwords and tokens, not files. */
const MAX_SECRET_BYTES = 4096;

export class Keystore {
  constructor(readonly file: string) {}

  /** The names of the stored secrets (never their values). */
  names(): string[] {
    return Object.keys(this.read().secrets).sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.read().secrets, name);
  }

  /** The value of a secret; throws naming the secret (not its value) when absent. */
  get(name: string): string {
    const entry = this.read().secrets[name];
    if (!entry) throw new KeystoreError(`no secret '${name}' in the keystore ${this.file} (set it with: camfleet-agent secret set ${name})`);
    return entry.value;
  }

  /** Stores a value; `hosts` adds to the hosts it is bound to (kept when the value is set again). */
  set(name: string, value: string, now = new Date(), hosts: readonly string[] = []): void {
    if (!SECRET_NAME.test(name)) throw new KeystoreError(`'${name}' is not a valid secret name (letters, digits, _ . -, at most 64)`);
    if (value.length === 0) throw new KeystoreError('an empty secret is not stored');
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new KeystoreError(`a secret is at most ${MAX_SECRET_BYTES} bytes`);
    const data = this.read();
    const bound = mergeHosts(data.secrets[name]?.hosts, hosts);
    data.secrets[name] = { value, setAt: now.toISOString(), ...(bound.length ? { hosts: bound } : {}) };
    this.write(data);
  }

  /** The hosts a secret is bound to (empty: not bound yet). */
  boundHosts(name: string): string[] {
    return this.read().secrets[name]?.hosts ?? [];
  }

  /** Binds secrets to more hosts (after the box's configuration used them there); one write. */
  bind(bindings: ReadonlyMap<string, readonly string[]>): void {
    const data = this.read();
    let changed = false;
    for (const [name, hosts] of bindings) {
      const entry = data.secrets[name];
      if (!entry) continue;
      const merged = mergeHosts(entry.hosts, hosts);
      if (merged.length !== (entry.hosts?.length ?? 0)) {
        entry.hosts = merged;
        changed = true;
      }
    }
    if (changed) this.write(data);
  }

  /** Removes a secret; false when there was none. */
  delete(name: string): boolean {
    const data = this.read();
    if (!Object.hasOwn(data.secrets, name)) return false;
    delete data.secrets[name];
    this.write(data);
    return true;
  }

  private read(): KeystoreFile {
    if (!existsSync(this.file)) return { version: 1, secrets: {} };
    const mode = statSync(this.file).mode & 0o777;
    // Same rule as the credentials file: a keystore others can read is refused, not used.
    if (mode & 0o077) throw new KeystoreError(`keystore ${this.file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new KeystoreError(`keystore ${this.file} is not valid JSON (${(err as Error).message.slice(0, 80)})`);
    }
    const result = KeystoreFile.safeParse(parsed);
    if (!result.success) throw new KeystoreError(`keystore ${this.file} is malformed: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`);
    return result.data;
  }

  /** Atomic (write a 0600 temporary file, then rename), so a crash never leaves half a keystore. */
  private write(data: KeystoreFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
