/**
 * One Legion run: a machine and a kernel (native or as an HVM guest), the runtime layer with a
 * worker per core 1..cores−1, the top-level task on CPU 0 acting as the utility processor, and
 * the workload's iterations. Iteration t ends when its last task (circuit) or its ‖r‖
 * reduction (HPCG) triggers.
 */
import type { MachineFile } from "../hardware/machine-file.js";
import type { MachineName, MachineProfile } from "../hardware/profile.js";
import type { KernelName } from "../kernel/types.js";
import { condvarRaceHint } from "../nautilus/condvar.js";
import { failOn, failOnRunEnd, type RunLimits, type UserParameters } from "../plugin.js";
import { BLOCKED_WORKER, Runtime, buildKernelWorld, type KernelWorld, type RtEvent } from "../runtime/index.js";
import { circuitGraph, circuitIteration } from "./circuit.js";
import { coresProblem, placementProblem } from "./constraints.js";
import { computeCosts, computeScaleProblem, type ComputeCosts } from "./compute.js";
import { hpcgIteration } from "./hpcg.js";
import { Legion } from "./legion.js";
import { circuitShape, coresOf, hpcgShape, inHvm, type LegionParams } from "./params.js";
import { virtualizedProfile } from "./virtual.js";

export const WORKLOADS = ["circuit", "hpcg"] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface LegionRun {
  readonly world: KernelWorld;
  readonly runtime: Runtime;
  readonly legion: Legion;
  readonly compute: ComputeCosts;
  /** The event ending each iteration (its `at` and `step`). */
  readonly ends: readonly RtEvent[];
  readonly events: number;
}

/** The world a run uses (tests pass their own, e.g. a kernel whose costs are all zero). */
/** The machine a run simulates: the virtualized x64 in the HVM, else the user's profile or the named machine. */
export function legionMachine(p: LegionParams, machine?: MachineFile): MachineName | MachineProfile {
  return inHvm(p) ? virtualizedProfile() : machine ?? p.machine;
}

export function legionWorld(p: LegionParams, kernel: KernelName, seed: string, record: boolean, user: UserParameters = {}): KernelWorld {
  failOn(placementProblem(p));
  return buildKernelWorld({
    seed: `${seed}/${kernel}`, machine: legionMachine(p, user.machine), kernel, record,
    ...(user.overrides ? { overrides: user.overrides } : {}),
    ...(p.costScale === undefined ? {} : { costScale: p.costScale }),
    ...(p.kicks === undefined ? {} : { kicks: p.kicks }),
    ...(p.linuxNoise === undefined ? {} : { linuxNoise: p.linuxNoise }),
    ...(p.deepIdle === undefined ? {} : { deepIdle: p.deepIdle }),
  });
}

export function simulateLegion(world: KernelWorld, p: LegionParams, workload: Workload, limits: RunLimits, trace = false): LegionRun {
  failOn(coresProblem(p, world.machine.name, world.machine.cpuCount));
  const cores = coresOf(p, world.machine.cpuCount);
  const rt = new Runtime(world.kernel, {
    cores: Array.from({ length: cores - 1 }, (_, i) => i + 1), idle: p.runtime?.idle ?? "block", trace,
    ...(p.runtime?.costs === undefined ? {} : { costs: p.runtime.costs }),
  });
  const legion = new Legion(rt, p.legion);
  failOn(computeScaleProblem(world.machine.name, p.compute?.cyclesPerHostTsc, "compute.cyclesPerHostTsc"));
  const compute = computeCosts(world.machine, p.compute?.cyclesPerHostTsc);
  const pieces = p.pieces ?? rt.size * (p.piecesPerWorker ?? 1);
  const iterations = p.iterations ?? 3;
  const window = p.window ?? 2;
  const ends: RtEvent[] = [];
  world.kernel.boot({ name: "top-level task + utility processor", cpu: 0, body: function* (self) {
    yield* rt.start(self);
    if (workload === "circuit") {
      const shape = circuitShape(p);
      const graph = circuitGraph(pieces, shape, world.sim.streams.get("legion/circuit-graph"));
      let prevUv: RtEvent[] | null = null;
      for (let t = 0; t < iterations; t++) {
        if (t >= window) yield* rt.wait(self, ends[t - window]!);
        const it: { uv: RtEvent[]; all: RtEvent[] } = yield* circuitIteration(legion, self, t, graph, shape, compute, prevUv);
        ends.push(yield* rt.merge(self, `iteration ${t} done`, it.all));
        prevUv = it.uv;
      }
    } else {
      const shape = hpcgShape(p);
      let prevR: RtEvent[] | null = null;
      for (let t = 0; t < iterations; t++) {
        const it: { r: RtEvent[]; normDone: RtEvent } = yield* hpcgIteration(legion, rt, self, t, pieces, shape, compute, prevR);
        ends.push(it.normDone);
        yield* rt.wait(self, it.normDone); // the convergence test reads ‖r‖
        prevR = it.r;
      }
    }
    yield* rt.wait(self, ends[ends.length - 1]!);
    yield* rt.stop(self);
  } });
  const report = world.sim.run(limits);
  failOnRunEnd(report, { deadlockHint: legionDeadlockHint(world, p) });
  return { world, runtime: rt, legion, compute, ends, events: report.events };
}

/** A legion run's deadlock note (call it after the run): on Nautilus with blocking idle, the modeled condvar race can strand the runtime's workers. */
export function legionDeadlockHint(world: KernelWorld, p: LegionParams): string {
  return (p.runtime?.idle ?? "block") === "block"
    ? condvarRaceHint(world.kernel.lostWakeups, "runtime.idle block", BLOCKED_WORKER, "runtime.idle: spin does not use condvars for idling")
    : "";
}

/** Cycles of each iteration after the first (warm-up): end(t) − end(t−1). */
export function iterationCycles(run: LegionRun): number[] {
  return run.ends.slice(1).map((e, i) => e.at - run.ends[i]!.at);
}
