/** ONVIF probing for the CLI and the running agent. */
export { probeCamera, type ProbeOptions, type ProbeResult } from './probe.ts';
export { OnvifClient, NS, type CallError, type CallResult } from './client.ts';
export type { Credentials } from './auth.ts';
export { deviceServiceUrl } from './target.ts';
export { parseScopes, type ParsedScopes } from './scopes.ts';
