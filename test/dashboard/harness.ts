/**
 * What the dashboard's browser tests share: a real aggregator on loopback (broker, ingest, API,
 * dashboard), site agents that speak protocol v1 over MQTT through the broker, and Debian's
 * Chromium driven by playwright-core (no browser download).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createLogger, encodeMessage, makeMessage, topicFor, type CameraReport, type MessageType, type BodyOf } from '@camfleet/shared';
import { loadAggregatorConfig } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';
import { fileURLToPath } from 'node:url';
import { readSeedFile, loadSeed } from '../../aggregator/src/seed/load.ts';
import { tempDir } from '../support/tmp.ts';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

export interface TestAggregator {
  agg: RunningAggregator;
  url: string;
  close(): Promise<void>;
}

export async function startTestAggregator(overrides: Record<string, unknown> = {}): Promise<TestAggregator> {
  const dir = tempDir('camfleet-dash-');
  const config = loadAggregatorConfig(undefined, {
    dataDir: dir.path,
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    ...overrides,
  });
  const agg = await startAggregator(config, createLogger('aggregator', { level: 'warn' }));
  return {
    agg,
    url: agg.httpUrl,
    async close() {
      await agg.close();
      dir.cleanup();
    },
  };
}

/** A site agent as the aggregator sees it: an MQTT client publishing protocol v1 messages. */
export class FakeSite {
  private seq = 0;
  private constructor(
    readonly agentId: string,
    private readonly client: MqttClient,
  ) {}

  /** Connects as `agentId`, registering it first unless its MQTT password is given. */
  static async connect(agg: RunningAggregator, agentId: string, name?: string, password = agg.fleet.createAgent(agentId, name).password): Promise<FakeSite> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agg.mqttPort}`, {
      clientId: agentId,
      username: agentId,
      password,
      reconnectPeriod: 0,
      will: { topic: topicFor('status', agentId), payload: encodeMessage(makeMessage('status', agentId, 0, { state: 'offline' })), qos: 1, retain: true },
    });
    const site = new FakeSite(agentId, client);
    await site.send('status', { state: 'online' });
    return site;
  }

  async send<T extends MessageType>(type: T, body: BodyOf<T>): Promise<void> {
    const topic = type === 'status' ? 'status' : type === 'cameras' ? 'cameras' : type === 'heartbeat' ? 'heartbeat' : type === 'event' ? 'events' : type === 'health' ? 'health' : undefined;
    if (!topic) throw new Error(`FakeSite.send: no topic for ${type}`);
    await this.client.publishAsync(topicFor(topic, this.agentId), encodeMessage(makeMessage(type, this.agentId, ++this.seq, body)), { qos: 1, retain: topic === 'status' || topic === 'cameras' });
  }

  reportCameras(cameras: CameraReport[]): Promise<void> {
    return this.send('cameras', { cameras });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export const CITY_FIXTURE = fileURLToPath(new URL('./fixtures/city.json', import.meta.url));
export const USER_PASSWORD = 'correct horse battery staple';

/**
 * Loads the small city of fixtures/city.json (areas, organisations, sites, cameras, users with
 * USER_PASSWORD) and returns its agents' MQTT passwords, so tests can connect them as sites.
 */
export async function seedCity(agg: RunningAggregator, file = CITY_FIXTURE): Promise<Map<string, string>> {
  const seed = readSeedFile(file);
  const passwords = new Map<string, string>();
  for (const site of seed.sites) for (const agentId of site.agents) passwords.set(agentId, agg.fleet.createAgent(agentId, site.name).password);
  await loadSeed(seed, { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: USER_PASSWORD });
  return passwords;
}

/** A bearer token for a seeded user (what `camfleet-aggregator user token` prints). */
export function tokenFor(agg: RunningAggregator, username: string): string {
  const user = agg.users.byUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return agg.users.issueToken(user.id, 'browser test', 3600);
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile; `viewport` picks laptop or phone size. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; isMobile?: boolean } = {}): Promise<TestBrowser> {
  const profile = tempDir('camfleet-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: process.env.CAMFLEET_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: opts.viewport ?? { width: 1366, height: 850 },
    isMobile: opts.isMobile,
    hasTouch: opts.isMobile,
    locale: 'en-GB',
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // Anything the dashboard tries to fetch off the aggregator is a bug: it must work offline.
  const offsite: string[] = [];
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/]).*/, (route) => {
    const url = route.request().url();
    if (url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      profile.cleanup();
      if (offsite.length) throw new Error(`the dashboard tried to reach off the aggregator: ${offsite.join(', ')}`);
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the login page with username and password; waits for the first page. */
export async function signIn(page: Page, url: string, username: string, password = USER_PASSWORD): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#topbar:not([hidden]) #whoami', { hasText: username }).waitFor();
  await page.locator('main:not([data-page="login"]) .page').waitFor();
}

/** Signs in through the login page with an API token (the server-issued kind). */
export async function signInWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.locator('details.token-login summary').click();
  await page.locator('#token').fill(token);
  await page.locator('#token-form button[type=submit]').click();
  await page.locator('main[data-page="overview"] .tiles').waitFor();
}

/** A small real JPEG (ffmpeg's test pattern), as an agent attaches to an object event. */
export function testJpeg(width = 160, height = 90): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}`, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'], { timeout: 30_000 });
}

/** A probe record as an agent reports it (loopback address; no credential, as always). */
export function probeRecord(manufacturer: string, model: string, firmwareVersion: string): NonNullable<CameraReport['record']> {
  return {
    deviceServiceUrl: 'http://127.0.0.1:8000/onvif/device_service',
    manufacturer, model, firmwareVersion, serialNumber: 'SN-0001', hardwareId: 'HW-1', clockOffsetMs: 120,
    services: { device: 'http://127.0.0.1:8000/onvif/device_service' },
    profiles: [{ token: 'main', name: 'mainStream', encoding: 'H264', width: 1920, height: 1080, fps: 25, streamUri: 'rtsp://127.0.0.1:8554/main' }],
    scopes: { profiles: ['S', 'T'], mac: '00:11:22:33:44:55' },
  };
}

export function camera(id: string, name: string, state: { online?: boolean; recording?: boolean; problem?: string; verdict?: 'pass' | 'warn' | 'fail'; record?: CameraReport['record'] } = {}): CameraReport {
  const online = state.online ?? true;
  return {
    id,
    name,
    online,
    recording: state.recording ?? online,
    problem: state.problem,
    record: state.record,
    conformance: state.verdict
      ? { standard: 'hanoi-2025', checkedAt: new Date().toISOString(), verdict: state.verdict, rules: [{ id: 'codec', title: 'H.264 or H.265 main stream', status: state.verdict, evidence: 'main stream H.264 1920x1080' }] }
      : undefined,
  };
}
