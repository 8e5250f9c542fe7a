/**
 * SOAP envelopes: building requests and reading answers. A fault is a value, not an exception:
 * a camera that refuses one call still gives everything its other calls returned.
 */
import { child, children, findFirst, parseXml, text, textAt, type XmlNode } from './xml.ts';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** A SOAP fault as the device sent it: code, the chain of subcodes (outermost first) and reason. */
export interface SoapFault {
  code: string;
  subcodes: string[];
  reason: string;
}

export type SoapResult = { ok: true; body: XmlNode; header?: XmlNode } | { ok: false; fault: SoapFault };

/** Builds a SOAP 1.2 envelope; `body` and `header` are trusted XML we produced. */
export function buildEnvelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${SOAP12_NS}">` +
    (header ? `<s:Header>${header}</s:Header>` : '') +
    `<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body>` +
    `</s:Envelope>`
  );
}

function stripPrefix(qname: string): string {
  const i = qname.indexOf(':');
  return i === -1 ? qname : qname.slice(i + 1);
}

/** Reads a fault element in SOAP 1.2 (Code/Value, Subcode chain) or SOAP 1.1 (faultcode) form. */
export function parseFault(fault: XmlNode): SoapFault {
  const code12 = child(fault, 'Code');
  if (code12) {
    const subcodes: string[] = [];
    let sub = child(code12, 'Subcode');
    for (let i = 0; sub && i < 8; i++) {
      const v = textAt(sub, 'Value');
      if (v) subcodes.push(stripPrefix(v));
      sub = child(sub, 'Subcode');
    }
    const reasons = children(child(fault, 'Reason'), 'Text').map(text).filter(Boolean);
    return { code: stripPrefix(textAt(code12, 'Value')), subcodes, reason: reasons[0] ?? '' };
  }
  // SOAP 1.1
  return { code: stripPrefix(textAt(fault, 'faultcode')), subcodes: [], reason: textAt(fault, 'faultstring') };
}

/** Parses an answer; throws XmlError when it is not XML, returns a fault or the Body element. */
export function parseSoap(input: string | Uint8Array): SoapResult {
  const doc = parseXml(input);
  const envelope = child(doc, 'Envelope');
  if (!envelope) throw new SoapShapeError('no SOAP Envelope');
  const body = child(envelope, 'Body');
  if (!body) throw new SoapShapeError('no SOAP Body');
  const fault = child(body, 'Fault');
  if (fault) return { ok: false, fault: parseFault(fault) };
  return { ok: true, body, header: child(envelope, 'Header') };
}

export class SoapShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapShapeError';
  }
}

/** The response element of an operation (`<XResponse>`), searched anywhere under Body. */
export function responseElement(body: XmlNode, operation: string): XmlNode | undefined {
  return child(body, `${operation}Response`) ?? findFirst(body, `${operation}Response`);
}

export function describeFault(f: SoapFault): string {
  const codes = [f.code, ...f.subcodes].filter(Boolean).join('/');
  return f.reason ? `${codes}: ${f.reason}` : codes || 'fault';
}

/** True when a fault says the credentials were refused. */
export function isAuthFault(f: SoapFault): boolean {
  return [f.code, ...f.subcodes].some((c) => /NotAuthorized|FailedAuthentication|InvalidSecurity|Unauthorized|AuthorizationRequired/i.test(c)) ||
    /not authori[sz]ed|authentication fail|unauthori[sz]ed|sender not authori[sz]ed/i.test(f.reason);
}
