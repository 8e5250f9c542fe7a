// Loud impulse detection (explosion- or gunshot-like): per short window, the peak level in dBFS
// is compared with the rolling background (median RMS level of the last seconds). A peak above
// `minPeakDbfs` and at least `riseDb` above the background is an event, then a cooldown.
export interface SoundConfig {
  sampleRate?: number;
  /** Analysis window. */
  windowMs?: number;
  /** How far back the background level looks. */
  backgroundMs?: number;
  /** Absolute floor: quieter peaks are never events. */
  minPeakDbfs?: number;
  /** How far above the background a peak must rise. */
  riseDb?: number;
  /** After an event, further peaks within this time belong to it. */
  cooldownMs?: number;
  /** Background needed before judging (a feed starting mid-noise is not an impulse). */
  warmupMs?: number;
}

export interface LoudSound {
  /** Time of the window holding the peak (ms, same clock as the samples' start time). */
  timeMs: number;
  peakDbfs: number;
  backgroundDbfs: number;
}

const FLOOR_DBFS = -96;

export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(FLOOR_DBFS, 20 * Math.log10(amplitude)) : FLOOR_DBFS;
}

export class LoudSoundDetector {
  private readonly cfg: Required<SoundConfig>;
  private readonly windowSamples: number;
  private readonly history: number[] = [];
  private readonly historyLength: number;
  private partial: number[] = [];
  private partialStartMs?: number;
  private cooldownUntil = -Infinity;

  constructor(config: SoundConfig = {}) {
    this.cfg = { sampleRate: 16_000, windowMs: 50, backgroundMs: 10_000, minPeakDbfs: -20, riseDb: 25, cooldownMs: 2_000, warmupMs: 1_000, ...config };
    this.windowSamples = Math.round((this.cfg.sampleRate * this.cfg.windowMs) / 1000);
    this.historyLength = Math.max(1, Math.round(this.cfg.backgroundMs / this.cfg.windowMs));
  }

  /** Background level now (median RMS dBFS of the recent windows). */
  get backgroundDbfs(): number {
    if (this.history.length === 0) return FLOOR_DBFS;
    const sorted = [...this.history].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /** Feeds s16 mono samples whose first sample was captured at `startMs`. */
  push(samples: Int16Array, startMs: number): LoudSound[] {
    const events: LoudSound[] = [];
    let offset = 0;
    while (offset < samples.length) {
      if (this.partial.length === 0) this.partialStartMs = startMs + (offset * 1000) / this.cfg.sampleRate;
      const take = Math.min(this.windowSamples - this.partial.length, samples.length - offset);
      for (let i = 0; i < take; i++) this.partial.push(samples[offset + i]!);
      offset += take;
      if (this.partial.length === this.windowSamples) {
        const event = this.window(this.partial, this.partialStartMs!);
        if (event) events.push(event);
        this.partial = [];
      }
    }
    return events;
  }

  private window(samples: number[], timeMs: number): LoudSound | undefined {
    let peak = 0;
    let energy = 0;
    for (const s of samples) {
      const v = s / 32768;
      peak = Math.max(peak, Math.abs(v));
      energy += v * v;
    }
    const peakDbfs = toDbfs(peak);
    const rmsDbfs = toDbfs(Math.sqrt(energy / samples.length));
    const background = this.backgroundDbfs;
    const warm = this.history.length * this.cfg.windowMs >= this.cfg.warmupMs;
    // The background is judged before this window joins it, so an impulse does not raise its own bar.
    this.history.push(rmsDbfs);
    if (this.history.length > this.historyLength) this.history.shift();
    if (!warm || timeMs < this.cooldownUntil) return undefined;
    if (peakDbfs >= this.cfg.minPeakDbfs && peakDbfs - background >= this.cfg.riseDb) {
      this.cooldownUntil = timeMs + this.cfg.cooldownMs;
      return { timeMs, peakDbfs: Math.round(peakDbfs * 10) / 10, backgroundDbfs: Math.round(background * 10) / 10 };
    }
    return undefined;
  }
}
