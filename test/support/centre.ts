/**
 * The central side for end-to-end tests: a real aggregator on free loopback ports, and agent
 * credentials written the way `enroll` writes them (0600), so an agent process can connect.
 */
import { writeFileSync } from 'node:fs';
import { AggregatorConfigSchema } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';

export function startTestCentre(dataDir: string): Promise<RunningAggregator> {
  return startAggregator(
    AggregatorConfigSchema.parse({ dataDir, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' } }),
  );
}

/** Writes an agent's credentials file for this aggregator; returns its path. */
export function writeAgentCredentials(
  agg: RunningAggregator,
  file: string,
  creds: { agentId: string; password: string },
  opts: { withHttpUrl?: boolean } = {},
): string {
  const content = { ...creds, mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}`, ...(opts.withHttpUrl ? { httpUrl: agg.httpUrl } : {}) };
  writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  return file;
}

