/** `camfleet-agent doctor`: everything the agent needs on this box, checked in one go. */
import { resolve } from 'node:path';
import { credentialsPath, type AgentConfig } from '../config.ts';
import { readCredentials } from '../uplink/credentials.ts';
import { checkAggregator, checkClock, checkCredentials, checkDataDir, checkFfmpeg, checkWriteSpeed } from './checks.ts';
import { checkDetector, checkFirmwareProfiles, checkSqlite } from './runtime-checks.ts';
import type { CheckResult } from './verdict.ts';

export * from './verdict.ts';

export interface DoctorOptions {
  config: AgentConfig;
  env: NodeJS.ProcessEnv;
  /** The aggregator's HTTP base URL, to compare clocks with its Date header. */
  aggregatorHttpUrl?: string;
  /** MiB written for the disk speed test. */
  writeTestMiB?: number;
}

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const credsFile = resolve(credentialsPath(o.config));
  const dataDir = resolve(o.config.dataDir);
  const credentials = checkCredentials(credsFile);
  let mqttUrl = o.config.aggregator.mqttUrl;
  if (!mqttUrl && credentials.status === 'ok') mqttUrl = readCredentials(credsFile).mqttUrl;
  return [
    await checkFfmpeg(o.env),
    ...checkDataDir(dataDir),
    checkWriteSpeed(dataDir, o.writeTestMiB),
    await checkClock(o.env, o.aggregatorHttpUrl),
    await checkAggregator(mqttUrl, o.config.aggregator.caFile),
    credentials,
    checkSqlite(),
    await checkDetector(o.env),
    checkFirmwareProfiles(),
  ];
}
