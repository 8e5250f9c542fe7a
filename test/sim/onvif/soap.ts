/**
 * SOAP plumbing for the simulated devices: read a request (operation, its namespace, its
 * parameters, the WS-Security UsernameToken) and write envelopes and faults. Pure functions.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media1: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  schema: 'http://www.onvif.org/ver10/schema',
  error: 'http://www.onvif.org/ver10/error',
} as const;

export interface UsernameToken {
  username: string;
  password: string;
  /** The Password element's Type attribute, e.g. ...#PasswordDigest or ...#PasswordText. */
  passwordType: string;
  nonce?: string;
  created?: string;
}

export interface SoapRequest {
  /** Local name of the first element in Body, e.g. "GetProfiles". */
  operation: string;
  /** Namespace URI of that element ('' when unresolvable). */
  namespace: string;
  /** Child elements of the operation by local name (text values; nested objects kept as parsed). */
  params: Record<string, unknown>;
  security?: UsernameToken;
  /** The parsed Header element (WS-Addressing MessageID etc.). */
  header: unknown;
  soapVersion: '1.1' | '1.2';
}

export class SoapParseError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false, // no entity expansion from a hostile peer
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

type Node = Record<string, unknown>;

function localName(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(i + 1);
}

function prefixOf(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? '' : key.slice(0, i);
}

/** The child of `node` with this local name, whatever its prefix. */
export function child(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  for (const [k, v] of Object.entries(node as Node)) {
    if (!k.startsWith('@_') && localName(k) === name) return v;
  }
  return undefined;
}

/** Text content of a node parsed by fast-xml-parser (string, or object with #text). */
export function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']);
  if (typeof node === 'object') return '';
  return undefined;
}

function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  for (const [k, v] of Object.entries(node as Node)) {
    if (k.startsWith('@_') && localName(k.slice(2)) === name) return String(v);
  }
  return undefined;
}

/** Resolve a prefix to a namespace URI through the xmlns declarations of the given scopes (innermost first). */
function resolvePrefix(prefix: string, scopes: unknown[]): string {
  const attrName = prefix ? `@_xmlns:${prefix}` : '@_xmlns';
  for (const scope of scopes) {
    if (scope && typeof scope === 'object' && attrName in (scope as Node)) return String((scope as Node)[attrName]);
  }
  return '';
}

export function parseSoapRequest(xml: string): SoapRequest {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SoapParseError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(xml) as Node;
  const envKey = Object.keys(doc).find((k) => localName(k) === 'Envelope');
  if (!envKey) throw new SoapParseError('not a SOAP envelope');
  const envelope = doc[envKey] as Node;
  const envNs = resolvePrefix(prefixOf(envKey), [envelope]);
  const soapVersion = envNs === NS.soap11 ? '1.1' : '1.2';
  const body = child(envelope, 'Body');
  if (!body || typeof body !== 'object') throw new SoapParseError('SOAP envelope without Body');
  const opKey = Object.keys(body as Node).find((k) => !k.startsWith('@_') && k !== '#text');
  if (!opKey) throw new SoapParseError('empty SOAP Body');
  const opNode = (body as Node)[opKey];
  const namespace = resolvePrefix(prefixOf(opKey), [opNode, body, envelope]);

  const params: Record<string, unknown> = {};
  if (opNode && typeof opNode === 'object') {
    for (const [k, v] of Object.entries(opNode as Node)) {
      if (!k.startsWith('@_')) params[localName(k)] = v;
    }
  }

  let security: UsernameToken | undefined;
  const header = child(envelope, 'Header');
  const token = child(child(header, 'Security'), 'UsernameToken');
  if (token) {
    const password = child(token, 'Password');
    security = {
      username: text(child(token, 'Username')) ?? '',
      password: text(password) ?? '',
      passwordType: attr(password, 'Type') ?? '',
      nonce: text(child(token, 'Nonce')),
      created: text(child(token, 'Created')),
    };
  }
  return { operation: localName(opKey), namespace, params, security, header, soapVersion };
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const ENVELOPE_NS =
  `xmlns:tt="${NS.schema}" xmlns:tds="${NS.device}" xmlns:trt="${NS.media1}" xmlns:tr2="${NS.media2}" ` +
  `xmlns:ter="${NS.error}"`;

/** A SOAP 1.2 response envelope around `body` (which uses the tds/trt/tr2/tt prefixes). */
export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${NS.soap12}" ${ENVELOPE_NS}><env:Header/><env:Body>${body}</env:Body></env:Envelope>\n`;
}

/** A SOAP 1.2 fault: `code` Sender|Receiver, `subcodes` e.g. ['ter:NotAuthorized']. */
export function fault(code: 'Sender' | 'Receiver', subcodes: string[], reason: string): string {
  let sub = '';
  for (const s of [...subcodes].reverse()) sub = `<env:Subcode><env:Value>${s}</env:Value>${sub}</env:Subcode>`;
  return envelope(
    `<env:Fault><env:Code><env:Value>env:${code}</env:Value>${sub}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${xmlEscape(reason)}</env:Text></env:Reason></env:Fault>`,
  );
}
