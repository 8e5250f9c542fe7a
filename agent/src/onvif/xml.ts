/**
 * Safe XML for answers from cameras we do not trust.
 *
 * - No DTD is accepted at all (SOAP forbids them), so no entity can be declared, expanded or
 *   fetched: billion-laughs and external-entity payloads are refused before parsing.
 * - fast-xml-parser runs with `processEntities: false`; the five predefined entities and
 *   numeric character references are decoded here, once, per value (`&amp;lt;` gives `&lt;`).
 * - Namespace prefixes are dropped, so `SOAP-ENV:Body`, `env:Body` and `s:Body` read the same.
 * - Bytes are decoded by their BOM, not by the declaration: some firmwares declare
 *   `encoding="utf-16"` and send ASCII.
 */
import { XMLParser } from 'fast-xml-parser';

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** An element: child elements by local name (always arrays), attributes as `@_name`, text as `#text`. */
export type XmlNode = { [key: string]: unknown };

/** Documents nested deeper than this are refused (no SOAP answer comes close). */
const MAX_DEPTH = 64;
/**
 * Markup counts beyond any real answer (the largest captured, a PTZ GetPresets, has about 2,400
 * tags): refusing them keeps a hostile 2 MB answer from holding the event loop for seconds.
 */
const MAX_TAGS = 50_000;
const MAX_ATTRIBUTES = 50_000;

function countOf(text: string, needle: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1 && n <= limit; i = text.indexOf(needle, i + 1)) n++;
  return n;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  alwaysCreateTextNode: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

/** Decodes a body by its byte-order mark; UTF-8 otherwise (ASCII files declared UTF-16 included). */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // UTF-16 without BOM: every other byte is zero in the leading markup.
  if (bytes.length >= 4 && bytes[0] === 0x3c && bytes[1] === 0 && bytes[3] === 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Measures element nesting cheaply, so a deeply nested bomb is refused before the parser recurses. */
function maxNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 47 /* / */) depth--;
    else if (next !== 63 /* ? */ && next !== 33 /* ! */) {
      const close = text.indexOf('>', i);
      if (close === -1) break;
      if (text.charCodeAt(close - 1) !== 47) depth++;
      if (depth > max) max = depth;
    }
  }
  return max;
}

/** Parses a document from a camera; throws XmlError on anything it will not read. */
export function parseXml(input: string | Uint8Array): XmlNode {
  const text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('document type declarations are not accepted');
  if (countOf(text, '<', MAX_TAGS) > MAX_TAGS) throw new XmlError(`more than ${MAX_TAGS} tags`);
  if (countOf(text, '=', MAX_ATTRIBUTES) > MAX_ATTRIBUTES) throw new XmlError(`more than ${MAX_ATTRIBUTES} attributes`);
  if (maxNesting(text) > MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH}`);
  // The declaration is dropped by hand: some firmwares write it with typographic quotes.
  const body = text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '');
  if (!/^\s*</.test(body)) throw new XmlError('not XML');
  try {
    return parser.parse(body) as XmlNode;
  } catch (err) {
    throw new XmlError(`malformed XML: ${(err as Error).message}`);
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes predefined entities and character references in one pass; unknown ones stay as written. */
export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The child elements of `node` with a local name. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const v = node?.[name];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

/** The first element along a path of local names. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) {
    cur = children(cur, name)[0];
    if (!cur) return undefined;
  }
  return cur;
}

/** The text of an element (entities decoded, trimmed); '' when absent. */
export function text(node: XmlNode | undefined): string {
  const v = node?.['#text'];
  return typeof v === 'string' || typeof v === 'number' ? unescapeXml(String(v)).trim() : '';
}

/** The text at a path of local names; '' when any step is missing. */
export function textAt(node: XmlNode | undefined, ...path: string[]): string {
  return text(child(node, ...path));
}

/** An attribute by local name (entities decoded); undefined when absent. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return typeof v === 'string' ? unescapeXml(v).trim() : undefined;
}

/** Depth-first search for the first element with a local name (bounded by MAX_DEPTH at parse). */
export function findFirst(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  const direct = children(node, name)[0];
  if (direct) return direct;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text' || !Array.isArray(value)) continue;
    for (const c of value) {
      if (!isNode(c)) continue;
      const found = findFirst(c, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Escapes text for inclusion in XML we build. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
