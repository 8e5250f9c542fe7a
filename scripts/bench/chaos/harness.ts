/**
 * The kill test: a real aggregator (its own process), simulated RTSP cameras and a real agent
 * (`camfleet-agent run`, recording, detecting, uploading); the agent is SIGKILLed at random
 * moments N times and relaunched each time, the aggregator M times during the same run. Then
 * the agent runs undisturbed until its outbox and clip uploads are drained, stops, and the
 * record is checked:
 *
 *   - every segment intact, 0 chain breaks (verify of each camera);
 *   - every hole in each camera's record has a gap row with a cause;
 *   - every event the agent's outbox ever held is stored at the centre, none twice;
 *   - every clip the agent offered is complete at the centre and its bytes match its hash;
 *   - the outbox drained to 0;
 *   - no ffmpeg outlived a killed agent (and none was left for a relaunch to kill);
 *   - no error logged by a relaunched agent.
 *
 * `npm run bench -- chaos` (scripts/bench/chaos.ts) runs 100/20 kills; test/e2e/chaos.test.ts
 * a short version. Random moments come from a seeded generator: a failing run can be repeated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AggregatorConfigSchema } from '../../../aggregator/src/config.ts';
import { startAggregator } from '../../../aggregator/src/server.ts';
import { MIN_GAP_MS, unaccountedHoles } from '../../../agent/src/storage/coverage.ts';
import { openAgentDbReadonly } from '../../../agent/src/storage/db.ts';
import { SegmentIndex } from '../../../agent/src/storage/segment-index.ts';
import { verifyCamera } from '../../../agent/src/storage/verify.ts';
import { childRecords, readProcStat } from '../../../agent/src/system/child-process.ts';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { freePort } from '../../../test/support/ports.ts';
import { REPO_ROOT } from '../../../test/support/processes.ts';

export const FOOTAGE = '/usr/share/doc/opencv-doc/examples/data/vtest.avi'; // Debian's opencv-doc (installed by setup)
const AGENT_BIN = join(REPO_ROOT, 'agent/bin/camfleet-agent.js');
const AGGREGATOR_BIN = join(REPO_ROOT, 'aggregator/bin/camfleet-aggregator.js');

export interface ChaosOptions {
  workDir: string;
  agentKills: number;
  aggregatorKills: number;
  /** Simulated cameras streaming a test pattern (recorded only). */
  patternCameras?: number;
  /** One camera streaming street footage, recorded and detected (events, clips). */
  footageCamera?: boolean;
  /** Share of the kills that fall at a random moment of the agent's start-up (default 0.25). */
  startupKillShare?: number;
  /** The other kills: a random time in this range after the relaunched agent records again (default 0 to 12 s). */
  recordingKillMs?: [number, number];
  /** Clips to wait for in the calm period after the kills (0: none required). */
  minClips?: number;
  /** Deadline of the calm period (outbox drained, uploads finished). */
  settleTimeoutMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  agentKills: number;
  /** Of the agent kills, those during its start-up (before it recorded again). */
  startupKills: number;
  aggregatorKills: number;
  elapsedS: number;
  seed: number;
  cameras: string[];
  segments: { total: number; intact: number; altered: number; missing: number; expired: number; repaired: number };
  chainBreaks: number;
  gaps: { rows: number; byCause: Record<string, number>; withoutCause: number; holesWithoutRow: Array<{ cameraId: string; from: string; to: string }> };
  events: { seenInOutbox: number; atCentre: number; lost: number; storedTwice: number; recorderEventsLost: number };
  clips: { offered: number; complete: number; hashMismatch: number; incomplete: number };
  outboxLeft: number;
  orphans: { afterKill: number; killedAtRestart: number };
  restartErrors: string[];
  failures: string[];
  ok: boolean;
}

