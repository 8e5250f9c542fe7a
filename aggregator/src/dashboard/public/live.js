// Live updates: reads GET /api/v1/stream (server-sent events) with fetch, because EventSource
// cannot send the Authorization header. The events are only hints ("the fleet changed"); pages
// re-fetch through the API, so nothing arrives here that the user may not see.
import { authHeaders } from './api.js';

const listeners = new Set();
let controller;
let stateListener = () => {};

export function onFleetChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function clearFleetListeners() {
  listeners.clear();
}

export function onLiveState(fn) {
  stateListener = fn;
}

export function stopLive() {
  controller?.abort();
  controller = undefined;
  stateListener('off');
}

export function startLive() {
  stopLive();
  const own = new AbortController();
  controller = own;
  void run(own.signal);
}

async function run(signal) {
  let backoff = 1000;
  let connectedBefore = false;
  while (!signal.aborted) {
    stateListener('connecting');
    try {
      const res = await fetch('/api/v1/stream', { headers: { ...authHeaders(), Accept: 'text/event-stream' }, signal });
      // No such route, or this user may not watch fleet health: no live updates, and no retrying.
      if (res.status === 404 || res.status === 403) return stateListener('unavailable');
      if (res.status === 401) return stateListener('off');
      if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
      backoff = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          if (event === 'hello') {
            stateListener('live');
            // After a reconnect, changes may have been missed: refresh once.
            if (connectedBefore) for (const fn of listeners) fn();
            connectedBefore = true;
          }
          if (event === 'fleet') for (const fn of listeners) fn();
        }
      }
    } catch (err) {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    stateListener('connecting');
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 30_000);
  }
}
