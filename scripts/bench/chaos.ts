/**
 * `npm run bench -- chaos`: crash consistency, measured. SIGKILLs a running agent (3 cameras
 * recorded, one detected, clips uploaded) at random moments and relaunches it, and kills the
 * aggregator during the same run, then checks the record (see chaos/harness.ts) and prints the
 * figures with their loss columns. Exit status 1 when any loss column is not 0.
 *
 *   CHAOS_AGENT_KILLS=100 CHAOS_AGGREGATOR_KILLS=20 CHAOS_SEED=42 npm run bench -- chaos
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReport, runChaos } from './chaos/harness.ts';

const agentKills = Number(process.env.CHAOS_AGENT_KILLS ?? 100);
const aggregatorKills = Number(process.env.CHAOS_AGGREGATOR_KILLS ?? 20);
const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined;
const workDir = mkdtempSync(join(tmpdir(), 'camfleet-chaos-'));
console.log(`chaos: ${agentKills} agent kills, ${aggregatorKills} aggregator kills; work directory ${workDir}`);
try {
  const report = await runChaos({ workDir, agentKills, aggregatorKills, patternCameras: 2, footageCamera: true, minClips: 1, seed });
  console.log(formatReport(report));
  if (process.env.CHAOS_JSON) console.log(JSON.stringify(report));
  if (report.ok && !process.env.CHAOS_KEEP) rmSync(workDir, { recursive: true, force: true });
  else console.log(`kept for inspection: ${workDir}`);
  process.exit(report.ok ? 0 : 1);
} catch (err) {
  console.error(`chaos: ${(err as Error).stack ?? err}`);
  console.log(`kept for inspection: ${workDir}`);
  process.exit(1);
}
