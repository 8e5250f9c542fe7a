// The only way the dashboard talks to the aggregator: /api/v1 with the session's bearer token.
// Errors keep the API's {error:{code,message}} and are classified so pages can show
// "not available yet" (the route does not exist), "not permitted" (403) or a real error.

const SESSION_KEY = 'camfleet.session';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function saveSession(value) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
}

export function dropSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  /** The route is not offered by this aggregator (yet). */
  get unavailable() {
    return this.status === 404 && this.code === 'not-found' && /^no route /.test(this.message);
  }
  get forbidden() {
    return this.status === 403;
  }
}

let onUnauthenticated = () => {};
/** Called when the API says the token is no longer valid (expired, revoked, logged out elsewhere). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export function authHeaders(token = session()?.token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Footage (clips, snapshots, clip requests) needs a stated purpose; the API records it in the audit trail. */
export const PURPOSE_HEADER = 'X-Camfleet-Purpose';
export function purposeHeaders(purpose) {
  return purpose ? { [PURPOSE_HEADER]: purpose } : {};
}

/** fetch + error shape; returns the Response for non-JSON bodies when `raw` is set. */
export async function request(path, { method = 'GET', body, raw = false, token, headers = {}, signal } = {}) {
  const init = { method, headers: { ...authHeaders(token), ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', String(err?.message ?? err));
  }
  if (!res.ok) {
    let code = 'http-' + res.status;
    let message = res.statusText;
    try {
      const j = await res.json();
      if (j?.error) ({ code, message } = j.error);
    } catch { /* not JSON */ }
    const err = new ApiError(res.status, code, message);
    if (res.status === 401 && token === undefined) onUnauthenticated(err);
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, opts) => request(path, opts);
export const post = (path, body, opts) => request(path, { ...opts, method: 'POST', body });

/** A blob: URL for an authenticated binary (snapshot, clip); the caller revokes it. */
export async function blobUrl(path, { purpose } = {}) {
  const res = await request(path, { raw: true, headers: purposeHeaders(purpose) });
  return URL.createObjectURL(await res.blob());
}

/** Saves an authenticated download (inventory export) under the server's file name. */
export async function download(path, fallbackName) {
  const res = await request(path, { raw: true });
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
