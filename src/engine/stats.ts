/**
 * Streaming and stored statistics. Quantiles come from d3-array on a sorted copy (type-7).
 */
import { quantileSorted } from "d3-array";
import { SimulationInputError } from "./errors.js";

/** Count, mean, variance (Welford), min, max — O(1) memory. */
export class Tally {
  count = 0;
  mean = 0;
  min = Infinity;
  max = -Infinity;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Sample variance (n − 1); NaN below two observations. */
  get variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : NaN;
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }
}

/** Keeps every sample (typed, growing) for exact quantiles. */
export class SampleStore {
  private data = new Float64Array(64);
  private n = 0;
  private sorted: Float64Array | null = null;

  add(x: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = x;
    this.sorted = null;
  }

  get count(): number {
    return this.n;
  }

  values(): Float64Array {
    return this.data.slice(0, this.n);
  }

  /** Type-7 quantile, p in [0, 1]; NaN when empty. */
  quantile(p: number): number {
    if (!(p >= 0 && p <= 1)) throw new SimulationInputError(`quantile: p must be in [0, 1], got ${p}`);
    if (this.n === 0) return NaN;
    this.sorted ??= this.values().sort();
    return quantileSorted(this.sorted as unknown as number[], p) ?? NaN;
  }
}

/** Fixed-width bins over [lo, hi) with underflow and overflow counts. */
export class Histogram {
  readonly counts: Float64Array;
  underflow = 0;
  overflow = 0;
  private readonly width: number;

  constructor(readonly lo: number, readonly hi: number, readonly bins: number) {
    if (!(hi > lo) || !Number.isInteger(bins) || bins < 1) {
      throw new SimulationInputError(`histogram: need hi > lo and an integer bins ≥ 1, got [${lo}, ${hi}) with ${bins}`);
    }
    this.counts = new Float64Array(bins);
    this.width = (hi - lo) / bins;
  }

  add(x: number, weight = 1): void {
    if (x < this.lo) this.underflow += weight;
    else if (x >= this.hi) this.overflow += weight;
    else this.counts[Math.min(this.bins - 1, Math.floor((x - this.lo) / this.width))]! += weight;
  }
}

/** Time-weighted average of a piecewise-constant signal (utilisation, queue length). */
export class TimeWeighted {
  private lastTime: number;
  private area = 0;

  constructor(private value: number, private readonly start: number) {
    this.lastTime = start;
  }

  /** The signal changes to `value` at `time` (non-decreasing). */
  set(time: number, value: number): void {
    if (time < this.lastTime) throw new SimulationInputError(`time-weighted: time went back from ${this.lastTime} to ${time}`);
    this.area += this.value * (time - this.lastTime);
    this.lastTime = time;
    this.value = value;
  }

  /** Average over [start, time]. */
  average(time: number): number {
    const span = time - this.start;
    if (span <= 0) return this.value;
    return (this.area + this.value * (time - this.lastTime)) / span;
  }
}
