/**
 * Kernel noise drawn per node: every rank's CPU runs its own copy of the kernel model's noise
 * sources — the tick at its node's own random phase, Poisson kernel threads and daemons — drawn
 * lazily as the rank's time advances, with the serialisation kernel-noise.ts applies (one
 * activity at a time, in arrival order). Replaying K sampled traces (RankNoise) gives every
 * node a window of the same K × window seconds of noise, so at 10^6 ranks the longest detour
 * any iteration meets is the longest of that pool; here it is the longest of all nodes' own
 * draws, as on a machine whose nodes are independent. Per rank: the current detour, the end of
 * the last one (cycles) and each source's next arrival (cycles).
 */
import type { RandomStream } from "../../engine/index.js";
import type { NoiseSource } from "../hardware/cpu.js";
import { PeriodicNoise, PoissonNoise, poissonGap } from "../hardware/noise.js";
import { RankDetours } from "./detours.js";

export class NodeNoise extends RankDetours {
  private readonly lastEnd: Float64Array;
  private readonly arrival: Float64Array[];
  /** Per source: its period (periodic) or mean gap (Poisson) in unscaled cycles, and its scale. */
  private readonly periodic: boolean[];
  private readonly step: number[];
  private readonly scale: number[];

  /**
   * `sources`: one CPU's noise sources (periodic or Poisson); their `duration()` draws every
   * node's durations, and `rng` the phases and gaps, both in the deterministic order ranks ask.
   */
  constructor(
    ranks: number,
    private readonly sources: readonly NoiseSource[],
    private readonly nsPerCycle: number,
    private readonly rng: RandomStream,
  ) {
    super(ranks);
    this.periodic = sources.map((s) => {
      if (s instanceof PeriodicNoise) return true;
      if (s instanceof PoissonNoise) return false;
      throw new RangeError(`noise source '${s.name}' is neither periodic nor Poisson: it cannot be drawn per node (use noise.sampling: pooled)`);
    });
    this.step = sources.map((s) => (s instanceof PeriodicNoise ? s.period : (s as PoissonNoise).meanGap));
    this.scale = sources.map((s) => (s as PeriodicNoise | PoissonNoise).scale);
    this.lastEnd = new Float64Array(ranks).fill(-Infinity);
    this.arrival = sources.map(() => new Float64Array(ranks));
    for (let r = 0; r < ranks; r++) {
      for (let k = 0; k < sources.length; k++) {
        // The tick: a whole-cycle phase in [0, period) per node; Poisson: the first gap from 0.
        this.arrival[k]![r] = this.periodic[k] ? Math.floor(rng.uniform() * this.step[k]!) * this.scale[k]! : this.gap(k);
      }
      this.next(r);
    }
  }

  get bytesPerRank(): number {
    return (3 + this.sources.length) * Float64Array.BYTES_PER_ELEMENT;
  }

  /** A Poisson source's next gap in scaled cycles, drawn as PoissonNoise does. */
  private gap(k: number): number {
    return poissonGap(this.step[k]!, this.scale[k]!, this.rng);
  }

  protected next(r: number): void {
    let k = -1, best = Infinity;
    for (let i = 0; i < this.arrival.length; i++) {
      const a = this.arrival[i]![r]!;
      if (a < best) { best = a; k = i; }
    }
    if (k < 0) {
      this.nextStart[r] = this.nextEnd[r] = Infinity;
      return;
    }
    const cycles = this.sources[k]!.duration();
    this.arrival[k]![r] = best + (this.periodic[k] ? this.step[k]! * this.scale[k]! : this.gap(k));
    const start = Math.max(best, this.lastEnd[r]!);
    const end = (this.lastEnd[r] = start + cycles);
    this.nextStart[r] = start * this.nsPerCycle;
    this.nextEnd[r] = end * this.nsPerCycle;
  }
}
