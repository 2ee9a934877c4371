/**
 * The `legion` model: a Legion-like task runtime (legion.ts) on the runtime layer
 * (src/models/runtime) running the circuit and HPCG-like workloads on Nautilus and on Linux,
 * natively or inside the Palacios HVM; per-task compute from host measurements of the real
 * inner loops (compute.ts).
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import { kernelConfigProblems, kernelParameterSpace } from "../kernel/registry.js";
import { KERNELS, type KernelName } from "../kernel/types.js";
import { ModelRunError, failOn, userParameters, type Breakdown, type ModelPlugin, type ModelRunInput, type Observation, type ParameterRow } from "../plugin.js";
import { runtimeCosts } from "../runtime/index.js";
import { computeCosts } from "./compute.js";
import { hvmCoresProblem, legionProblems } from "./constraints.js";
import { legionCosts } from "./legion.js";
import { LAUNCH_HOPS, launchLatencies } from "./launch.js";
import { LegionParams, coresOf, inHvm } from "./params.js";
import { WORKLOADS, iterationCycles, legionMachine, legionWorld, simulateLegion, type LegionRun, type Workload } from "./simulate.js";
import { hrtLaunchCycles } from "./virtual.js";

const SHARED = " Per iteration after the first (warm-up): time from the previous iteration's end to this one's. Top-level task and utility processor on CPU 0, one processor (worker) thread on each of CPUs 1..cores−1; point i of an index launch on worker i mod workers.";

const EXPERIMENTS = [
  { name: "circuit", description: "Legion's circuit simulator: calc_new_currents, distribute_charge, update_voltages over the pieces with private/shared/ghost node dependencies; the utility processor analyses up to `window` iterations ahead." + SHARED },
  { name: "hpcg", description: "HPCG-like CG: multigrid V-cycle (SymGS, SpMV, restriction/prolongation), SpMV, three dot-product reductions and WAXPBYs per iteration over 1-D subdomains with halo dependencies; the top-level task waits for ‖r‖ every iteration." + SHARED },
  { name: "task-launch", description: `The runtime layer's event-triggered launch latency: a chain of ${LAUNCH_HOPS} empty tasks alternating between the workers on CPU 1 and CPU cores−1; per hop, next task's start − previous task's end (trigger, queue push, wake-up, pop, dispatch). No analysis, no compute.` },
] as const;

function workloadOf(name: string): Workload {
  if (!(WORKLOADS as readonly string[]).includes(name)) throw new ModelRunError("model", `legion has no experiment '${name}' (known: ${WORKLOADS.join(", ")})`);
  return name as Workload;
}

function kernelsOf(p: LegionParams): readonly KernelName[] {
  return p.kernels ?? KERNELS;
}

const usOf = (run: LegionRun, cycles: number) => cycles / (run.world.machine.clockGHz * 1e3) / run.world.machine.scale;

function simulate(input: ModelRunInput<LegionParams>, kernel: KernelName, record: boolean): LegionRun {
  return simulateLegion(legionWorld(input.params, kernel, input.seed, record, userParameters(input)), input.params, workloadOf(input.experiment), input.limits);
}

/** The critical path of the last iteration, and its split into runtime, kernel, compute and waiting. */
function breakdowns(run: LegionRun, title: string): Breakdown[] {
  const rec = run.world.machine.recorder!;
  const last = run.ends[run.ends.length - 1]!, prev = run.ends[run.ends.length - 2]!;
  const path = rec.criticalPath(title, last.step, prev.at, last.at);
  const split = new Map<string, number>();
  for (const s of path.steps) {
    const kind = s.step === "wait" ? "wait (idle on the path)" : s.step.startsWith("compute:") ? "compute" : s.step.startsWith("runtime:") ? "runtime (task runtime bookkeeping, analysis, mapping)" : "kernel and hardware (threads, locks, condvars, wake-ups, IPIs, cache lines)";
    split.set(kind, (split.get(kind) ?? 0) + s.cost);
  }
  const summary: Breakdown = {
    title: `${title}: split by layer`, unit: path.unit, total: path.total,
    steps: [...split].map(([step, cost]) => ({ step, where: "", cost, note: `${((100 * cost) / Math.max(1, path.total)).toFixed(1)} %` })),
  };
  return [summary, path];
}

