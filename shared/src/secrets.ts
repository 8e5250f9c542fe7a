/**
 * Secrets are referenced, not written on command lines: from an environment variable, a file
 * (trailing newline trimmed), or inline in a config file (which should itself be 0600).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const SecretRef = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ value: z.string() }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRef>;

export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined) throw new Error(`secret: environment variable ${ref.env} is not set`);
    return v;
  }
  if ('file' in ref) {
    try {
      return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`secret: cannot read ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  return ref.value;
}
