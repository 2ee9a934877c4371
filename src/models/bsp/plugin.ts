/**
 * The `bsp` model: why variance matters on one machine. Bulk-synchronous supersteps (every
 * step waits for its slowest thread, so per-core noise becomes run time) and a fine-grained
 * parallel-for whose grain is swept down until runtime and kernel overheads dominate; both on
 * the runtime layer (src/models/runtime) over each kernel's own primitives.
 */
import { Simulation, type RunReport } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import { kernelConfigProblems, kernelCostTable, kernelParameterSpace } from "../kernel/registry.js";
import { condvarRaceHint } from "../nautilus/condvar.js";
import { ModelRunError, failOnRunEnd, userParameters, type ModelPlugin, type Observation, type ParameterRow } from "../plugin.js";
import { BLOCKED_WORKER, runtimeCosts } from "../runtime/index.js";
import { minEfficientGrain, runParallelFor } from "./parallel-for.js";
import { BspParams } from "./params.js";
import { runSupersteps } from "./superstep.js";
import { threadsProblem } from "./world.js";
import { workloadProblems, workloadRows } from "./workload.js";
import { machineSize } from "../hardware/profile.js";

/** The engine's part of a run's result. */
const ran = (r: RunReport) => ({ fingerprint: r.fingerprint, events: r.events, simTime: r.now });

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new ModelRunError("model", e.message);
    throw e;
  }
}

export const bspModel: ModelPlugin<BspParams> = {
  name: "bsp",
  description: "Bulk-synchronous supersteps and a fine-grained parallel-for on a modeled x64 (64) or Xeon Phi (228), on the runtime layer over Nautilus or Linux primitives",
  paramsSchema: BspParams,
  nameMaps: ["runtime.costs"], // keyed by dotted names (a sweep key runtime.costs.queue.push sets "queue.push")
  experiments: [
    {
      name: "superstep",
      description: "One runtime worker pinned per CPU 0..threads−1 loops `supersteps` times: compute `work` cycles (drawn per thread and step from bsp/work/cpu<i>) or `workload` (elements of a measured kernel), then the barrier (the kernel's, or ideal: zero cost). A superstep lasts from the last thread leaving one barrier to the last leaving the next.",
      metrics: ["superstep", "stepEfficiency"],
    },
    {
      name: "parallel-for",
      description: "For each grain: one untimed then `repetitions` timed parallel-for calls of one task per core (the caller on CPU 0 runs its own); tasks reach CPUs 1..threads−1 by `wakeup` (a thread per task, a condvar or polling runtime pool, or a Nemo broadcast on Nautilus; on Linux nemo emits nothing).",
      metrics: ["efficiency", "callCycles", "minGrain"],
    },
  ],
  metrics: [
    { name: "superstep", unit: "cycles", description: "duration of one superstep (one observation per superstep)" },
    { name: "stepEfficiency", unit: "fraction", description: "mean work drawn ÷ mean superstep" },
    { name: "efficiency", unit: "fraction", description: "grain ÷ mean time per parallel-for call", labels: ["grain"] },
    { name: "callCycles", unit: "cycles", description: "mean time of one parallel-for call", labels: ["grain"] },
    { name: "minGrain", unit: "cycles", description: "smallest grain whose efficiency reaches `target` (default 0.9), log-interpolated between swept grains; absent if none does" },
  ],
  // What a run uses, by the path that overrides it (runtime costs by model.params.runtime.costs).
  parameters(params, overrides, file): ParameterRow[] {
    const machine = new Machine({ sim: new Simulation(), machine: file ?? params.machine, streamPrefix: "params", costScale: params.costScale ?? 1, ...(overrides ? { overrides } : {}) });
    return [
      ...(params.workload === undefined ? [] : workloadRows(params.workload, machine)),
      ...runtimeCosts(machine, params.runtime?.costs).rows("runtime.costs."),
      ...kernelCostTable(params.kernel, machine).rows(`${params.kernel}.`),
      ...machine.costs.rows(`${machine.name}.`),
    ];
  },
  // The machine's and the kernel's parameter files: overridable by dotted path (`phi.apic.accept`).
  parameterSpace(params, file) {
    return kernelParameterSpace(file ?? params.machine, [params.kernel]);
  },
  // A machine file may have fewer CPUs than the profile it replaces, so this is no schema check.
  constraints(params, overrides, file) {
    const m = machineSize(params.machine, file);
    const problem = threadsProblem(params, m.name, m.cpus);
    const noise = params.noise ?? "kernel";
    // With noise none the kernel's noise is off; the machine's SMIs are not.
    const kernel = kernelConfigProblems(file ?? params.machine, noise === "none" ? [] : [params.kernel], overrides, noise === "kernel");
    const workload = workloadProblems(params, m.name);
    return [...(problem ? [problem] : []), ...workload, ...kernel];
  },
  run(input) {
    const { params, experiment, seed, limits } = input;
    const user = userParameters(input);
    if (experiment === "superstep") {
      const r = guarded(() => runSupersteps(params, seed, limits, user));
      // The workers idle blocked on their queues' condvars until their task arrives (runtime idle: block).
      failOnRunEnd(r.report, { deadlockHint: condvarRaceHint(r.lostWakeups, "the runtime's blocking idle", BLOCKED_WORKER) });
      const observations: Observation[] = Array.from(r.supersteps, (value) => ({ metric: "superstep", value }));
      const mean = r.supersteps.reduce((a, b) => a + b, 0) / r.supersteps.length;
      observations.push({ metric: "stepEfficiency", value: r.meanWork / mean });
      return { observations, ...ran(r.report) };
    }
    if (experiment !== "parallel-for") throw new ModelRunError("model", `bsp has no experiment '${experiment}'`);
    const r = guarded(() => runParallelFor(params, seed, limits, user));
    if (r === null) return { observations: [], fingerprint: "", events: 0, simTime: 0 };
    // With Nautilus and condvar wake-ups, the pool's idle workers can be stranded by the modeled race.
    failOnRunEnd(r.report, { deadlockHint: condvarRaceHint(r.lostWakeups, "wakeup condvar", BLOCKED_WORKER, "wakeup: poll does not use condvars") });
    const observations: Observation[] = r.points.flatMap((pt) => [
      { metric: "efficiency", value: pt.efficiency, labels: { grain: pt.grain } },
      { metric: "callCycles", value: pt.callCycles, labels: { grain: pt.grain } },
    ]);
    const min = minEfficientGrain(r.points, params.target ?? 0.9);
    if (min !== undefined) observations.push({ metric: "minGrain", value: min });
    return { observations, ...ran(r.report) };
  },
};