function taskLaunch(input: ModelRunInput<LegionParams>) {
  const observations: Observation[] = [];
  const prints: string[] = [];
  let events = 0, simTime = 0;
  for (const kernel of kernelsOf(input.params)) {
    const world = legionWorld(input.params, kernel, input.seed, false, userParameters(input));
    launchLatencies(world, input.params, input.limits).forEach((c, hop) => observations.push({ metric: "launchLatency", value: c, labels: { kernel, hop } }));
    prints.push(world.sim.fingerprint.toString());
    events += world.sim.fingerprint.count;
    simTime = Math.max(simTime, world.sim.now);
  }
  return { observations, fingerprint: prints.join(":"), events, simTime };
}

export const legionModel: ModelPlugin<LegionParams> = {
  name: "legion",
  description: "Legion-like task runtime on the runtime layer (workers per core, event-triggered launch, utility processor) running the circuit and HPCG-like workloads on Nautilus vs Linux, native or in the HVM",
  paramsSchema: LegionParams,
  nameMaps: ["runtime.costs", "legion"], // keyed by dotted names (a sweep key legion.analysis.perTask sets "analysis.perTask")
  experiments: EXPERIMENTS.map((e) => ({ ...e, metrics: e.name === "task-launch" ? ["launchLatency"] : ["iterationTime", "speedup", "launchTime"] })),
  metrics: [
    { name: "iterationTime", unit: "us", description: "time per iteration (machine clock)", labels: ["kernel", "iteration"] },
    { name: "speedup", unit: "ratio", description: "Linux iteration time ÷ Nautilus (HRT) iteration time, same iteration (runs simulating both kernels)", labels: ["iteration"] },
    { name: "launchLatency", unit: "cycles", description: "task-launch: one hop of the chain, next task's start − previous task's end", labels: ["kernel", "hop"] },
    { name: "launchTime", unit: "us", description: "placement hvm, Nautilus: ROS-side reboot of the HRT + merge + parallel invoke of the runtime (simulated by the hvm model)", labels: ["kernel"] },
  ],

  run(input) {
    if (input.experiment === "task-launch") return taskLaunch(input);
    const observations: Observation[] = [];
    const perKernel = new Map<KernelName, number[]>();
    let events = 0, simTime = 0;
    const prints: string[] = [];
    for (const kernel of kernelsOf(input.params)) {
      const run = simulate(input, kernel, false);
      const cycles = iterationCycles(run);
      perKernel.set(kernel, cycles);
      cycles.forEach((c, i) => observations.push({ metric: "iterationTime", value: usOf(run, c), labels: { kernel, iteration: i + 1 } }));
      events += run.events;
      simTime = Math.max(simTime, run.world.sim.now);
      prints.push(run.world.sim.fingerprint.toString());
      if (inHvm(input.params) && kernel === "nautilus") {
        const hrtCores = coresOf(input.params, run.world.machine.cpuCount);
        failOn(hvmCoresProblem(input.params));
        observations.push({ metric: "launchTime", value: usOf(run, hrtLaunchCycles(hrtCores, input.seed)), labels: { kernel } });
      }
    }
    const l = perKernel.get("linux"), n = perKernel.get("nautilus");
    if (l !== undefined && n !== undefined) l.forEach((c, i) => observations.push({ metric: "speedup", value: c / n[i]!, labels: { iteration: i + 1 } }));
    return { observations, fingerprint: prints.join(":"), events, simTime };
  },

  explain(input) {
    return kernelsOf(input.params).flatMap((kernel) => {
      const run = simulate(input, kernel, true);
      const p = input.params;
      return breakdowns(run, `${input.experiment} on ${kernel}/${p.machine}${inHvm(p) ? " in the HVM" : ""}, ${coresOf(p, run.world.machine.cpuCount)} cores: last iteration's critical path`);
    });
  },

  parameters(params, overrides, file): ParameterRow[] {
    const machine = new Machine({ sim: new Simulation(), machine: legionMachine(params, file), streamPrefix: "params", costScale: params.costScale ?? 1, ...(overrides ? { overrides } : {}) });
    return [
      ...runtimeCosts(machine, params.runtime?.costs).rows("runtime."),
      ...legionCosts(machine, params.legion).rows("legion."),
      ...computeCosts(machine, params.compute?.cyclesPerHostTsc).rows(),
      ...machine.costs.rows("hardware."),
      // The kernels' own costs: hrtsim params --model microbench --machine … --kernel ….
    ];
  },

  constraints(params, overrides, file, experiment) {
    const kernel = kernelConfigProblems(legionMachine(params, file), kernelsOf(params), overrides, params.linuxNoise ?? true);
    return [...legionProblems(params, file, experiment), ...kernel];
  },

  // The machine's and the kernels' parameter files: overridable and varied by `hrtsim sensitivity`.
  parameterSpace(params, file) {
    return kernelParameterSpace(legionMachine(params, file), kernelsOf(params));
  },
};
