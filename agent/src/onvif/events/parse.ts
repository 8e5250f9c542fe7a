// Readers for the ONVIF event service's answers (WS-BaseNotification PullPoint):
// CreatePullPointSubscriptionResponse (subscription address, termination time) and
// PullMessagesResponse (notification messages: topic, UTC time, property operation, source and
// data items). Hostile answers (oversized, malformed, missing pieces) are refused with a clear
// error by the safe XML layer and by the checks here; one bad message does not sink the others.
import { attr, children, child, findFirst, text, textAt, type XmlNode } from '../xml.ts';
import { ruleFor, type CameraEventKind } from './topics.ts';

export class EventAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventAnswerError';
  }
}

export interface Subscription {
  /** Where PullMessages, Renew and Unsubscribe go (as the camera says; pinned by the caller). */
  address: string;
  currentTime?: string;
  terminationTime?: string;
}

export function parseCreatePullPointSubscription(body: XmlNode): Subscription {
  const res = findFirst(body, 'CreatePullPointSubscriptionResponse');
  if (!res) throw new EventAnswerError('no CreatePullPointSubscriptionResponse in the answer');
  return readSubscription(res);
}

/** The CreatePullPointSubscriptionResponse element itself (what OnvifClient.call returns). */
export function readSubscription(res: XmlNode): Subscription {
  const address = textAt(res, 'SubscriptionReference', 'Address');
  if (!/^https?:\/\//i.test(address) || address.length > 2048) throw new EventAnswerError(`subscription address ${JSON.stringify(address.slice(0, 100))} is not an http(s) URL`);
  return { address, currentTime: textAt(res, 'CurrentTime') || undefined, terminationTime: textAt(res, 'TerminationTime') || undefined };
}

export interface CameraMessage {
  topic: string;
  utcTime?: string;
  /** Initialized (the state when subscribing), Changed, Deleted. */
  operation?: string;
  source: Record<string, string>;
  data: Record<string, string>;
}

export interface MappedEvent {
  kind: CameraEventKind;
  /** true: began; false: ended; undefined: instantaneous. */
  active?: boolean;
  message: CameraMessage;
}

function items(node: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of children(node, 'SimpleItem').slice(0, 32)) {
    const name = attr(item, 'Name');
    const value = attr(item, 'Value');
    if (name && value !== undefined && name.length <= 128) out[name] = value.slice(0, 256);
  }
  return out;
}

/** The notification messages of a PullMessagesResponse (at most `max`), and its times. */
export function parsePullMessages(body: XmlNode, max = 100): PulledMessages {
  const res = findFirst(body, 'PullMessagesResponse');
  if (!res) throw new EventAnswerError('no PullMessagesResponse in the answer');
  return readPullMessages(res, max);
}

export interface PulledMessages {
  currentTime?: string;
  terminationTime?: string;
  messages: CameraMessage[];
}

/** The PullMessagesResponse element itself (what OnvifClient.call returns). */
export function readPullMessages(res: XmlNode, max = 100): PulledMessages {
  const messages: CameraMessage[] = [];
  for (const n of children(res, 'NotificationMessage').slice(0, max)) {
    const topic = text(child(n, 'Topic'));
    const msg = child(n, 'Message', 'Message');
    if (!topic || !msg || topic.length > 512) continue;
    messages.push({ topic, utcTime: attr(msg, 'UtcTime'), operation: attr(msg, 'PropertyOperation'), source: items(child(msg, 'Source')), data: items(child(msg, 'Data')) });
  }
  return { currentTime: textAt(res, 'CurrentTime') || undefined, terminationTime: textAt(res, 'TerminationTime') || undefined, messages };
}

const TRUE = new Set(['true', '1', 'on', 'active']);
const FALSE = new Set(['false', '0', 'off', 'inactive']);

/**
 * A camera message as a camfleet camera event, or undefined for topics not mapped and for
 * "Initialized" messages saying a condition is off (the camera's state dump when subscribing).
 */
export function mapMessage(m: CameraMessage): MappedEvent | undefined {
  const rule = ruleFor(m.topic);
  if (!rule) return undefined;
  if (rule.instant) {
    const name = rule.stateItems.find((n) => n in m.data);
    if (name && FALSE.has(m.data[name]!.toLowerCase())) return undefined;
    return m.operation === 'Initialized' ? undefined : { kind: rule.kind, message: m };
  }
  const name = rule.stateItems.find((n) => n in m.data);
  if (!name) return undefined;
  const v = m.data[name]!.toLowerCase();
  const active = TRUE.has(v) ? true : FALSE.has(v) ? false : undefined;
  if (active === undefined) return undefined;
  if (m.operation === 'Initialized' && !active) return undefined;
  return { kind: rule.kind, active, message: m };
}
