/**
 * WS-Discovery messages (2005/04, as ONVIF uses it): building a Probe, reading ProbeMatches,
 * Hello and Bye in SOAP 1.1 or 1.2 with any prefixes. Anything else, or anything malformed,
 * reads as null: a datagram from the network is never trusted to be well formed.
 */
import { randomUUID } from 'node:crypto';
import { child, children, parseXml, text, textAt, type XmlNode } from '../onvif/xml.ts';
import { parseScopes, type ParsedScopes } from '../onvif/scopes.ts';

export const WSD_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;

export function buildProbe(messageId = `urn:uuid:${randomUUID()}`, types = 'dn:NetworkVideoTransmitter'): { messageId: string; xml: string } {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    `<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></s:Body></s:Envelope>`;
  return { messageId, xml };
}

export interface DiscoveryMatch {
  endpointReference: string;
  types: string[];
  scopes: ParsedScopes;
  xaddrs: string[];
  metadataVersion?: number;
}

export interface DiscoveryMessage {
  kind: 'ProbeMatches' | 'Hello' | 'Bye';
  relatesTo?: string;
  matches: DiscoveryMatch[];
}

const MAX_MATCHES = 64;
const MAX_XADDRS = 8;

function readMatch(node: XmlNode): DiscoveryMatch | null {
  const endpointReference = textAt(node, 'EndpointReference', 'Address');
  if (!endpointReference || endpointReference.length > 256) return null;
  const list = (name: string) => text(child(node, name)).split(/\s+/).filter(Boolean);
  const xaddrs = list('XAddrs')
    .filter((x) => /^https?:\/\/[^\s]+$/i.test(x))
    .filter((x) => {
      try {
        new URL(x);
        return true;
      } catch {
        return false;
      }
    })
    .slice(0, MAX_XADDRS);
  const mv = Number(textAt(node, 'MetadataVersion'));
  return {
    endpointReference,
    types: list('Types').map((t) => t.replace(/^[^:]*:/, '')).slice(0, 16),
    scopes: parseScopes(list('Scopes').slice(0, 64)),
    xaddrs,
    ...(Number.isFinite(mv) && textAt(node, 'MetadataVersion') !== '' ? { metadataVersion: mv } : {}),
  };
}

export function parseDiscoveryMessage(datagram: Uint8Array | string): DiscoveryMessage | null {
  let doc: XmlNode;
  try {
    doc = parseXml(datagram);
  } catch {
    return null;
  }
  const envelope = child(doc, 'Envelope');
  const body = child(envelope, 'Body');
  if (!body) return null;
  const relatesTo = textAt(envelope, 'Header', 'RelatesTo') || undefined;
  const pm = child(body, 'ProbeMatches');
  if (pm) {
    const matches = children(pm, 'ProbeMatch').slice(0, MAX_MATCHES).map(readMatch).filter((m): m is DiscoveryMatch => m !== null);
    return { kind: 'ProbeMatches', relatesTo, matches };
  }
  const hello = child(body, 'Hello');
  if (hello) {
    const m = readMatch(hello);
    return m ? { kind: 'Hello', matches: [m] } : null;
  }
  const bye = child(body, 'Bye');
  if (bye) {
    const m = readMatch(bye);
    return m ? { kind: 'Bye', matches: [m] } : null;
  }
  return null;
}