/** mulberry32: small, seeded, good enough to pick kill moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<void>;
}

function startProc(args: string[], env: NodeJS.ProcessEnv): Proc {
  // own process group (detached) so that the bench's Ctrl-C does not reach it directly; the
  // agent itself is killed by PID only, so its children are left to the kernel (pdeathsig)
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const p: Proc = { child, out: '', exited: new Promise((r) => child.once('exit', () => r())) };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

/** Processes (other than `exclude`) whose command line mentions one of the needles. */
function processesMentioning(needles: string[], exclude = new Set<number>()): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || exclude.has(Number(p)) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (needles.some((n) => cmd.includes(n)) && readProcStat(Number(p))?.state !== 'Z') out.push({ pid: Number(p), cmd: cmd.slice(0, 200) });
    } catch {
      /* exited */
    }
  }
  return out;
}

/** Log lines of one agent run that report an error: pino level >= 50, or anything unstructured but Node's warnings. */
export function errorLines(output: string): string[] {
  const bad: string[] = [];
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as { level?: number };
        if ((j.level ?? 0) >= 50) bad.push(t.slice(0, 300));
      } catch {
        bad.push(t.slice(0, 300));
      }
    } else if (!/ExperimentalWarning|--trace-warnings|^\(node:\d+\) Warning/.test(t)) bad.push(t.slice(0, 300));
  }
  return bad;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? Date.now() % 1_000_000;
  const rand = rng(seed);
  // An agent takes several seconds to start on a busy box: a share of the kills hits its start-up
  // (before it records anything), the others a random moment once it records again, so that
  // segments are cut off at every point of their 2 s, uploads are interrupted, and some runs die
  // before their first segment completes.
  const startupShare = o.startupKillShare ?? 0.25;
  const [recMin, recMax] = o.recordingKillMs ?? [0, 12_000];
  const started = Date.now();
  const aggDir = join(o.workDir, 'agg');
  const agentDir = join(o.workDir, 'agent');
  mkdirSync(aggDir, { recursive: true });
  mkdirSync(agentDir, { recursive: true });

  const streams: Array<{ name: string; width: number; height: number; fps: number; footage?: string; bitrateKbps?: number }> = [];
  for (let i = 1; i <= (o.patternCameras ?? 2); i++) streams.push({ name: `cam${i}`, width: 320, height: 240, fps: 10, bitrateKbps: 300 });
  if (o.footageCamera ?? true) {
    if (!existsSync(FOOTAGE)) throw new Error(`${FOOTAGE} (Debian package opencv-doc) is needed`);
    streams.push({ name: 'street', width: 768, height: 576, fps: 10, footage: FOOTAGE });
  }
  const cameras = streams.map((s) => s.name);
  let sim: RtspSim | undefined;
  let agg: Proc | undefined;
  let agent: Proc | undefined;
  const failures: string[] = [];
  const restartErrors: string[] = [];
  const seenEvents = new Set<number>();
  const seenClips = new Set<string>();
  let orphansAfterKill = 0;
  let killedAtRestart = 0;
  let agentKills = 0;
  let aggregatorKills = 0;
  let poller: NodeJS.Timeout | undefined;
  let outboxDb: Database.Database | undefined;
  // Ctrl-C of the bench: the agent and the aggregator are in their own process groups, so take
  // them down here (the simulated cameras die with this process by themselves)
  const killAll = () => {
    for (const p of [agent, agg]) {
      try {
        if (p && p.child.exitCode === null) process.kill(-p.child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  const onSignal = () => {
    killAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    sim = await startRtspSim({ streams });
    const mqttPort = await freePort();
    const httpPort = await freePort();
    const aggConfig = { dataDir: aggDir, mqtt: { host: '127.0.0.1', port: mqttPort }, http: { host: '127.0.0.1', port: httpPort }, log: { level: 'warn' } };
    // the agent's identity, created once the way the fleet store creates it
    const setup = await startAggregator(AggregatorConfigSchema.parse(aggConfig));
    const creds = setup.fleet.createAgent('chaos-site');
    await setup.close();
    const aggConfigFile = join(o.workDir, 'aggregator.json');
    writeFileSync(aggConfigFile, JSON.stringify(aggConfig));
    const credentialsFile = join(o.workDir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify({ ...creds, mqttUrl: `mqtt://127.0.0.1:${mqttPort}` }), { mode: 0o600 });
    const agentConfigFile = join(o.workDir, 'agent.json');
    writeFileSync(
      agentConfigFile,
      JSON.stringify({
        dataDir: agentDir,
        credentialsFile,
        heartbeatSeconds: 2,
        recording: { segmentSeconds: 2 },
        detection: { fps: 2, prerollMs: 2000, postrollMs: 2000, sound: { enabled: false } },
        // detection on the footage camera only: the pattern cameras are there to be recorded
        cameras: cameras.map((id) => ({ id, rtspUrl: sim!.url(id), detect: id === 'street' })),
      }),
    );

    const startAgg = async () => {
      agg = startProc([AGGREGATOR_BIN, 'run', '--config', aggConfigFile], { CAMFLEET_LOG_LEVEL: 'warn' });
      await until('the aggregator listening', async () => agg!.child.exitCode === null && (await portOpen(mqttPort)), 60_000, 100).catch((err) => {
        throw new Error(`${(err as Error).message}\n${agg!.out.slice(-2000)}`);
      });
    };
    const killAgg = async () => {
      if (!agg) return;
      try {
        process.kill(-agg.child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await agg.exited;
      aggregatorKills++;
    };

    const needles = [agentDir, `127.0.0.1:${sim.port}/`];
    const startAgent = () => {
      agent = startProc([AGENT_BIN, 'run', '--config', agentConfigFile], { CAMFLEET_LOG_LEVEL: 'warn' });
    };
    const pollAgentDb = () => {
      try {
        outboxDb ??= new Database(join(agentDir, 'agent.db'), { readonly: true, fileMustExist: true });
        for (const r of outboxDb.prepare("SELECT seq FROM outbox WHERE type = 'event'").all() as { seq: number }[]) seenEvents.add(r.seq);
        for (const r of outboxDb.prepare('SELECT clip_id FROM clip_uploads').all() as { clip_id: string }[]) seenClips.add(r.clip_id);
      } catch {
        /* not created yet, or busy: the next poll */
      }
    };
    poller = setInterval(pollAgentDb, 150);

    await startAgg();
    const aggEvery = o.aggregatorKills > 0 ? Math.max(1, Math.floor(o.agentKills / o.aggregatorKills)) : Infinity;
    const recordingSince = (t: number): boolean => {
      if (!outboxDb) return false;
      const r = outboxDb.prepare('SELECT MAX(alive_ms) AS t FROM recording_state WHERE alive_cause IS NULL').get() as { t: number | null } | undefined;
      return (r?.t ?? 0) > t;
    };
    let startupKills = 0;
    for (let i = 1; i <= o.agentKills; i++) {
      const launchedAt = Date.now();
      startAgent();
      let runFor: number;
      if (rand() < startupShare) {
        startupKills++;
        runFor = rand() * 10_000;
      } else {
        await until('the relaunched agent recording', () => {
          pollAgentDb();
          return recordingSince(launchedAt) || agent!.child.exitCode !== null;
        }, 120_000, 100).catch(() => log(`run ${i}: not recording after 120 s; killed anyway`));
        runFor = recMin + rand() * (recMax - recMin);
      }
      const aggKillHere = aggregatorKills < o.aggregatorKills && i % aggEvery === 0;
      if (aggKillHere) {
        // the centre dies in the middle of this agent run and comes back after a moment
        await sleep(runFor / 2);
        await killAgg();
        await sleep(300 + rand() * 1500);
        await startAgg();
        await sleep(runFor / 2);
      } else await sleep(runFor);
      pollAgentDb();
      const a = agent!;
      const records = childRecords(agentDir);
      try {
        process.kill(a.child.pid!, 'SIGKILL');
      } catch {
        /* died by itself: reported below through its output */
      }
      await a.exited;
      agentKills++;
      // the kernel's parent-death signal takes the ffmpegs down with the agent
      const left = await until(
        'the killed agent\'s children gone',
        () => {
          const alive = processesMentioning(needles).concat(records.filter((r) => readProcStat(r.pid)?.startTicks === r.startTicks && readProcStat(r.pid)?.state !== 'Z').map((r) => ({ pid: r.pid, cmd: r.name })));
          return alive.length === 0 ? [] : undefined;
        },
        3000,
        50,
      ).catch(() => processesMentioning(needles));
      if (left.length) {
        orphansAfterKill += left.length;
        log(`kill ${i}: ${left.length} process(es) outlived the agent: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
      }
      const errors = errorLines(a.out);
      killedAtRestart += (a.out.match(/killed child processes left by an earlier agent/g) ?? []).length;
      restartErrors.push(...errors.map((e) => `run ${i}: ${e}`));
      if (i % 10 === 0 || i === o.agentKills) log(`agent kills: ${i}/${o.agentKills}, aggregator kills: ${aggregatorKills}/${o.aggregatorKills}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }

    // calm: the last agent runs until it records every camera again and has offered the clips
    // asked for; then the street camera goes away (people keep walking in its footage, so new
    // events and clips would never stop) and the agent delivers everything it owes the centre
    startAgent();
    const calmStart = Date.now();
    const settleMs = o.settleTimeoutMs ?? 10 * 60_000;
    const settled = (what: string, check: () => boolean) =>
      until(what, () => {
        pollAgentDb();
        return !!outboxDb && check();
      }, settleMs, 500).then(
        () => true,
        (err: Error) => {
          failures.push(err.message);
          return false;
        },
      );
    const count = (sql: string) => (outboxDb!.prepare(sql).get() as { n: number }).n;
    const recordingAgain = () =>
      cameras.every((c) => ((outboxDb!.prepare('SELECT MAX(indexed_at_ms) AS t FROM segments WHERE camera_id = ?').get(c) as { t: number | null }).t ?? 0) > calmStart);
    if (await settled('every camera recording again and the clips wanted offered', () => recordingAgain() && seenClips.size >= (o.minClips ?? 0))) {
      if (cameras.includes('street')) await sim.stopCamera('street');
      // drained, and still so after the tracks the camera's departure ended have become events
      // and clips: nothing new for 15 s
      let last = '';
      let lastChange = Date.now();
      await settled('outbox drained and clip uploads finished', () => {
        const outbox = count('SELECT COUNT(*) AS n FROM outbox');
        const offered = count("SELECT COUNT(*) AS n FROM clip_uploads WHERE state = 'offered'");
        const now = JSON.stringify([outbox, offered, seenEvents.size, seenClips.size, count('SELECT COUNT(*) AS n FROM clip_uploads')]);
        if (now !== last) {
          last = now;
          lastChange = Date.now();
        }
        return outbox === 0 && offered === 0 && Date.now() - lastChange > 15_000;
      });
    }
    // a clean stop of the last run
    agent!.child.kill('SIGTERM');
    await Promise.race([agent!.exited, sleep(30_000)]);
    restartErrors.push(...errorLines(agent!.out).map((e) => `final run: ${e}`));
    killedAtRestart += (agent!.out.match(/killed child processes left by an earlier agent/g) ?? []).length;
    const leftAfterStop = await until('children gone after stop', () => (processesMentioning(needles).length === 0 ? true : undefined), 10_000, 100).catch(() => false);
    if (!leftAfterStop) orphansAfterKill += processesMentioning(needles).length;
    clearInterval(poller);
    pollAgentDb();
    const outboxLeft = outboxDb ? (outboxDb.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n : -1;
    outboxDb?.close();
    outboxDb = undefined;
    // stop the centre cleanly and read what it stored
    agg!.child.kill('SIGTERM');
    await Promise.race([agg!.exited, sleep(15_000)]);
    await killAgg().catch(() => undefined);
    aggregatorKills--; // the clean stop above is not one of the kills

    // --- the record, checked ---
    const index = new SegmentIndex(openAgentDbReadonly(agentDir));
    const segments = { total: 0, intact: 0, altered: 0, missing: 0, expired: 0, repaired: 0 };
    let chainBreaks = 0;
    const byCause: Record<string, number> = {};
    let gapRows = 0;
    let withoutCause = 0;
    const holesWithoutRow: ChaosReport['gaps']['holesWithoutRow'] = [];
    for (const cameraId of cameras) {
      const report = await verifyCamera(index, agentDir, cameraId);
      segments.total += report.segments.length;
      for (const k of ['intact', 'altered', 'missing', 'expired'] as const) segments[k] += report.counts[k];
      chainBreaks += report.chainBreaks.length;
      const rows = index.chain(cameraId);
      segments.repaired += rows.filter((r) => r.origin === 'repaired').length;
      const gaps = index.gaps(cameraId);
      gapRows += gaps.length;
      for (const g of gaps) {
        byCause[g.cause] = (byCause[g.cause] ?? 0) + 1;
        if (!g.cause || g.cause === 'unknown') withoutCause++;
      }
      for (const h of unaccountedHoles(rows.map((r) => ({ fromMs: r.startMs, toMs: r.endMs })), gaps, MIN_GAP_MS)) {
        holesWithoutRow.push({ cameraId, from: new Date(h.fromMs).toISOString(), to: new Date(h.toMs).toISOString() });
      }
    }
    const recorderEventIds = (index.db.prepare('SELECT id FROM recorder_events').all() as { id: string }[]).map((r) => r.id);
    const agentClips = new Map(
      (index.db.prepare('SELECT clip_id, state FROM clip_uploads').all() as { clip_id: string; state: string }[]).map((r) => [r.clip_id, r.state]),
    );
    index.db.close();

    const centre = await startAggregator(AggregatorConfigSchema.parse({ ...aggConfig, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } }));
    let events: ChaosReport['events'];
    let clips: ChaosReport['clips'];
    try {
      const stored = centre.ingest.store!.events({ agentId: creds.agentId, limit: 1_000_000 });
      const seqs = new Set(stored.map((e) => e.seq));
      const ids = new Map<string, number>();
      const happenings = new Map<string, number>();
      for (const e of stored) {
        ids.set(e.eventId, (ids.get(e.eventId) ?? 0) + 1);
        // the same happening reported under two ids (a re-emitted gap, say) is stored twice too
        const key = JSON.stringify([e.kind, e.cameraId, e.startedAt, e.endedAt ?? null, e.data]);
        happenings.set(key, (happenings.get(key) ?? 0) + 1);
      }
      const storedTwice = [...ids.values()].filter((n) => n > 1).length + [...happenings.values()].filter((n) => n > 1).length;
      const lost = [...seenEvents].filter((s) => !seqs.has(s)).length;
      const storedIds = new Set(ids.keys());
      events = { seenInOutbox: seenEvents.size, atCentre: stored.length, lost, storedTwice, recorderEventsLost: recorderEventIds.filter((id) => !storedIds.has(id)).length };
      const centreClips = new Map(centre.uplink.clips.list({ agentId: creds.agentId, limit: 1_000_000 }).map((c) => [c.clipId, c]));
      let complete = 0;
      let hashMismatch = 0;
      let incomplete = 0;
      for (const clipId of new Set([...seenClips, ...agentClips.keys()])) {
        const c = centreClips.get(clipId);
        const agentState = agentClips.get(clipId);
        if (!c || c.state !== 'complete') {
          // an upload the agent itself gave up (its export failed, say) is not a delivery loss, but is counted
          incomplete++;
          failures.push(`clip ${clipId}: ${c ? c.state : 'not at the centre'} (agent: ${agentState ?? 'row gone'})`);
          continue;
        }
        const file = centre.uplink.clips.filePath(c);
        const actual = file && existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : undefined;
        if (actual !== c.sha256) hashMismatch++;
        else complete++;
      }
      clips = { offered: seenClips.size, complete, hashMismatch, incomplete };
    } finally {
      await centre.close();
    }

    const report: ChaosReport = {
      agentKills,
      startupKills,
      aggregatorKills,
      elapsedS: Math.round((Date.now() - started) / 1000),
      seed,
      cameras,
      segments,
      chainBreaks,
      gaps: { rows: gapRows, byCause, withoutCause, holesWithoutRow },
      events,
      clips,
      outboxLeft,
      orphans: { afterKill: orphansAfterKill, killedAtRestart },
      restartErrors,
      failures,
      ok: false,
    };
    if (segments.altered || segments.missing) failures.push(`segments not intact: ${segments.altered} altered, ${segments.missing} missing`);
    if (chainBreaks) failures.push(`${chainBreaks} chain break(s)`);
    if (holesWithoutRow.length) failures.push(`${holesWithoutRow.length} hole(s) without a gap row`);
    if (withoutCause) failures.push(`${withoutCause} gap row(s) without a cause`);
    if (events.lost || events.recorderEventsLost) failures.push(`events lost: ${events.lost} from the outbox, ${events.recorderEventsLost} of the recorder's`);
    if (events.storedTwice) failures.push(`${events.storedTwice} event(s) stored twice`);
    if (clips.hashMismatch) failures.push(`${clips.hashMismatch} clip(s) whose bytes do not match their hash`);
    if (outboxLeft !== 0) failures.push(`outbox not drained: ${outboxLeft} left`);
    if (orphansAfterKill || killedAtRestart) failures.push(`orphans: ${orphansAfterKill} outlived a killed agent, ${killedAtRestart} killed by a relaunch`);
    if (restartErrors.length) failures.push(`${restartErrors.length} error line(s) logged by relaunched agents`);
    if ((o.minClips ?? 0) > clips.offered) failures.push(`only ${clips.offered} clip(s) offered, wanted ${o.minClips}`);
    report.ok = failures.length === 0;
    return report;
  } finally {
    clearInterval(poller);
    outboxDb?.close();
    killAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sim?.close();
  }
}

/** The figures, one per line, for people. */
export function formatReport(r: ChaosReport): string {
  const lines = [
    `agent kills ${r.agentKills} (${r.startupKills} during start-up), aggregator kills ${r.aggregatorKills}, ${r.elapsedS} s, seed ${r.seed}, cameras ${r.cameras.join(', ')}`,
    `segments           ${r.segments.total} (${r.segments.intact} intact, ${r.segments.altered} altered, ${r.segments.missing} missing, ${r.segments.expired} expired; ${r.segments.repaired} repaired after a kill)`,
    `chain breaks       ${r.chainBreaks}`,
    `gap rows           ${r.gaps.rows} (${Object.entries(r.gaps.byCause).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'})`,
    `holes without row  ${r.gaps.holesWithoutRow.length}${r.gaps.holesWithoutRow.length ? `: ${r.gaps.holesWithoutRow.slice(0, 5).map((h) => `${h.cameraId} ${h.from}..${h.to}`).join(', ')}` : ''}`,
    `gaps without cause ${r.gaps.withoutCause}`,
    `events             ${r.events.seenInOutbox} seen in the outbox, ${r.events.atCentre} stored at the centre, ${r.events.lost} lost, ${r.events.recorderEventsLost} recorder events lost, ${r.events.storedTwice} stored twice`,
    `clips              ${r.clips.offered} offered, ${r.clips.complete} complete with matching hash, ${r.clips.hashMismatch} hash mismatch, ${r.clips.incomplete} incomplete`,
    `outbox left        ${r.outboxLeft}`,
    `orphan processes   ${r.orphans.afterKill} outlived a kill, ${r.orphans.killedAtRestart} killed at a relaunch`,
    `restart errors     ${r.restartErrors.length}${r.restartErrors.length ? `:\n  ${r.restartErrors.slice(0, 10).join('\n  ')}` : ''}`,
    r.ok ? 'RESULT: OK (0 in every loss column)' : `RESULT: FAILED\n  ${r.failures.join('\n  ')}`,
  ];
  return lines.join('\n');
}
