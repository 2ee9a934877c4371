/**
 * The `atscale` model: OS noise beyond one machine. P ranks (one per node) alternate
 * computation and a collective on a LogGOPS network; each node runs a noise profile — the
 * kernel models' own noise sources (drawn per node, or sampled into a pool of traces), Ferreira
 * et al.'s periodic injection, or a measured detour trace — and the slowdown is the makespan
 * over that of the same run without noise (same work draws). Ranks live in typed arrays; the engine advances one event
 * per round of messages (the time the round's last rank finishes).
 */
import { Simulation, distribution, type DistributionSpec } from "../../engine/index.js";
import { kernelConfigProblems, kernelParameterSpace } from "../kernel/registry.js";
import { failOnRunEnd, ModelRunError, userParameters, type ModelPlugin, type ParameterRow, type UserParameters } from "../plugin.js";
import { RankNoise, noiseFraction, type DetourTrace, type RankDetours } from "./detours.js";
import { machineSize } from "../hardware/profile.js";
import { isNoiseParameter, kernelNoiseTraces, poolProblem, probeKernelNoise } from "./kernel-noise.js";
import { NodeNoise } from "./node-noise.js";
import { Ranks } from "./loggops.js";
import { AtScaleParams, coscheduleProblem, DEFAULT_BYTES, isProblem, profileTrace, drawsPerNode, NETWORK_DEFAULTS, networkOf, POOL_DEFAULTS, type NoiseParams } from "./params.js";

/**
 * The detour traces a noise profile stands for (ns): what ranks replay, and what `netNoise` is
 * measured on (with per-node kernel noise, a pool sampled at the defaults).
 */
export function noiseTraces(noise: NoiseParams, seed: string, user: UserParameters = {}): DetourTrace[] {
  switch (noise.kind) {
    case "none":
      return [];
    case "kernel":
      return kernelNoiseTraces({
        kernel: noise.kernel, machine: noise.machine, traces: noise.traces ?? POOL_DEFAULTS.traces,
        windowNs: (noise.windowMs ?? POOL_DEFAULTS.windowMs) * 1e6, background: noise.background ?? true, fitMachine: drawsPerNode(noise),
      }, seed, user);
    case "periodic":
    case "trace": {
      // The schema's checks (params.ts), for callers that skip it.
      const t = profileTrace(noise)!;
      if (isProblem(t)) throw new ModelRunError("model", `${noise.kind} noise: ${t.path.join(".")}: expected ${t.expected}`);
      return [t];
    }
  }
}

export interface AtScaleResult {
  readonly makespanNs: number;
  readonly baselineNs: number;
  readonly netNoise: number;
  readonly messages: number;
  readonly events: number;
  readonly fingerprint: string;
  readonly bytesPerRank: number;
}

/** The ranks' detours in a run: per-node kernel noise, the traces replayed, or none. */
function rankNoise(p: AtScaleParams, seed: string, traces: readonly DetourTrace[], sim: Simulation, user: UserParameters): RankDetours | null {
  const n = p.noise;
  if (n.kind === "kernel" && drawsPerNode(n)) {
    const problem = coscheduleProblem(p); // the schema's check, for callers that skip it
    if (problem !== undefined) throw new RangeError(problem);
    // Its own booted kernel (seed …/nodes), so its duration draws are not the pool's.
    const probe = probeKernelNoise(n.kernel, n.machine, n.background ?? true, `${seed}/nodes`, user);
    return new NodeNoise(p.ranks, probe.sources(1), probe.nsPerCycle, sim.streams.get("atscale/node-noise"));
  }
  return traces.length === 0 ? null : new RankNoise(p.ranks, traces, sim.streams.get("atscale/noise-offset"), p.coscheduled ?? false);
}

/** Runs compute + collective `collectives` times on `ranks`; the engine steps once per round. */
function simulate(p: AtScaleParams, seed: string, traces: readonly DetourTrace[] | null, limits: { maxEvents?: number }, user: UserParameters = {}) {
  const sim = new Simulation({ seed });
  const noise = traces === null ? null : rankNoise(p, seed, traces, sim, user);
  const ranks = new Ranks(p.ranks, networkOf(p), noise);
  const work = distribution(p.workUs as DistributionSpec, "workUs");
  const rng = sim.streams.get("atscale/work");
  const constant = work.variance === 0 ? work.mean * 1e3 : NaN;
  const draw = Number.isNaN(constant) ? () => Math.max(0, work.sample(rng)) * 1e3 : () => constant;
  // One engine event per phase: the time the phase's last rank finishes (folded into the fingerprint).
  const advance = () => Math.max(0, Math.ceil(ranks.latest) - sim.now);
  sim.process("ranks", (function* () {
    for (let c = 0; c < p.collectives; c++) {
      ranks.compute(draw);
      yield advance();
      for (const _ of ranks.rounds(p.collective, p.bytes ?? DEFAULT_BYTES)) yield advance();
    }
  })());
  const report = sim.run(limits);
  failOnRunEnd(report, { timeUnit: "ns" });
  return { ranks, noise, report, makespan: ranks.latest };
}

