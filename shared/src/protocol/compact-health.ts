/**
 * Compact health samples on the wire (protocol v2). A health sample repeats the same nine keys
 * for every camera, and each camera's chain link is 64 hex characters; on a metered 4G uplink that
 * is most of the sample. On the wire the cameras become a table: the column names once per sample,
 * then one array per camera, booleans as 0/1, absent fields as null, the chain link in base64url
 * (43 characters). `npm run bench -- ingest` prints the bytes per camera of both forms.
 *
 *   { "sampledAt": "...", "cols": ["cameraId", "online", ...], "rows": [["gate-1", 1, ...], ...] }
 *
 * In memory, and for every reader, a sample keeps its ordinary form (`cameras: CameraHealth[]`):
 * encodeMessage compacts, decodeMessage expands. The columns are named in each sample (not fixed
 * by version), so a field added later travels without another protocol bump; a column this side
 * does not know is refused.
 */

/** Fields of CameraHealth whose values are booleans, and the one that is a hex chain link. */
const BOOLEAN_FIELDS = new Set(['online', 'recording']);
const HEX_FIELDS = new Set(['chainHead']);
/** Every CameraHealth field, in the order columns are written (messages.ts checks it matches). */
export const HEALTH_COLUMNS = ['cameraId', 'online', 'recording', 'fps', 'bitrateKbps', 'lastSegmentAt', 'gapsLastHour', 'bytesStored', 'chainHead'] as const;

type Row = unknown[];

export interface CompactHealth {
  sampledAt: unknown;
  coalesced?: unknown;
  cols: string[];
  rows: Row[];
}

const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** The wire form of a health body (cameras as a table). Fields other than the known columns are dropped, as the schema would. */
export function compactHealth(body: { sampledAt: string; coalesced?: number; cameras: Array<Record<string, unknown>> }): CompactHealth {
  // Only the columns some camera fills: an agent that never reports a field does not pay for it.
  const cols = HEALTH_COLUMNS.filter((c) => c === 'cameraId' || body.cameras.some((cam) => cam[c] !== undefined));
  const rows = body.cameras.map((cam) =>
    cols.map((c) => {
      const v = cam[c];
      if (v === undefined) return null;
      if (BOOLEAN_FIELDS.has(c) && typeof v === 'boolean') return v ? 1 : 0;
      if (HEX_FIELDS.has(c) && isHex64(v)) return Buffer.from(v, 'hex').toString('base64url');
      return v;
    }),
  );
  const out: CompactHealth = { sampledAt: body.sampledAt, cols, rows };
  if (body.coalesced !== undefined) out.coalesced = body.coalesced;
  return out;
}

export function isCompactHealth(body: unknown): body is CompactHealth {
  return !!body && typeof body === 'object' && 'cols' in body && 'rows' in body;
}

/**
 * The ordinary form of a compact body, for the schema to validate. Structural problems (unknown
 * or repeated columns, a row of the wrong length) are reported; values are left to the schema.
 */
export function expandHealth(body: CompactHealth): { ok: true; body: unknown } | { ok: false; detail: string } {
  const { cols, rows } = body;
  if (!Array.isArray(cols) || !cols.every((c) => typeof c === 'string')) return { ok: false, detail: 'health cols must be a list of names' };
  const unknown = cols.filter((c) => !(HEALTH_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) return { ok: false, detail: `unknown health column(s): ${unknown.join(', ')}` };
  if (new Set(cols).size !== cols.length) return { ok: false, detail: 'repeated health column' };
  if (!Array.isArray(rows) || rows.length > 1000) return { ok: false, detail: 'health rows must be a list of at most 1000' };
  const cameras: Array<Record<string, unknown>> = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== cols.length) return { ok: false, detail: `a health row has ${Array.isArray(row) ? row.length : 'no'} values for ${cols.length} columns` };
    const cam: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      const v = row[i];
      if (v === null) return;
      if (BOOLEAN_FIELDS.has(c) && (v === 0 || v === 1)) cam[c] = v === 1;
      else if (HEX_FIELDS.has(c) && typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v)) cam[c] = Buffer.from(v, 'base64url').toString('hex');
      else cam[c] = v;
    });
    cameras.push(cam);
  }
  const out: Record<string, unknown> = { sampledAt: body.sampledAt, cameras };
  if (body.coalesced !== undefined) out.coalesced = body.coalesced;
  return { ok: true, body: out };
}
