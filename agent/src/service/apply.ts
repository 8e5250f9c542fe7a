/**
 * Carries out install/uninstall steps, or only describes them (dry run). Files go under `root`
 * ('/' on a live system; another directory to prepare an image or to test). Commands run only on
 * a live system (root '/') and only when a file changed, so running twice changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Step } from './plan.ts';

export interface ApplyOptions {
  root: string;
  dryRun: boolean;
  log: (line: string) => void;
  /** Runs a command (tests may record instead); default execFileSync with inherited output. */
  runCommand?: (argv: string[]) => void;
}

function under(root: string, path: string): string {
  return root === '/' ? path : join(root, path);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether carrying out `step` would change anything on disk. */
function wouldChange(step: Step, root: string): boolean {
  const p = 'path' in step ? under(root, step.path) : '';
  switch (step.kind) {
    case 'write':
      return !existsSync(p) || readFileSync(p, 'utf8') !== step.content;
    case 'symlink':
      return !exists(p) || !lstatSync(p).isSymbolicLink() || readlinkSync(p) !== step.target;
    case 'remove':
      return exists(p);
    case 'run':
      return false;
  }
}

/** Returns whether anything changed (or would, in a dry run). */
export function applySteps(steps: Step[], o: ApplyOptions): boolean {
  const live = o.root === '/';
  const changed = steps.some((s) => wouldChange(s, o.root));
  const verb = (doing: string, would: string) => (o.dryRun ? would : doing);
  for (const step of steps) {
    if (step.kind === 'run') {
      const line = step.argv.join(' ');
      if (!changed) continue;
      if (!live) {
        o.log(`skip   ${line} (files under ${o.root}: systemd acts on them when that system boots)`);
        continue;
      }
      o.log(`${verb('run   ', 'would run')} ${line}`);
      if (!o.dryRun) (o.runCommand ?? ((argv) => execFileSync(argv[0]!, argv.slice(1), { stdio: 'inherit' })))(step.argv);
      continue;
    }
    const target = under(o.root, step.path);
    if (!wouldChange(step, o.root)) {
      o.log(`ok     ${target} (${step.kind === 'remove' ? 'absent' : 'unchanged'})`);
      continue;
    }
    if (step.kind === 'write') {
      o.log(`${verb('write ', 'would write')} ${target} (mode ${step.mode.toString(8)}):`);
      for (const line of step.content.trimEnd().split('\n')) o.log(`         | ${line}`);
      if (!o.dryRun) {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, step.content, { mode: step.mode });
        chmodSync(target, step.mode);
      }
    } else if (step.kind === 'symlink') {
      o.log(`${verb('link  ', 'would link')} ${target} -> ${step.target}`);
      if (!o.dryRun) {
        mkdirSync(dirname(target), { recursive: true });
        rmSync(target, { force: true });
        symlinkSync(step.target, target);
      }
    } else {
      o.log(`${verb('remove', 'would remove')} ${target}`);
      if (!o.dryRun) rmSync(target, { force: true });
    }
  }
  return changed;
}
