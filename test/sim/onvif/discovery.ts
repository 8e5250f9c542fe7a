/**
 * WS-Discovery for simulated devices, on loopback multicast only: answers Probe with
 * ProbeMatches (unicast to the prober), sends Hello when started and Bye when closed.
 *
 * Several devices (and clients) share 239.255.255.250:3702 on one machine: the receiving
 * socket is bound to the group address itself with reuseAddr and joins the group on
 * 127.0.0.1, so it only ever sees loopback multicast. Replies leave from a second socket bound
 * to 127.0.0.1. No route is needed (checked on Linux: lo delivers multicast once the
 * membership and the multicast interface are 127.0.0.1).
 *
 * Misbehaviour for tests: `duplicates` (the same ProbeMatches sent N times, as UDP
 * retransmission does), `garbage` (a non-XML datagram first), `soap11` (SOAP 1.1 envelope),
 * `oddPrefixes` (unusual namespace prefixes, including the type's).
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { child, parseSoapRequest, text, xmlEscape as x } from './soap.ts';

export const DISCOVERY_GROUP = '239.255.255.250';
export const DISCOVERY_PORT = 3702;
const LOOPBACK = '127.0.0.1';

export const WSD = {
  discovery: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  network: 'http://www.onvif.org/ver10/network/wsdl',
  device: 'http://www.onvif.org/ver10/device/wsdl',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  to: 'urn:schemas-xmlsoap-org:ws:2005:04:discovery',
  anonymous: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
} as const;

export interface DiscoveryTarget {
  /** urn:uuid:... */
  endpointReference: string;
  xaddrs: string[];
  scopes: string[];
}

export interface DiscoveryBehaviour {
  duplicates?: number;
  soap11?: boolean;
  garbage?: boolean;
  oddPrefixes?: boolean;
}

interface Prefixes {
  env: string;
  a: string;
  d: string;
  nvt: string;
  tds: string;
}

function prefixes(b: DiscoveryBehaviour): Prefixes {
  return b.oddPrefixes ? { env: 's12', a: 'adr', d: 'disco', nvt: 'ns4', tds: 'ns5' } : { env: 'SOAP-ENV', a: 'wsa', d: 'wsdd', nvt: 'dn', tds: 'tds' };
}

