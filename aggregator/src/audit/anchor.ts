/**
 * The audit chain's anchor outside the database. The chain alone (chain.ts) catches an edit, but
 * whoever can write the database can also recompute every hash after the edit, cut the tail and
 * move the head, or delete an entry and renumber the rest: the rebuilt chain is consistent. So the
 * centre signs what it wrote, with a key the database never holds, into files the database never
 * holds:
 *
 * - `head.json`: the last entry written (seq, hash, time), signed, replaced after every entry;
 * - `checkpoints.jsonl`: one signed line every `checkpointEvery` entries, never rewritten.
 *
 * Signature: HMAC-SHA256 under the anchor key (a SecretRef in the configuration, or a random key
 * created once in the anchor directory with mode 0600). `verifyChain(..., anchors)` then demands
 * that every signed point still holds: the entry at that seq exists with that hash.
 * Single writer: one aggregator process appends to a database's trail.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, type SecretRef } from '@camfleet/shared';

export interface SignedPoint {
  seq: number;
  hash: string;
  at: string;
  mac: string;
}

export interface AnchorConfig {
  dir: string;
  /** The HMAC key; absent: `<dir>/anchor.key`, created on first use. */
  key?: SecretRef;
  checkpointEvery: number;
}

/** What the anchor files say, with the signatures already checked. */
export interface AnchorState {
  head: SignedPoint | undefined;
  checkpoints: SignedPoint[];
  /** Lines or files whose signature does not verify (forged or damaged). */
  forged: string[];
}

const MIN_KEY_BYTES = 32;

export class AuditAnchor {
  private lastSeq = 0;

  constructor(
    readonly dir: string,
    private readonly key: Buffer,
    private readonly checkpointEvery: number,
  ) {
    if (key.length < MIN_KEY_BYTES) throw new Error(`the audit anchor key must have at least ${MIN_KEY_BYTES} bytes`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Opens the anchor of a configuration; creates the directory and (if not configured) the key. */
  static open(cfg: AnchorConfig, env: NodeJS.ProcessEnv = process.env): AuditAnchor {
    mkdirSync(cfg.dir, { recursive: true, mode: 0o700 });
    let key: Buffer;
    if (cfg.key) key = Buffer.from(resolveSecret(cfg.key, env));
    else {
      const file = join(cfg.dir, 'anchor.key');
      if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      key = Buffer.from(readFileSync(file, 'utf8').trim());
    }
    return new AuditAnchor(cfg.dir, key, cfg.checkpointEvery);
  }

  /** Opens an anchor only if one was ever written (for `audit verify` without explicit settings). */
  static existing(cfg: AnchorConfig, env: NodeJS.ProcessEnv = process.env): AuditAnchor | undefined {
    return existsSync(join(cfg.dir, 'head.json')) ? AuditAnchor.open(cfg, env) : undefined;
  }

  private sign(p: Omit<SignedPoint, 'mac'>): string {
    return createHmac('sha256', this.key).update(`camfleet-audit-anchor\n${p.seq}\n${p.hash}\n${p.at}`).digest('hex');
  }

  private valid(p: SignedPoint): boolean {
    if (typeof p?.mac !== 'string' || !Number.isSafeInteger(p.seq) || typeof p.hash !== 'string' || typeof p.at !== 'string') return false;
    const want = Buffer.from(this.sign(p), 'hex');
    const got = Buffer.from(p.mac, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /**
   * Called after each entry is committed. Synchronous on purpose: the head on disk never lags the
   * database by more than the entry being written (a crash in between leaves one unanchored entry,
   * which verify reports).
   */
  written(e: { seq: number; hash: string; at: string }): void {
    if (e.seq <= this.lastSeq) return;
    this.lastSeq = e.seq;
    const point: SignedPoint = { seq: e.seq, hash: e.hash, at: e.at, mac: this.sign(e) };
    const tmp = join(this.dir, 'head.json.tmp');
    writeFileSync(tmp, JSON.stringify(point), { mode: 0o600 });
    renameSync(tmp, join(this.dir, 'head.json'));
    if (e.seq === 1 || e.seq % this.checkpointEvery === 0) appendFileSync(join(this.dir, 'checkpoints.jsonl'), JSON.stringify(point) + '\n', { mode: 0o600 });
  }

  /**
   * Anchors a trail that had entries before anchoring was switched on (trust on first use: the
   * state at that moment is what later verifications hold the database to).
   */
  adopt(head: { seq: number; hash: string } | undefined, at: string): void {
    if (!head || existsSync(join(this.dir, 'head.json'))) return;
    this.written({ ...head, at });
  }

  read(): AnchorState {
    const forged: string[] = [];
    let head: SignedPoint | undefined;
    const headFile = join(this.dir, 'head.json');
    if (existsSync(headFile)) {
      try {
        const p = JSON.parse(readFileSync(headFile, 'utf8')) as SignedPoint;
        if (this.valid(p)) head = p;
        else forged.push('head.json');
      } catch {
        forged.push('head.json');
      }
    }
    const checkpoints: SignedPoint[] = [];
    const cpFile = join(this.dir, 'checkpoints.jsonl');
    if (existsSync(cpFile)) {
      for (const [i, line] of readFileSync(cpFile, 'utf8').split('\n').entries()) {
        if (!line.trim()) continue;
        try {
          const p = JSON.parse(line) as SignedPoint;
          if (this.valid(p)) checkpoints.push(p);
          else forged.push(`checkpoints.jsonl:${i + 1}`);
        } catch {
          forged.push(`checkpoints.jsonl:${i + 1}`);
        }
      }
    }
    return { head, checkpoints, forged };
  }
}