/** `user`: parameter overrides (and a machine file) for kernel noise (parameterSpace lists what they may set). */
export function runAtScale(p: AtScaleParams, seed: string, limits: { maxEvents?: number } = {}, user: UserParameters = {}): AtScaleResult {
  const traces = noiseTraces(p.noise, seed, user);
  const noisy = simulate(p, seed, traces, limits, user);
  const baseline = traces.length === 0 ? noisy : simulate(p, seed, null, limits);
  const fractions = traces.map(noiseFraction);
  return {
    makespanNs: noisy.makespan,
    baselineNs: baseline.makespan,
    netNoise: fractions.length === 0 ? 0 : fractions.reduce((a, b) => a + b, 0) / fractions.length,
    messages: noisy.ranks.messages,
    events: noisy.report.events,
    fingerprint: noisy.report.fingerprint,
    bytesPerRank: Ranks.bytesPerRank() + (noisy.noise?.bytesPerRank ?? 0),
  };
}

export const atScaleModel: ModelPlugin<AtScaleParams> = {
  name: "atscale",
  description: "OS noise at 10^3–10^6 ranks: compute + collectives (dissemination/tree barrier, allreduce) on a LogGOPS network, each node running a kernel model's noise (drawn per node, or replayed from a sampled pool), periodic injected noise or a measured detour trace",
  paramsSchema: AtScaleParams,
  experiments: [{
    name: "collectives",
    description: "`collectives` iterations of per-rank computation (workUs) then the collective; slowdown = makespan ÷ makespan of the same run without noise",
    metrics: ["slowdown", "makespanUs", "iterationUs", "netNoise"],
  }],
  metrics: [
    { name: "slowdown", unit: "ratio", description: "makespan with noise ÷ makespan without (same work draws)" },
    { name: "makespanUs", unit: "µs", description: "time until the last rank finishes its last collective" },
    { name: "iterationUs", unit: "µs", description: "makespan ÷ iterations (compute + collective)" },
    { name: "netNoise", unit: "fraction", description: "CPU time the noise profile takes per node (sum of detours ÷ trace span, mean over its traces; per-node kernel noise: over a pool sampled at the defaults, 16 CPUs × 2 s)" },
  ],
  run(input) {
    const { params, seed, limits } = input;
    let r: AtScaleResult;
    try {
      r = runAtScale(params, seed, limits, userParameters(input));
    } catch (e) {
      if (e instanceof RangeError) throw new ModelRunError("model", e.message);
      throw e;
    }
    return {
      observations: [
        { metric: "slowdown", value: r.makespanNs / r.baselineNs },
        { metric: "makespanUs", value: r.makespanNs / 1e3 },
        { metric: "iterationUs", value: r.makespanNs / 1e3 / params.collectives },
        { metric: "netNoise", value: r.netNoise },
      ],
      fingerprint: r.fingerprint,
      events: r.events,
      simTime: Math.ceil(r.makespanNs),
    };
  },
  parameters(params, overrides, machine): ParameterRow[] {
    const net = networkOf(params);
    const given = params.network ?? {};
    const n = params.noise;
    return [
      ...(["L", "o", "g", "G", "O"] as const).map((k) => ({
        name: `network.${k}`, value: `${net[k]} ${k === "G" || k === "O" ? "ns/byte" : "ns"}`,
        source: k in given ? "scenario" : NETWORK_DEFAULTS.source,
      })),
      ...(n.kind === "kernel"
        ? probeKernelNoise(n.kernel, n.machine, n.background ?? true, "params", userParameters({ overrides, machine })).parameterRows()
        : []),
    ];
  },
  // A pooled kernel trace samples one CPU each: the machine (the user's profile, if given) must have them.
  constraints(params, overrides, file) {
    const n = params.noise;
    if (n.kind !== "kernel") return [];
    // A node replays its kernel's noise sources alone (kernel-noise.ts): no SMIs.
    const kernel = kernelConfigProblems(file ?? n.machine, [n.kernel], overrides, n.background ?? true, false);
    // Per-node sampling measures netNoise on a pool that fits the machine (kernelNoiseTraces fitMachine).
    if (drawsPerNode(n)) return kernel;
    const traces = n.traces ?? POOL_DEFAULTS.traces;
    const machine = machineSize(n.machine, file);
    const problem = poolProblem(traces, machine.name, machine.cpus);
    return problem === undefined ? kernel : [...kernel, { path: "noise.traces", message: `too many noise traces for ${machine.name}`, expected: problem, found: String(traces) }];
  },
  // Kernel noise: the entries of the kernel's and the machine's parameter files its sources read
  // (overridable by dotted path, e.g. `linux.noise.daemon.rate`, and varied by `hrtsim sensitivity`).
  parameterSpace(params, file) {
    const n = params.noise;
    if (n.kind !== "kernel") return [];
    return kernelParameterSpace(file ?? n.machine, [n.kernel]).filter((i) => isNoiseParameter(n.kernel, file?.machine ?? n.machine, i.scope, i.name));
  },
};
