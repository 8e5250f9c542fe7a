/**
 * How far this box's clock is from the aggregator's: one request to its health route, whose
 * answer carries the server time in milliseconds, compared with the middle of the exchange (the
 * error is at most half the round trip). Recordings, events and ONVIF logins all depend on it.
 */
export interface ClockReading {
  offsetMs: number;
  roundTripMs: number;
}

export async function measureClockOffset(aggregatorHttpUrl: string, timeoutMs = 5000): Promise<ClockReading | undefined> {
  try {
    const sent = Date.now();
    const res = await fetch(new URL('/api/v1/health', aggregatorHttpUrl), { signal: AbortSignal.timeout(timeoutMs) });
    const received = Date.now();
    const body = (await res.json().catch(() => ({}))) as { time?: unknown };
    const serverMs = typeof body.time === 'string' ? Date.parse(body.time) : NaN;
    const midpoint = (sent + received) / 2;
    if (Number.isFinite(serverMs)) return { offsetMs: Math.round(serverMs - midpoint), roundTripMs: received - sent };
    // An older aggregator: the Date header, truncated to the second (+0.5 s on average).
    const date = res.headers.get('date');
    if (date) return { offsetMs: Math.round(Date.parse(date) + 500 - midpoint), roundTripMs: received - sent };
  } catch {
    // unreachable: no reading
  }
  return undefined;
}
