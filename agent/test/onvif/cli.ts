/** Runs camfleet-agent's command frame in this process, capturing its output (tests only). */
import { runProgram } from '@camfleet/shared';
import { Writable } from 'node:stream';
import { COMMANDS } from '../../src/cli/commands/index.ts';

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  const code = await runProgram({ name: 'camfleet-agent', version: 'test', description: 'test', commands: COMMANDS }, argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { ...env, NO_COLOR: '1' },
  });
  return { code, stdout, stderr };
}
