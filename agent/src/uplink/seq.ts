/**
 * The per-agent monotonic sequence number of the envelope. It must never repeat across restarts
 * (the aggregator de-duplicates by (agentId, seq)), so numbers are reserved in blocks on disk:
 * after a crash the agent skips the rest of the block instead of reusing it.
 */
import { readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';

const BLOCK = 1000;

export class SeqCounter {
  private next: number;
  private reservedUpTo: number;

  constructor(private readonly file: string) {
    let start = 1;
    try {
      start = Number(JSON.parse(readFileSync(file, 'utf8')).reservedUpTo) || 1;
    } catch {
      // first start: begin at 1
    }
    this.next = start;
    this.reservedUpTo = start;
  }

  take(): number {
    if (this.next >= this.reservedUpTo) this.reserve(this.next + BLOCK);
    return this.next++;
  }

  private reserve(upTo: number): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ reservedUpTo: upTo }));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    this.reservedUpTo = upTo;
  }
}
