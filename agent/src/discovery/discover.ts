/**
 * WS-Discovery on the local network: a multicast Probe on each IPv4 interface, ProbeMatches
 * collected for a while, Hello announcements heard meanwhile; one result per endpoint reference
 * however often (and on however many interfaces) a device answers.
 */
import dgram from 'node:dgram';
import os from 'node:os';
import { buildProbe, parseDiscoveryMessage, WSD_ADDRESS, WSD_PORT, type DiscoveryMatch } from './messages.ts';

export interface DiscoveredDevice extends DiscoveryMatch {
  /** Source address of the first answer. */
  address: string;
  via: Array<'probe' | 'hello'>;
}

export interface DiscoverOptions {
  timeoutMs?: number;
  /** IPv4 addresses of the interfaces to probe on; default: every non-internal IPv4 interface. */
  interfaces?: string[];
  multicastAddress?: string;
  port?: number;
  /** Also listen on the discovery port for Hello messages (needs the port; skipped if busy). */
  listenForHello?: boolean;
  /** Called for each new device as it is found. */
  onDevice?: (d: DiscoveredDevice) => void;
}

export interface DiscoverResult {
  devices: DiscoveredDevice[];
  /** Datagrams that were not discovery answers (garbage, probes from others). */
  ignored: number;
}

export function localIPv4Interfaces(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}

/**
 * A listening session: `start()` binds the sockets (and hears Hello from then on), `probe()`
 * sends the multicast Probes, `devices` grows as answers arrive, `stop()` closes everything.
 */
export class DiscoverySession {
  readonly devices = new Map<string, DiscoveredDevice>();
  ignored = 0;
  private sockets: dgram.Socket[] = [];
  private probeSockets: dgram.Socket[] = [];
  private readonly group: string;
  private readonly port: number;
  private readonly interfaces: string[];

  constructor(private readonly opts: DiscoverOptions = {}) {
    this.group = opts.multicastAddress ?? WSD_ADDRESS;
    this.port = opts.port ?? WSD_PORT;
    this.interfaces = opts.interfaces ?? localIPv4Interfaces();
  }

  private onMessage = (via: 'probe' | 'hello') => (buf: Buffer, rinfo: dgram.RemoteInfo) => {
    const msg = parseDiscoveryMessage(buf);
    if (!msg) {
      this.ignored++;
      return;
    }
    if (msg.kind === 'Bye') return;
    for (const m of msg.matches) {
      const known = this.devices.get(m.endpointReference);
      if (!known) {
        const d: DiscoveredDevice = { ...m, address: rinfo.address, via: [via] };
        this.devices.set(m.endpointReference, d);
        this.opts.onDevice?.(d);
        continue;
      }
      for (const x of m.xaddrs) if (!known.xaddrs.includes(x) && known.xaddrs.length < 8) known.xaddrs.push(x);
      if (!known.via.includes(via)) known.via.push(via);
      if ((m.metadataVersion ?? 0) > (known.metadataVersion ?? 0)) {
        known.scopes = m.scopes;
        known.types = m.types;
        known.metadataVersion = m.metadataVersion;
      }
    }
  };

  async start(): Promise<void> {
    if (this.opts.listenForHello !== false) {
      const hello = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      hello.on('message', this.onMessage('hello'));
      try {
        await bindSocket(hello, this.port);
        let joined = 0;
        for (const ifc of this.interfaces) {
          try {
            hello.addMembership(this.group, ifc);
            joined++;
          } catch {
            // An interface without multicast: the others still work.
          }
        }
        if (joined) this.sockets.push(hello);
        else hello.close();
      } catch {
        hello.close(); // the port is taken without reuse: Probe answers still arrive
      }
    }
    for (const ifc of this.interfaces) {
      const s = dgram.createSocket({ type: 'udp4' });
      s.on('message', this.onMessage('probe'));
      await bindSocket(s, 0);
      this.sockets.push(s);
      try {
        s.setMulticastInterface(ifc);
        s.setMulticastTTL(1);
        s.setMulticastLoopback(true);
        this.probeSockets.push(s);
      } catch {
        // not a usable multicast interface
      }
    }
  }

  /** Two probe types (some firmwares answer only one), each sent twice: UDP may drop one. */
  probe(): void {
    for (const s of this.probeSockets) {
      for (const types of ['dn:NetworkVideoTransmitter', 'tds:Device']) {
        const { xml } = buildProbe(undefined, types);
        for (let i = 0; i < 2; i++) s.send(xml, this.port, this.group, () => {});
      }
    }
  }

  stop(): void {
    for (const s of this.sockets) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.sockets = [];
    this.probeSockets = [];
  }
}

function bindSocket(s: dgram.Socket, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve();
    });
  });
}

/** Probes, listens for `timeoutMs`, and returns one result per endpoint reference. */
export async function discover(opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const session = new DiscoverySession(opts);
  try {
    await session.start();
    session.probe();
    await new Promise((r) => setTimeout(r, opts.timeoutMs ?? 3_000));
  } finally {
    session.stop();
  }
  return { devices: [...session.devices.values()], ignored: session.ignored };
}
