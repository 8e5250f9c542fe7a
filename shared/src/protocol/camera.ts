/** What the agent knows about one camera: probed facts, conformance and live state. */
import { z } from 'zod';

export const StreamProfile = z.object({
  token: z.string(),
  name: z.string(),
  encoding: z.string(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
  bitrateKbps: z.number().nonnegative().optional(),
  streamUri: z.string(),
  snapshotUri: z.string().optional(),
});
export type StreamProfile = z.infer<typeof StreamProfile>;

export const CameraServices = z.object({
  device: z.string(),
  media: z.string().optional(),
  media2: z.string().optional(),
  events: z.string().optional(),
  ptz: z.string().optional(),
  imaging: z.string().optional(),
});

export const CameraScopes = z.object({
  name: z.string().optional(),
  hardware: z.string().optional(),
  location: z.string().optional(),
  mac: z.string().optional(),
  serial: z.string().optional(),
  profiles: z.array(z.string()),
  /** Legacy `onvif://www.onvif.org/type/...` scopes, as written. */
  types: z.array(z.string()).optional(),
});

/** The result of probing one ONVIF device (`camfleet-agent probe --json`). Never holds a credential. */
export const CameraRecord = z.object({
  deviceServiceUrl: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  serialNumber: z.string(),
  hardwareId: z.string(),
  clockOffsetMs: z.number(),
  services: CameraServices,
  profiles: z.array(StreamProfile),
  scopes: CameraScopes,
  firmwareProfile: z.string().optional(),
  /** How the device accepted the probe's credentials. */
  auth: z.enum(['none', 'usernameToken', 'digest']).optional(),
  /** Calls the device refused or failed (faults are reported, not thrown); never holds a credential. */
  faults: z
    .array(z.object({ operation: z.string(), kind: z.string(), message: z.string().max(500) }))
    .optional(),
});
export type CameraRecord = z.infer<typeof CameraRecord>;

export const RuleStatus = z.enum(['pass', 'warn', 'fail']);
export type RuleStatus = z.infer<typeof RuleStatus>;

export const ConformanceResult = z.object({
  standard: z.string(),
  checkedAt: z.string(),
  verdict: RuleStatus,
  rules: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: RuleStatus,
      evidence: z.string(),
    }),
  ),
});
export type ConformanceResult = z.infer<typeof ConformanceResult>;

/** One camera as an agent reports it in its `cameras` message. */
export const CameraReport = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  online: z.boolean(),
  recording: z.boolean(),
  record: CameraRecord.optional(),
  conformance: ConformanceResult.optional(),
  /** Why the camera is offline or not recording, when known. */
  problem: z.string().max(500).optional(),
});
export type CameraReport = z.infer<typeof CameraReport>;
