/**
 * ONVIF scope URIs (`onvif://www.onvif.org/<category>/<value>`), from GetScopes or from a
 * WS-Discovery answer. Values are URL-decoded; categories are matched in any case, including
 * the legacy `type/` scopes of pre-profile firmwares.
 */
export interface ParsedScopes {
  name?: string;
  hardware?: string;
  location?: string;
  mac?: string;
  serial?: string;
  /** ONVIF profiles claimed: `S`, `G`, `T`, `M`, ... (`Streaming` reads `S`). */
  profiles: string[];
  /** Legacy `type/` scopes (`video_encoder`, `ptz`, `NetworkVideoTransmitter`, ...). */
  types: string[];
}

const PROFILE_ALIASES: Record<string, string> = { streaming: 'S' };

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Splits a space-separated Scopes list (discovery) or takes a list of items (GetScopes). */
export function parseScopes(items: string | string[]): ParsedScopes {
  const list = typeof items === 'string' ? items.split(/\s+/) : items;
  const out: ParsedScopes = { profiles: [], types: [] };
  for (const raw of list) {
    const m = /^onvif:\/\/www\.onvif\.org\/([^/]+)\/?(.*)$/i.exec(raw.trim());
    if (!m) continue;
    const category = m[1]!.toLowerCase();
    const value = m[2]!.split('/').map(decode).join('/').replace(/\/+$/, '');
    switch (category) {
      case 'name':
        out.name ??= value;
        break;
      case 'hardware':
        out.hardware ??= value;
        break;
      case 'location':
        // `location/city/hanoi` and `location/country/vn` may both appear; keep them all.
        if (value) out.location = out.location ? `${out.location}, ${value}` : value;
        else out.location ??= '';
        break;
      case 'mac':
        out.mac ??= value;
        break;
      case 'serial':
      case 'serialnumber':
        out.serial ??= value;
        break;
      case 'profile': {
        const p = PROFILE_ALIASES[value.toLowerCase()] ?? value.toUpperCase();
        if (p && !out.profiles.includes(p)) out.profiles.push(p);
        break;
      }
      case 'type':
        if (value && !out.types.includes(value)) out.types.push(value);
        break;
    }
  }
  return out;
}
