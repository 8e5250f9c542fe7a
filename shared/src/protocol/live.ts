/**
 * Live view: the centre asks an agent (a `command` over MQTT, the existing path) to stream one
 * camera; the agent dials OUT to the centre's relay over a WebSocket (no inbound port at the
 * site: carrier NAT, 4G) and sends the camera's stream remuxed (`ffmpeg -c copy`) as fragmented
 * MP4, in binary messages. The WebSocket upgrade carries the agent's credentials and the session's
 * one-time token in headers (never in the URL), both checked before the upgrade is accepted.
 */
import { z } from 'zod';

/** Where the agent's WebSocket connects, relative to the centre's HTTP URL. */
export const LIVE_AGENT_PATH = '/api/v1/live/agent';
/** Upgrade request headers of the agent's WebSocket. */
export const LIVE_HEADERS = {
  agent: 'x-camfleet-agent',
  /** `Bearer <agent password>`: the same secret the agent uses for MQTT. */
  authorization: 'authorization',
  session: 'x-camfleet-live-session',
  token: 'x-camfleet-live-token',
} as const;

/** Largest binary message the relay accepts from an agent (one WebSocket frame). */
export const LIVE_MAX_MESSAGE_BYTES = 4 << 20;

/** `live.start` args: stream `cameraId` to the relay under `sessionId`, proving it with `token`. */
export const LiveStartArgs = z.object({
  sessionId: z.string().uuid(),
  cameraId: z.string().min(1).max(128),
  /** 32 random bytes, hex; good for one connection within `expiresAt`. */
  token: z.string().regex(/^[0-9a-f]{64}$/),
  stream: z.enum(['sub', 'main']).default('sub'),
  /** A viewer reached this camera through a sharing grant: the agent serves it only while the grant lasts. */
  grantId: z.string().min(1).max(128).optional(),
});
export type LiveStartArgs = z.infer<typeof LiveStartArgs>;

/** `live.stop` args: nobody watches any more (or access ended); the agent ends that session. */
export const LiveStopArgs = z.object({ sessionId: z.string().uuid() });
export type LiveStopArgs = z.infer<typeof LiveStopArgs>;
