/**
 * Probe and check in one call, for the CLI and for the running agent (which puts the record
 * and the result into its `cameras` message).
 */
import type { CameraRecord, ConformanceResult } from '@camfleet/shared/protocol/camera';
import type { Credentials } from '../onvif/auth.ts';
import { probeCamera, type ProbeResult } from '../onvif/probe.ts';
import { matchProfile, profiles as defaultProfiles, type FirmwareProfile } from '../firmware/index.ts';
import { gatherFacts } from './facts.ts';
import { checkCamera, type CheckFacts } from './rules.ts';
import { loadStandard, type Standard } from './standard.ts';

export interface CheckTargetOptions {
  standard?: Standard;
  profiles?: FirmwareProfile[];
  timeoutMs?: number;
  /** Override the standard's factory-credential attempts (0 skips; never more than 3). */
  defaultCredentialAttempts?: number;
}

export interface CheckOutcome {
  probe: ProbeResult;
  facts: CheckFacts;
  result: ConformanceResult;
}

/** A firmware-profile matcher for probeCamera over the given profiles. */
export function firmwareMatcher(profiles: FirmwareProfile[]): (r: CameraRecord) => string | undefined {
  return (r) => matchProfile(profiles, { manufacturer: r.manufacturer, model: r.model, firmwareVersion: r.firmwareVersion, hardware: r.scopes.hardware ?? r.hardwareId })?.id;
}

/** Probes `target` and checks it against the standard. Throws only when the device cannot be reached. */
export async function checkTarget(target: string, credentials: Credentials | undefined, opts: CheckTargetOptions = {}): Promise<CheckOutcome> {
  const standard = opts.standard ?? loadStandard();
  const profiles = opts.profiles ?? defaultProfiles();
  const probe = await probeCamera(target, credentials, { timeoutMs: opts.timeoutMs, matchFirmware: firmwareMatcher(profiles) });
  if (!probe.reachable) throw new Error(`no answer from ${probe.record.deviceServiceUrl}: ${probe.faults[0]?.message ?? 'unreachable'}`);
  const facts = await gatherFacts(probe, {
    credentials,
    profiles,
    timeoutMs: opts.timeoutMs,
    defaultCredentialAttempts: opts.defaultCredentialAttempts ?? standard.defaultCredentialAttempts,
  });
  return { probe, facts, result: checkCamera(probe.record, facts, standard) };
}

export { checkCamera, gatherFacts, loadStandard };
