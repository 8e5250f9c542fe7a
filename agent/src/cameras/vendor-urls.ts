/**
 * Stream and snapshot URLs from a vendor family's templates (firmware-profiles/*.json `urls`),
 * for cameras without ONVIF or whose ONVIF answer lacks a stream: `{host}`, `{rtspPort}`,
 * `{httpPort}`, `{channel}` filled from the camera's configuration. A template with any other
 * placeholder (vendor-specific, explained in the profile's quirks) is not guessed at: skipped.
 * Pure; the URLs carry no credentials (they are added for ffmpeg only, like any stream URL).
 */
import type { FirmwareProfile } from '../firmware/schema.ts';

export interface VendorUrlFacts {
  host: string;
  rtspPort?: number;
  httpPort?: number;
  /** 1-based channel (an NVR's input, or 1 for a single camera). */
  channel?: number;
}

export interface VendorUrls {
  main?: string;
  sub?: string;
  snapshot?: string;
}

export function fillTemplate(template: string, facts: VendorUrlFacts): string | undefined {
  // An IPv6 literal needs its brackets inside a URL.
  const host = facts.host.includes(':') && !facts.host.startsWith('[') ? `[${facts.host}]` : facts.host;
  const values: Record<string, string> = {
    host,
    rtspPort: String(facts.rtspPort ?? 554),
    httpPort: String(facts.httpPort ?? 80),
    channel: String(facts.channel ?? 1),
  };
  let unknown = false;
  const filled = template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    if (Object.hasOwn(values, name)) return values[name]!;
    unknown = true;
    return whole;
  });
  if (unknown) return undefined;
  try {
    const url = new URL(filled);
    // The template must not send the camera's credentials to another host than the camera's.
    if (url.hostname.replace(/^\[|\]$/g, '') !== facts.host.replace(/^\[|\]$/g, '')) return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}

export function vendorUrls(profile: Pick<FirmwareProfile, 'urls'>, facts: VendorUrlFacts): VendorUrls {
  const out: VendorUrls = {};
  const main = profile.urls.rtspMain ? fillTemplate(profile.urls.rtspMain, facts) : undefined;
  const sub = profile.urls.rtspSub ? fillTemplate(profile.urls.rtspSub, facts) : undefined;
  const snapshot = profile.urls.snapshot ? fillTemplate(profile.urls.snapshot, facts) : undefined;
  if (main) out.main = main;
  if (sub && sub !== main) out.sub = sub;
  if (snapshot) out.snapshot = snapshot;
  return out;
}
