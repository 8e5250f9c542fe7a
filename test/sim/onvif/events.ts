// The simulated camera's ONVIF event service (WS-BaseNotification PullPoint): subscriptions with
// a termination time, PullMessages that waits (up to its Timeout, capped at 2 s here) for
// notifications, Renew, Unsubscribe. `emit()` queues a notification for every live subscription;
// `reset()` drops them all, as a camera reboot does (the agent must subscribe again).
import { randomUUID } from 'node:crypto';
import { envelope, fault, text, type SoapRequest } from './soap.ts';

export const EVENT_SERVICE_PATH = '/onvif/event_service';
export const SUBSCRIPTION_PATH = '/onvif/subscription/';

export interface SimNotification {
  topic: string;
  source?: Record<string, string>;
  data: Record<string, string>;
  operation?: 'Initialized' | 'Changed' | 'Deleted';
  utcTime?: string;
}

interface Sub {
  expiresMs: number;
  queue: SimNotification[];
  wake?: () => void;
}

const NS = 'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics"';
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** ISO 8601 durations as ONVIF clients send them (PT10S, PT1M, PT0.5S); undefined when unreadable. */
export function durationMs(v: string | undefined): number | undefined {
  const m = v ? /^P(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)$/.exec(v.trim()) : null;
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Math.round((Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000);
}

export class SimEventService {
  private readonly subs = new Map<string, Sub>();
  /** Answers so far by operation (tests read them). */
  readonly calls: string[] = [];

  constructor(private readonly baseUrl: () => string, private readonly now: () => number = Date.now) {}

  get subscriptions(): number {
    this.expire();
    return this.subs.size;
  }

  emit(n: SimNotification): void {
    this.expire();
    for (const s of this.subs.values()) {
      s.queue.push(n);
      s.wake?.();
    }
  }

  /** A reboot: every subscription is gone; their addresses answer "unknown subscription". */
  reset(): void {
    for (const s of this.subs.values()) s.wake?.();
    this.subs.clear();
  }

  private expire(): void {
    for (const [id, s] of this.subs) if (s.expiresMs <= this.now()) this.subs.delete(id);
  }

  handles(path: string): boolean {
    return path === EVENT_SERVICE_PATH || path.startsWith(SUBSCRIPTION_PATH);
  }

  async answer(path: string, soap: SoapRequest): Promise<{ status: number; xml: string }> {
    this.calls.push(soap.operation);
    this.expire();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const ok = (body: string) => ({ status: 200, xml: envelope(body.replace(/^<([\w:]+)/, `<$1 ${NS}`)) });
    if (path === EVENT_SERVICE_PATH) {
      if (soap.operation !== 'CreatePullPointSubscription') return { status: 500, xml: fault('Receiver', ['ter:ActionNotSupported'], `${soap.operation} is not supported here`) };
      const ttl = durationMs(text(soap.params.InitialTerminationTime)) ?? 60_000;
      const id = randomUUID();
      this.subs.set(id, { expiresMs: this.now() + ttl, queue: [] });
      return ok(`<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${this.baseUrl()}${SUBSCRIPTION_PATH}${id}</wsa:Address></tev:SubscriptionReference><wsnt:CurrentTime>${iso(this.now())}</wsnt:CurrentTime><wsnt:TerminationTime>${iso(this.now() + ttl)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`);
    }
    const id = path.slice(SUBSCRIPTION_PATH.length);
    const sub = this.subs.get(id);
    // What cameras answer for a subscription they no longer know (expired, or lost in a reboot).
    if (!sub) return { status: 400, xml: fault('Sender', ['wsrf-rw:ResourceUnknownFault'], 'unknown subscription') };
    switch (soap.operation) {
      case 'PullMessages': {
        const wait = Math.min(durationMs(text(soap.params.Timeout)) ?? 1000, 2000);
        const limit = Math.max(1, Math.min(Number(text(soap.params.MessageLimit) ?? 10) || 10, 100));
        if (!sub.queue.length) await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          sub.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        sub.wake = undefined;
        const batch = sub.queue.splice(0, limit);
        const items = (o: Record<string, string> = {}) => Object.entries(o).map(([k, v]) => `<tt:SimpleItem Name="${esc(k)}" Value="${esc(v)}"/>`).join('');
        const msgs = batch
          .map((n) => `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${esc(n.topic)}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="${n.utcTime ?? iso(this.now())}" PropertyOperation="${n.operation ?? 'Changed'}"><tt:Source>${items(n.source)}</tt:Source><tt:Data>${items(n.data)}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`)
          .join('');
        return ok(`<tev:PullMessagesResponse><tev:CurrentTime>${iso(this.now())}</tev:CurrentTime><tev:TerminationTime>${iso(sub.expiresMs)}</tev:TerminationTime>${msgs}</tev:PullMessagesResponse>`);
      }
      case 'Renew': {
        const ttl = durationMs(text(soap.params.TerminationTime)) ?? 60_000;
        sub.expiresMs = this.now() + ttl;
        return ok(`<wsnt:RenewResponse><wsnt:TerminationTime>${iso(sub.expiresMs)}</wsnt:TerminationTime><wsnt:CurrentTime>${iso(this.now())}</wsnt:CurrentTime></wsnt:RenewResponse>`);
      }
      case 'Unsubscribe':
        this.subs.delete(id);
        sub.wake?.();
        return ok('<wsnt:UnsubscribeResponse/>');
      default:
        return { status: 500, xml: fault('Receiver', ['ter:ActionNotSupported'], `${soap.operation} is not supported here`) };
    }
  }
}
