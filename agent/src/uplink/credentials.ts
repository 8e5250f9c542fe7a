/** The agent's identity and MQTT credentials, as written by enrollment (file mode 0600). */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { isValidAgentId } from '@camfleet/shared';

export const CredentialsSchema = z.object({
  agentId: z.string().refine(isValidAgentId, 'invalid agent id'),
  password: z.string().min(16),
  mqttUrl: z.string().optional(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

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
