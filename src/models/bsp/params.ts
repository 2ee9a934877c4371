/** Parameters of the `bsp` model (supersteps and fine-grained parallel-for on one machine). */
import { Schema } from "effect";
import { CostScaleParam, MAX_COST_SCALE } from "../hardware/params.js";
import { WORKLOAD_KERNELS } from "../legion/measurements.js";
import { KERNELS } from "../kernel/types.js";
import { distributionWithMeanAtMost } from "../atscale/params.js";
import { RuntimeCostOverrides } from "../runtime/index.js";

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

export const BARRIERS = ["kernel", "ideal"] as const;
export const NOISE = ["kernel", "tick-only", "none"] as const;
export const WAKEUPS = ["threads", "condvar", "poll", "nemo"] as const;
export type Wakeup = (typeof WAKEUPS)[number];

/**
 * Largest parallel-for grain and mean superstep work, cycles: 100 × the default ladder's largest
 * grain (10^7). Each CPU's noise (Linux's tick alone: 1000 Hz) preempts such work ~500 times, and
 * a mean far beyond it ticks through for hours of wall time or passes the engine's exact time.
 */
export const MAX_GRAIN = 1e9;

export const BspParams = Schema.Struct({
  machine: Schema.Literals(["x64", "phi"]),
  kernel: Schema.Literals(KERNELS),
  /** Threads, one pinned per CPU 0..threads−1 (default: every CPU). */
  threads: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
  /** superstep: number of supersteps (default 100). */
  supersteps: Schema.optional(PositiveInt),
  /** superstep: cycles of work per thread per superstep: a number or any engine distribution, mean ≤ MAX_GRAIN. */
  work: Schema.optional(distributionWithMeanAtMost(MAX_GRAIN, `a mean of at most ${MAX_GRAIN.toExponential()} cycles per superstep (the largest grain)`)),
  /**
   * superstep: the work as `elements` elements of a measured workload kernel (the Legion
   * workloads' inner loops, legion/data/host-workloads.json) instead of `work`; `cyclesPerHostTsc`
   * replaces the machine's ratio (legion/data/compute-scale.json; needed on a machine file).
   */
  workload: Schema.optional(Schema.Struct({
    kernel: Schema.Literals(WORKLOAD_KERNELS),
    elements: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1e12 })),
    cyclesPerHostTsc: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(MAX_COST_SCALE))),
  })),
  /** superstep: the kernel's barrier, or an ideal one (zero cost: all leave when the last arrives). */
  barrier: Schema.optional(Schema.Literals(BARRIERS)),
  /** kernel: the kernel's noise sources; tick-only: Linux without kernel threads/daemons/IRQs; none. */
  noise: Schema.optional(Schema.Literals(NOISE)),
  /** parallel-for: how tasks reach the cores: a thread per task, a pool woken by condvar, by polling, or by Nemo events. */
  wakeup: Schema.optional(Schema.Literals(WAKEUPS)),
  /**
   * parallel-for: the grains swept, cycles per task (default 10^2 … 10^7, 3 per decade); at least
   * one (none emits nothing), each ≤ MAX_GRAIN (a larger task is ticked through for hours of wall time).
   */
  grains: Schema.optional(Schema.Array(PositiveInt.check(Schema.isLessThanOrEqualTo(MAX_GRAIN))).check(Schema.isMinLength(1))),
  /** parallel-for: parallel-for calls timed per grain (default 10). */
  repetitions: Schema.optional(PositiveInt),
  /** parallel-for: efficiency that makes a grain "efficient" (default 0.9). */
  target: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(1))),
  /** Nautilus: kick IPIs (default: the kernel's default). */
  kicks: Schema.optional(Schema.Boolean),
  /** Runtime bookkeeping cost overrides (cycles). */
  runtime: Schema.optional(Schema.Struct({ costs: Schema.optional(RuntimeCostOverrides) })),
  /** Integer multiplier of every time quantity (metamorphic tests), 1..MAX_COST_SCALE (1000); default 1. */
  costScale: Schema.optional(CostScaleParam),
});
export type BspParams = typeof BspParams.Type;

/** 10^2 … 10^7 cycles, three per decade (1, 2.15, 4.64 ×). */
export const DEFAULT_GRAINS: readonly number[] = Array.from({ length: 16 }, (_, i) => Math.round(100 * 10 ** (i / 3)));
