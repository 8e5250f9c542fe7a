// A camera's own events over ONVIF PullPoint: CreatePullPointSubscription, then PullMessages in a
// loop (the camera holds each call open up to `pullTimeout` while nothing happens), Renew at half
// the subscription's life, Unsubscribe on stop. A subscription that dies (the camera rebooted,
// the subscription expired, a fault, a timeout, an answer that makes no sense) is replaced after a
// jittered backoff; the camera's answers go through the same bounded, hostile-safe client as the
// probe. The subscription address the camera gives is pinned to the scheme/host/port we reached
// (a camera cannot send the agent elsewhere; NATed cameras report private addresses anyway).
import { setTimeout as sleep } from 'node:timers/promises';
import type { OnvifClient } from '../client.ts';
import { NS } from '../client.ts';
import { EventAnswerError, mapMessage, readPullMessages, readSubscription, type MappedEvent } from './parse.ts';

const WSNT = 'http://docs.oasis-open.org/wsn/b-2';

export interface PullPointOptions {
  /** A client whose per-call deadline exceeds `pullTimeoutS` (PullMessages is held open). */
  client: OnvifClient;
  /** The camera's event service (from GetServices / GetCapabilities). */
  eventServiceUrl: string;
  onEvent(event: MappedEvent): void;
  /** Why a subscription was dropped (logged by the caller; no credentials in it). */
  onProblem?(message: string): void;
  /** Subscription life asked for, renewed at half of it. Default 60 s. */
  terminationS?: number;
  /** How long the camera may hold one PullMessages. Default 3 s. */
  pullTimeoutS?: number;
  /** Messages per PullMessages. Default 50. */
  messageLimit?: number;
  backoffMs?: { min: number; max: number };
}

export interface PullPointStats {
  subscriptions: number;
  pulls: number;
  messages: number;
  events: number;
  renewals: number;
  failures: number;
}

/** Pins a camera-given URL to the scheme, host and port of the one we reached. */
function pinned(address: string, reached: string): string {
  const a = new URL(address);
  const r = new URL(reached);
  a.protocol = r.protocol;
  a.host = r.host;
  return a.toString();
}

export class PullPointSubscriber {
  readonly stats: PullPointStats = { subscriptions: 0, pulls: 0, messages: 0, events: 0, renewals: 0, failures: 0 };
  private stopped = false;
  private readonly abort = new AbortController();
  private address?: string;
  private loop?: Promise<void>;

  constructor(private readonly opts: PullPointOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops pulling and unsubscribes (best effort: the camera may be gone). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    if (this.address) await this.opts.client.call(this.address, WSNT, 'Unsubscribe').catch(() => undefined);
    this.address = undefined;
  }

  private problem(message: string): void {
    this.stats.failures++;
    this.opts.onProblem?.(message);
  }

  private async run(): Promise<void> {
    const { client } = this.opts;
    const ttlS = this.opts.terminationS ?? 60;
    const backoff = this.opts.backoffMs ?? { min: 1_000, max: 60_000 };
    let attempt = 0;
    while (!this.stopped) {
      // Subscribe.
      const created = await client.call(this.opts.eventServiceUrl, NS.events, 'CreatePullPointSubscription', `<InitialTerminationTime>PT${ttlS}S</InitialTerminationTime>`);
      let renewedAt = Date.now();
      if (created.ok) {
        try {
          this.address = pinned(readSubscription(created.response).address, this.opts.eventServiceUrl);
          this.stats.subscriptions++;
          attempt = 0;
        } catch (err) {
          this.problem(`CreatePullPointSubscription: ${(err as Error).message}`);
        }
      } else {
        this.problem(`CreatePullPointSubscription: ${created.error.kind}: ${created.error.message}`);
      }
      // Pull until the subscription fails.
      while (this.address && !this.stopped) {
        if (Date.now() - renewedAt >= (ttlS * 1000) / 2) {
          const renewed = await client.call(this.address, WSNT, 'Renew', `<TerminationTime>PT${ttlS}S</TerminationTime>`);
          if (!renewed.ok) {
            this.problem(`Renew: ${renewed.error.kind}: ${renewed.error.message}`);
            this.address = undefined;
            break;
          }
          this.stats.renewals++;
          renewedAt = Date.now();
        }
        const pulled = await client.call(this.address, NS.events, 'PullMessages', `<Timeout>PT${this.opts.pullTimeoutS ?? 3}S</Timeout><MessageLimit>${this.opts.messageLimit ?? 50}</MessageLimit>`);
        if (this.stopped) break;
        if (!pulled.ok) {
          // Expired, lost in a reboot (ResourceUnknown), unreachable: subscribe again.
          this.problem(`PullMessages: ${pulled.error.kind}: ${pulled.error.message}`);
          this.address = undefined;
          break;
        }
        this.stats.pulls++;
        try {
          const { messages } = readPullMessages(pulled.response, this.opts.messageLimit ?? 50);
          this.stats.messages += messages.length;
          for (const m of messages) {
            const e = mapMessage(m);
            if (!e) continue;
            this.stats.events++;
            this.opts.onEvent(e);
          }
        } catch (err) {
          if (!(err instanceof EventAnswerError)) throw err;
          this.problem(`PullMessages: ${err.message}`);
        }
      }
      if (this.stopped) break;
      const cap = Math.min(backoff.max, backoff.min * 2 ** Math.min(attempt++, 10));
      await sleep(cap / 2 + Math.random() * (cap / 2), undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }
}
