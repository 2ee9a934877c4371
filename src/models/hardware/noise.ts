/**
 * Arrival processes of interfering activity on a CPU, drawn lazily (see Cpu): a periodic timer
 * tick (its period and phase the kernel's: Nautilus draws one per CPU, Linux one grid for all), Poisson arrivals (kernel threads, daemons, device interrupts), and a
 * measured detour trace replayed as it was (bursts and all).
 * Times are whole cycles multiplied by the run's cost scale, like every other time.
 */
import type { RandomStream } from "../../engine/index.js";
import type { NoiseSource } from "./cpu.js";

export class PeriodicNoise implements NoiseSource {
  private t: number;

  /** `period` and `phase` in unscaled cycles; `duration` returns scaled cycles. (The at-scale model reads period and scale to draw a tick per node.) */
  constructor(
    readonly name: string,
    readonly period: number,
    phase: number,
    readonly scale: number,
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

/** An exponential gap of mean `meanGap` unscaled cycles, in whole cycles (≥ 1) times `scale`; Infinity if the mean is. */
export function poissonGap(meanGap: number, scale: number, rng: RandomStream): number {
  if (!Number.isFinite(meanGap)) return Infinity;
  return Math.max(1, Math.round(-meanGap * Math.log(rng.uniformPositive()))) * scale;
}

export class PoissonNoise implements NoiseSource {
  private t = 0;

  /** `meanGap` in unscaled cycles (Infinity: never fires). (The at-scale model reads meanGap and scale to draw arrivals per node.) */
  constructor(
    readonly name: string,
    readonly meanGap: number,
    private readonly rng: RandomStream,
    readonly scale: number,
    readonly duration: () => number,
    readonly onlyWhenBusy: boolean,
  ) {}

  nextArrival(): number {
    this.t += poissonGap(this.meanGap, this.scale, this.rng);
    return this.t;
  }
}

/**
 * A measured detour trace (start, duration in unscaled cycles, in time order), replayed from
 * `offset` into it and wrapped around at `length`: arrivals keep the measured gaps, so bursts
 * and periodic host activity come out as measured rather than as independent draws. Fires on
 * busy and idle CPUs alike (the trace was taken on a busy one). Most of a VM's detours are the
 * host's (a guest's own tick and threads are a small part), so a detour does not end the guest's
 * idle period (`outsideGuest`). `durationScale` 0 switches it off.
 */
export class TraceNoise implements NoiseSource {
  readonly onlyWhenBusy = false;
  readonly outsideGuest = true;
  private next: number;
  private base: number;
  private current = 0;

  constructor(
    readonly name: string,
    private readonly detours: ReadonlyArray<readonly [number, number]>,
    private readonly length: number,
    offset: number,
    private readonly scale: number,
    private readonly durationScale = 1,
  ) {
    if (!(length > 0) || !(offset >= 0 && offset < length)) throw new RangeError(`${name}: need 0 ≤ offset < length`);
    let i = 0;
    while (i < detours.length && detours[i]![0] < offset) i++;
    this.next = i;
    this.base = -offset;
  }

  nextArrival(): number {
    if (this.detours.length === 0 || !(this.durationScale > 0)) return Infinity;
    if (this.next === this.detours.length) {
      this.next = 0;
      this.base += this.length;
    }
    const [start, duration] = this.detours[this.next++]!;
    this.current = duration;
    return Math.round(this.base + start) * this.scale;
  }

  duration(): number {
    return Math.max(1, Math.round(this.current * this.durationScale)) * this.scale;
  }
}
