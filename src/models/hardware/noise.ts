/**
 * Arrival processes of interfering activity on a CPU, drawn lazily (see Cpu): a periodic timer
 * tick with a random phase, and Poisson arrivals (kernel threads, daemons, device interrupts).
 * Times are whole cycles multiplied by the run's cost scale, like every other time.
 */
import type { RandomStream } from "../../engine/index.js";
import type { NoiseSource } from "./cpu.js";

export class PeriodicNoise implements NoiseSource {
  private t: number;

  /** `period` and `phase` in unscaled cycles; `duration` returns scaled cycles. */
  constructor(
    readonly name: string,
    private readonly period: number,
    phase: number,
    private readonly scale: number,
    readonly duration: () => number,
    readonly onlyWhenBusy: boolean,
    readonly indirectShare = 0,
  ) {
    if (!(period >= 1)) throw new RangeError(`${name}: period must be ≥ 1 cycle`);
    this.t = (phase - period) * scale;
  }

  nextArrival(): number {
    this.t += this.period * this.scale;
    return this.t;
  }
}

export class PoissonNoise implements NoiseSource {
  private t = 0;

  /** `meanGap` in unscaled cycles (Infinity: never fires). */
  constructor(
    readonly name: string,
    private readonly meanGap: number,
    private readonly rng: RandomStream,
    private readonly scale: number,
    readonly duration: () => number,
    readonly onlyWhenBusy: boolean,
  ) {}

  nextArrival(): number {
    if (!Number.isFinite(this.meanGap)) return Infinity;
    this.t += Math.max(1, Math.round(-this.meanGap * Math.log(this.rng.uniformPositive()))) * this.scale;
    return this.t;
  }
}
