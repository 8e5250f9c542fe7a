/**
 * A simulated site: N fake cameras, each an RTSP stream (one shared GStreamer RTSP server)
 * plus an ONVIF device whose stream URI points at it. For tests, the demo and benchmarks.
 *
 *   const site = await startSimulatedSite({ cameras: 3 });
 *   site.cameras  // [{ id: 'cam1', name: 'Sim Camera 1', rtspUrl, onvifUrl }, ...]
 *   await site.stopCamera('cam2'); await site.startCamera('cam2'); await site.close();
 *
 * CLI (runs until Ctrl-C, prints the cameras as JSON on one line):
 *   node --import tsx test/sim/site.ts --cameras 3 [--audio] [--auth none|usernameToken|digest]
 *        [--username u --password p] [--discovery] [--width 640 --height 360 --fps 10] [--preencoded]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startRtspSim, type RtspSim } from './rtsp.ts';
import { startOnvifDevice, type OnvifDeviceOptions, type OnvifDeviceSim } from './onvif/index.ts';

export interface SimulatedSiteOptions {
  cameras: number;
  audio?: boolean | 'bang';
  /** ONVIF authentication of every device (default usernameToken). */
  auth?: 'usernameToken' | 'digest' | 'none';
  /** Account of every device (default admin / camfleet-sim). */
  credentials?: { username: string; password: string };
  /** RTSP streams require the same credentials (Digest). Default: true unless auth is 'none'. */
  rtspAuth?: boolean;
  /** Stream shape of every camera (default 640x360 @ 10 fps: cheap). */
  width?: number;
  height?: number;
  fps?: number;
  /** Serve pre-encoded loops instead of live encoding (for many/large cameras in benchmarks). */
  preencoded?: boolean;
  /** Devices answer WS-Discovery on loopback multicast. Default false (tests opt in). */
  discovery?: boolean;
  /** Extra device options (manufacturer, clock offset, ...) per camera index (0-based). */
  device?: (index: number) => Partial<OnvifDeviceOptions>;
}

export interface SimCamera {
  id: string;
  name: string;
  rtspUrl: string;
  onvifUrl: string;
}

export interface SimulatedSite {
  rtsp: RtspSim;
  devices: OnvifDeviceSim[];
  cameras: SimCamera[];
  /** The camera goes off the network: its RTSP mount is removed (viewers dropped), its ONVIF device stops answering. */
  stopCamera(id: string): Promise<void>;
  startCamera(id: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_SIM_CREDENTIALS = { username: 'admin', password: 'camfleet-sim' } as const;

export async function startSimulatedSite(opts: SimulatedSiteOptions): Promise<SimulatedSite> {
  if (!Number.isInteger(opts.cameras) || opts.cameras < 1) throw new Error('startSimulatedSite: cameras must be a positive integer');
  const auth = opts.auth ?? 'usernameToken';
  const credentials = opts.credentials ?? DEFAULT_SIM_CREDENTIALS;
  const rtspAuth = opts.rtspAuth ?? auth !== 'none';
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const fps = opts.fps ?? 10;
  const ids = Array.from({ length: opts.cameras }, (_, i) => `cam${i + 1}`);

  const rtsp = await startRtspSim({
    streams: ids.map((name) => ({ name, width, height, fps, audio: opts.audio, preencoded: opts.preencoded })),
    ...(rtspAuth ? { username: credentials.username, password: credentials.password } : {}),
  });
  const devices: OnvifDeviceSim[] = [];
  try {
    for (const [i, id] of ids.entries()) {
      devices.push(
        await startOnvifDevice({
          name: `Sim Camera ${i + 1}`,
          auth,
          username: credentials.username,
          password: credentials.password,
          serialNumber: `SIM${String(i + 1).padStart(6, '0')}`,
          mac: `02:00:00:00:${String(Math.floor((i + 1) / 256) % 100).padStart(2, '0')}:${((i + 1) % 256).toString(16).padStart(2, '0')}`,
          location: 'simulated-site',
          media1: true,
          media2: true,
          profiles: [{ token: 'main', name: 'MainStream', encoding: 'H264', width, height, fps, bitrateKbps: undefined, streamUrl: rtsp.url(id) }],
          discovery: opts.discovery ?? false,
          ...opts.device?.(i),
        }),
      );
    }
  } catch (err) {
    await Promise.all(devices.map((d) => d.close()));
    await rtsp.close();
    throw err;
  }

  const cameras: SimCamera[] = ids.map((id, i) => ({ id, name: `Sim Camera ${i + 1}`, rtspUrl: rtsp.url(id), onvifUrl: devices[i]!.url }));
  const deviceOf = (id: string) => {
    const i = ids.indexOf(id);
    if (i < 0) throw new Error(`simulated site: no camera ${id}`);
    return devices[i]!;
  };

  let closing: Promise<void> | undefined;
  return {
    rtsp,
    devices,
    cameras,
    async stopCamera(id) {
      const device = deviceOf(id);
      await rtsp.stopCamera(id);
      await device.setOnline(false);
    },
    async startCamera(id) {
      const device = deviceOf(id);
      await rtsp.startCamera(id);
      await device.setOnline(true);
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(devices.map((d) => d.close()));
        await rtsp.close();
      })();
      return closing;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cameras: { type: 'string', default: '3' },
      audio: { type: 'boolean', default: false },
      auth: { type: 'string', default: 'usernameToken' },
      username: { type: 'string' },
      password: { type: 'string' },
      discovery: { type: 'boolean', default: false },
      preencoded: { type: 'boolean', default: false },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
    },
  });
  const auth = values.auth as SimulatedSiteOptions['auth'];
  if (!['none', 'usernameToken', 'digest'].includes(auth ?? '')) throw new Error(`--auth must be none, usernameToken or digest`);
  if ((values.username === undefined) !== (values.password === undefined)) throw new Error('--username and --password go together');
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const site = await startSimulatedSite({
    cameras: Number(values.cameras),
    audio: values.audio,
    auth,
    credentials: values.username !== undefined ? { username: values.username, password: values.password! } : undefined,
    discovery: values.discovery,
    preencoded: values.preencoded,
    width: num(values.width),
    height: num(values.height),
    fps: num(values.fps),
  });
  // The password is the caller's (or the documented default): not printed.
  console.log(JSON.stringify({ rtspPort: site.rtsp.port, auth, username: values.username ?? DEFAULT_SIM_CREDENTIALS.username, cameras: site.cameras }));
  const stop = () => {
    void site.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(String(err instanceof Error ? err.message : err));
    process.exit(1);
  });
}
