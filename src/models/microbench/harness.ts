/**
 * The harness shared by the experiments: parameters, a booted kernel on a machine, and how
 * measurements are emitted (and remembered for breakdowns).
 */
import { Schema } from "effect";
import { CostScaleParam } from "../hardware/params.js";
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { MachineFile } from "../hardware/machine-file.js";
import type { ParameterOverrides } from "../hardware/overrides.js";
import type { ParameterFile } from "../hardware/params.js";
import { MACHINES, type MachineProfile } from "../hardware/profile.js";
import type { Thread } from "../kernel/objects.js";
import { kernelMachineProblem } from "../kernel/registry.js";
import { KERNELS, type Gen, type Kernel, type ThreadRef } from "../kernel/types.js";
import { LinuxKernel } from "../linux/kernel.js";
import { NautilusKernel } from "../nautilus/kernel.js";
import type { Observation } from "../plugin.js";

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

/** benchmark.c's NUM_THREADS: CPU 0 plus the 63 remote CPUs its per-CPU experiments use. */
export const NUM_THREADS = 64;

export const MicrobenchParams = Schema.Struct({
  machine: Schema.Literals(MACHINES),
  kernel: Schema.Literals(KERNELS),
  /** Trials per measurement point; default as the authors (100; spinlock 1000). */
  trials: Schema.optional(PositiveInt),
  /** Warm-up rounds of the IPI experiments (default 100, as the authors). */
  warmup: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /** Nautilus: kick IPIs when a thread becomes ready on a remote CPU (default: config.kicks, off as KICK_SCHEDULE). */
  kicks: Schema.optional(Schema.Boolean),
  /** Linux: kernel-thread, daemon and device-interrupt noise besides the tick (default true). */
  linuxNoise: Schema.optional(Schema.Boolean),
  /** Linux: allow deep idle states (default: the data file's config.c6). */
  deepIdle: Schema.optional(Schema.Boolean),
  /** Only the first n remote CPUs (per-core experiments, threads-long sizes); default all. */
  remoteCpus: Schema.optional(PositiveInt),
  /** Multiplies every time quantity by this integer, 1..MAX_COST_SCALE (1000) (metamorphic tests); default 1. */
  costScale: Schema.optional(CostScaleParam),
}).check(Schema.makeFilter((p) => kernelMachineProblem(p.kernel, p.machine) ?? true));
export type MicrobenchParams = typeof MicrobenchParams.Type;

export interface Measurement {
  readonly core: number;
  readonly start: number;
  readonly end: number;
  /** Step id of the end stamp (recording runs only). */
  readonly endStep: number;
  /** The value emitted, if not end − start (e.g. a total ÷ 200). */
  readonly value?: number;
}

export class Harness {
  readonly sim: Simulation;
  readonly machine: Machine;
  readonly kernel: Kernel;
  readonly observations: Observation[] = [];
  /** The first measurement of each core (for breakdowns). */
  readonly firstByCore = new Map<number, Measurement>();

  /** Pins (or unpins) main whatever the experiment says: the host's harness.c pins it to CPU 0 for every thread experiment. */
  pinMain: boolean | undefined;

  constructor(
    readonly params: MicrobenchParams,
    seed: string,
    record: boolean,
    /** Parameter files instead of the data files: [host] calibration candidates, or modified configurations. */
    data?: { readonly machine?: MachineProfile; readonly linux?: ParameterFile; readonly nautilus?: ParameterFile },
    /** User overrides and machine file (scenario `parameters`, `--set`, `machineFile`). */
    user: { readonly overrides?: ParameterOverrides; readonly machine?: MachineFile } = {},
  ) {
    this.sim = new Simulation({ seed });
    this.machine = new Machine({
      sim: this.sim, machine: data?.machine ?? user.machine ?? params.machine, streamPrefix: params.kernel, costScale: params.costScale ?? 1, record,
      ...(user.overrides ? { overrides: user.overrides } : {}),
    });
    this.kernel = params.kernel === "nautilus"
      ? new NautilusKernel(this.machine, {
        ...(params.kicks === undefined ? {} : { kicks: params.kicks }), ...(data?.nautilus ? { parameters: data.nautilus } : {}),
      })
      : new LinuxKernel(this.machine, {
        noise: params.linuxNoise ?? true, ...(params.deepIdle === undefined ? {} : { deepIdle: params.deepIdle }),
        ...(data?.linux ? { parameters: data.linux } : {}),
      });
  }

  trials(authors: number): number {
    return this.params.trials ?? authors;
  }

  get warmup(): number {
    return this.params.warmup ?? 100; // ipi.c's 100 warm-up rounds (harness constant)
  }

  /** Remote CPUs 1..n−1, or the first `remoteCpus` of them. */
  remoteCpus(): number[] {
    const n = Math.min(this.machine.cpuCount - 1, this.params.remoteCpus ?? Infinity);
    return Array.from({ length: n }, (_, i) => i + 1);
  }

  /**
   * The remote CPUs benchmark.c loops over: 1..NUM_THREADS−1 with NUM_THREADS = 64 on both
   * machines (its completion mask is one 64-bit word), or the first `remoteCpus` of them.
   */
  benchmarkCpus(): number[] {
    return this.remoteCpus().filter((c) => c < NUM_THREADS);
  }

  /**
   * The harness's DELAY(us) macro (benchmark.h): udelay — a busy TSC loop — on Nautilus, and
   * usleep — the thread sleeps and its CPU idles — in the Linux build.
   */
  *harnessDelay(self: ThreadRef, us: number): Gen<void> {
    if (this.kernel.name === "nautilus") yield* this.kernel.delay(self, this.us(us));
    else yield* this.kernel.sleep(self, this.us(us));
  }

  /** Harness delays are wall-clock: microseconds → cycles of this machine, times the scale. */
  us(x: number): number {
    return Math.round(x * this.machine.clockGHz * 1e3) * this.machine.scale;
  }

  /** A per-trial count beside the measurements (e.g. how often the harness's margin failed). */
  count(metric: string, value: number, labels: Record<string, number>): void {
    this.observations.push({ metric, value, labels });
  }

  emit(m: Measurement): void {
    const value = m.value ?? m.end - m.start;
    this.observations.push({ metric: "cycles", value, labels: { core: m.core } });
    if (!this.firstByCore.has(m.core)) this.firstByCore.set(m.core, m);
  }

  /** Step id of the thread's last recorded step (breakdowns), −1 when not recording. */
  lastStep(t: ThreadRef): number {
    return (t as Thread).lastStep;
  }

  /**
   * Boots the harness's main thread on CPU 0. Under Linux it is not pinned unless said: the
   * __USER build of b512503's benchmark.c pins main only in time_cvar_bcast
   * (pthread_setaffinity_np(pthread_self(), BSP_CORE)); its children inherit that mask.
   * Nautilus threads are always bound.
   */
  main(body: (self: ThreadRef) => Gen<unknown>, options: { readonly pinned?: boolean } = {}): void {
    this.kernel.boot({ name: "main", cpu: 0, body, pinned: this.pinMain ?? options.pinned ?? false });
  }
}

/** A child that does nothing (the created thread of the creation experiments). */
export function* emptyBody(): Gen<void> {
  // returns at once: the thread exits
}
