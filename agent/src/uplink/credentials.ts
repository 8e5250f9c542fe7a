/** The agent's identity and MQTT credentials, as written by enrollment (file mode 0600). */
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { isValidAgentId } from '@camfleet/shared';

export const CredentialsSchema = z.object({
  agentId: z.string().refine(isValidAgentId, 'invalid agent id'),
  password: z.string().min(16),
  mqttUrl: z.string().optional(),
  /** The aggregator's HTTP base URL the agent enrolled with (clock comparison, doctor). */
  httpUrl: z.string().optional(),
  /** CA certificate (PEM file) of the aggregator's broker, written by enrollment when it sent one. */
  caFile: z.string().optional(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

/** Writes credentials atomically with mode 0600 (the file holds the MQTT password). */
export function writeCredentials(file: string, credentials: Credentials): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readCredentials(file: string): Credentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read credentials ${file} (${(err as NodeJS.ErrnoException).code}); enroll the agent first`);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`credentials ${file} are readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  const parsed = CredentialsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`credentials ${file} are malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
