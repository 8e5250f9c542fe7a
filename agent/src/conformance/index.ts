/**
 * The conformance check for the CLI and the running agent:
 *
 *   const probe = await probeCamera(url, creds, { matchFirmware: firmwareMatcher(profiles()) });
 *   const facts = await gatherFacts(probe, { credentials: creds, profiles: profiles(), defaultCredentialAttempts: 0 });
 *   const conformance = checkCamera(probe.record, facts, loadStandard());
 *
 * or `checkTarget(url, creds)` for all three.
 */
export { checkTarget, firmwareMatcher, type CheckOutcome, type CheckTargetOptions } from './check.ts';
export { checkCamera, RULES, type CheckFacts, type RuleResult } from './rules.ts';
export { gatherFacts, MAX_CREDENTIAL_ATTEMPTS, type FactOptions } from './facts.ts';
export { loadStandard, defaultStandardFile, Standard } from './standard.ts';