function message(b: DiscoveryBehaviour, action: string, headerExtra: string, body: string, to: string = WSD.to): string {
  const p = prefixes(b);
  const envNs = b.soap11 ? WSD.soap11 : WSD.soap12;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${p.env}:Envelope xmlns:${p.env}="${envNs}" xmlns:${p.a}="${WSD.addressing}" ` +
    `xmlns:${p.d}="${WSD.discovery}" xmlns:${p.nvt}="${WSD.network}" xmlns:${p.tds}="${WSD.device}">` +
    `<${p.env}:Header><${p.a}:MessageID>urn:uuid:${randomUUID()}</${p.a}:MessageID>${headerExtra}` +
    `<${p.a}:To>${to}</${p.a}:To><${p.a}:Action>${WSD.discovery}/${action}</${p.a}:Action>` +
    `<${p.d}:AppSequence InstanceId="1" MessageNumber="1"/></${p.env}:Header>` +
    `<${p.env}:Body>${body}</${p.env}:Body></${p.env}:Envelope>\n`
  );
}

function endpoint(t: DiscoveryTarget, b: DiscoveryBehaviour, withAddrs = true): string {
  const p = prefixes(b);
  return (
    `<${p.a}:EndpointReference><${p.a}:Address>${x(t.endpointReference)}</${p.a}:Address></${p.a}:EndpointReference>` +
    `<${p.d}:Types>${p.nvt}:NetworkVideoTransmitter ${p.tds}:Device</${p.d}:Types>` +
    (withAddrs
      ? `<${p.d}:Scopes>${x(t.scopes.join(' '))}</${p.d}:Scopes><${p.d}:XAddrs>${x(t.xaddrs.join(' '))}</${p.d}:XAddrs>`
      : '') +
    `<${p.d}:MetadataVersion>1</${p.d}:MetadataVersion>`
  );
}

export function probeMatches(t: DiscoveryTarget, relatesTo: string, b: DiscoveryBehaviour = {}): string {
  const p = prefixes(b);
  return message(
    b,
    'ProbeMatches',
    `<${p.a}:RelatesTo>${x(relatesTo)}</${p.a}:RelatesTo>`,
    `<${p.d}:ProbeMatches><${p.d}:ProbeMatch>${endpoint(t, b)}</${p.d}:ProbeMatch></${p.d}:ProbeMatches>`,
    WSD.anonymous,
  );
}

export function hello(t: DiscoveryTarget, b: DiscoveryBehaviour = {}): string {
  const p = prefixes(b);
  return message(b, 'Hello', '', `<${p.d}:Hello>${endpoint(t, b)}</${p.d}:Hello>`);
}

export function bye(t: DiscoveryTarget, b: DiscoveryBehaviour = {}): string {
  const p = prefixes(b);
  return message(b, 'Bye', '', `<${p.d}:Bye>${endpoint(t, b, false)}</${p.d}:Bye>`);
}

/** A Probe message, as a client sends it (used by tests, and handy for probing code's tests). */
export function probe(messageId = `urn:uuid:${randomUUID()}`, types = 'dn:NetworkVideoTransmitter'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="${WSD.soap12}" xmlns:a="${WSD.addressing}" xmlns:d="${WSD.discovery}" xmlns:dn="${WSD.network}">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID><a:To>${WSD.to}</a:To><a:Action>${WSD.discovery}/Probe</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

/** Whether a Probe asks for what we are; returns its MessageID when we should answer. */
export function matchProbe(datagram: string, ourScopes: string[]): string | undefined {
  let req;
  try {
    req = parseSoapRequest(datagram);
  } catch {
    return undefined; // not XML / not SOAP: ignore, as devices do
  }
  if (req.operation !== 'Probe') return undefined;
  const messageId = text(child(req.header, 'MessageID')) ?? '';
  const types = (text(req.params.Types) ?? '').split(/\s+/).filter(Boolean).map((t) => t.slice(t.indexOf(':') + 1));
  if (types.length > 0 && !types.some((t) => t === 'NetworkVideoTransmitter' || t === 'Device')) return undefined;
  const wanted = (text(req.params.Scopes) ?? '').split(/\s+/).filter(Boolean);
  if (!wanted.every((w) => ourScopes.some((s) => s === w || s.startsWith(w.endsWith('/') ? w : `${w}/`)))) return undefined;
  return messageId;
}

export interface DiscoveryResponder {
  close(): Promise<void>;
}

function bindReceiver(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', reject);
    s.bind(DISCOVERY_PORT, DISCOVERY_GROUP, () => {
      try {
        s.addMembership(DISCOVERY_GROUP, LOOPBACK);
        s.off('error', reject);
        resolve(s);
      } catch (err) {
        s.close();
        reject(err);
      }
    });
  });
}

function bindSender(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4' });
    s.once('error', reject);
    s.bind(0, LOOPBACK, () => {
      s.setMulticastInterface(LOOPBACK);
      s.setMulticastLoopback(true);
      s.setMulticastTTL(1);
      s.off('error', reject);
      resolve(s);
    });
  });
}

function send(s: Socket, msg: string, port: number, address: string): Promise<void> {
  return new Promise((resolve) => s.send(msg, port, address, () => resolve()));
}

export async function startDiscoveryResponder(target: DiscoveryTarget, behaviour: DiscoveryBehaviour = {}): Promise<DiscoveryResponder> {
  const receiver = await bindReceiver();
  const sender = await bindSender();
  receiver.on('error', () => {}); // a test device must not crash its host process
  sender.on('error', () => {});
  receiver.on('message', (buf, rinfo) => {
    if (rinfo.address !== LOOPBACK) return; // loopback only, whatever reaches us
    const relatesTo = matchProbe(buf.toString('utf8'), target.scopes);
    if (relatesTo === undefined) return;
    void (async () => {
      if (behaviour.garbage) await send(sender, '\u0000\u00ffthis is not xml <<<', rinfo.port, rinfo.address);
      const answer = probeMatches(target, relatesTo, behaviour);
      for (let i = 0; i < Math.max(1, behaviour.duplicates ?? 1); i++) await send(sender, answer, rinfo.port, rinfo.address);
    })();
  });
  await send(sender, hello(target, behaviour), DISCOVERY_PORT, DISCOVERY_GROUP);

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        receiver.close();
        await send(sender, bye(target, behaviour), DISCOVERY_PORT, DISCOVERY_GROUP);
        sender.close();
      })();
      return closing;
    },
  };
}
