import type { Command } from '@camfleet/shared';
import { run } from './run.ts';
import { record } from './record.ts';
import { exportCommand } from './export.ts';
import { verify } from './verify.ts';
import { doctor } from './doctor.ts';
import { install, uninstall } from './install.ts';
import { discover } from './discover.ts';
import { probe } from './probe.ts';
import { check } from './check.ts';
import { scan } from './scan.ts';
import { enrollCommand } from './enroll.ts';
import { detect } from './detect.ts';
import { secret } from './secret.ts';

/** Every subcommand of camfleet-agent, in the order `--help` lists them. */
export const COMMANDS: Command[] = [run, record, exportCommand, verify, doctor, install, uninstall, discover, scan, probe, check, enrollCommand, secret, detect];
