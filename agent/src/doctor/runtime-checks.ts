/**
 * Checks of what the agent carries: the native addons (SQLite, ONNX runtime) load on this box,
 * the detection model runs, the firmware profiles validate. In the binary these prove that the
 * archive was unpacked whole and that its addons suit this system's libc.
 */
import Database from 'better-sqlite3';
import { loadProfiles } from '../firmware/load.ts';
import { nanodetOnnxPath } from '../detection/detectors/model-paths.ts';
import { NANODET_INPUT_SIZE } from '../detection/detectors/nanodet.ts';
import type { CheckResult } from './verdict.ts';

export function checkSqlite(): CheckResult {
  try {
    const db = new Database(':memory:');
    try {
      const { v } = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
      return { id: 'sqlite', status: 'ok', detail: `SQLite ${v} (better-sqlite3 addon loads)` };
    } finally {
      db.close();
    }
  } catch (err) {
    return { id: 'sqlite', status: 'fail', detail: `the SQLite addon does not load: ${(err as Error).message}`, hint: 'unpack the whole archive; the box needs glibc (Debian 12 or newer)' };
  }
}

/** Loads the model into onnxruntime and runs one inference on a blank frame. */
export async function checkDetector(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  let modelPath: string;
  try {
    modelPath = nanodetOnnxPath(env);
  } catch (err) {
    return { id: 'detector', status: 'warn', detail: (err as Error).message, hint: 'detection stays off without the model; recording is not affected' };
  }
  try {
    const { OnnxNanoDetRunner } = await import('../detection/detectors/onnx-runner.ts');
    const started = Date.now();
    const runner = await OnnxNanoDetRunner.create({ modelPath });
    const loaded = Date.now();
    await runner.run(new Float32Array(3 * NANODET_INPUT_SIZE * NANODET_INPUT_SIZE));
    const ran = Date.now();
    await runner.close();
    return { id: 'detector', status: 'ok', detail: `NanoDet on onnxruntime: model loads in ${loaded - started} ms, one frame in ${ran - loaded} ms` };
  } catch (err) {
    return { id: 'detector', status: 'fail', detail: `onnxruntime cannot run ${modelPath}: ${(err as Error).message}`, hint: 'unpack the whole archive (lib/ holds the ONNX runtime)' };
  }
}

export function checkFirmwareProfiles(): CheckResult {
  try {
    const profiles = loadProfiles();
    if (profiles.length === 0) return { id: 'firmware-profiles', status: 'warn', detail: 'no firmware profile found', hint: 'cameras will only be handled as generic ONVIF' };
    return { id: 'firmware-profiles', status: 'ok', detail: `${profiles.length} profiles (${profiles.map((p) => p.id).join(', ')})` };
  } catch (err) {
    return { id: 'firmware-profiles', status: 'fail', detail: (err as Error).message };
  }
}
