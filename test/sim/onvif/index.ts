export { startOnvifDevice, type OnvifDeviceOptions, type OnvifDeviceSim, type SimProfile } from './device.ts';
export { startFixtureDevice, rewriteAddresses, fixturesDir, type FixtureDeviceOptions } from './fixtures.ts';
export { probe, probeMatches, hello, bye, matchProbe, startDiscoveryResponder, DISCOVERY_GROUP, DISCOVERY_PORT, type DiscoveryBehaviour, type DiscoveryTarget } from './discovery.ts';
export { passwordDigest, digestResponse, parseDigestHeader } from './auth.ts';
export { parseSoapRequest, envelope, fault } from './soap.ts';
