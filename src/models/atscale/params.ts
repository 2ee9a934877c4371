/**
 * Parameters of the at-scale model. Work and noise times are in µs in scenario files (`workUs`,
 * `durationUs`; ns inside the model); the LogGOPS `network` fields are in ns, as LogGOPSim takes
 * them, and default to LogGOPSim's own defaults, so runs are comparable with that tool.
 */
import { Schema } from "effect";
import { distribution, MAX_TIME, type DistributionSpec } from "../../engine/index.js";
import { detoursFillTrace } from "../hardware/profile.js";
import { KERNELS } from "../kernel/types.js";
import { noiseFraction, traceProblem, type DetourTrace } from "./detours.js";
import { allreduceRankProblem, COLLECTIVES, messageCosts, type CollectiveName, type LogGOPS } from "./loggops.js";

const Positive = Schema.Finite.check(Schema.isGreaterThan(0));
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));
const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

/** A number or an engine distribution spec, checked by building it. */
export const DistributionParam = Schema.Union([Schema.Finite, Schema.Record(Schema.String, Schema.Unknown)]).check(
  Schema.makeFilter((spec) => {
    try {
      const d = distribution(spec as DistributionSpec, "value");
      return d.mean >= 0 || "a distribution with a non-negative mean";
    } catch (e) {
      return `a valid distribution (number, or { dist: constant|uniform|exponential|normal|lognormal|gamma|pareto|empirical|mixture|shifted, ... }): ${(e as Error).message}`;
    }
  }),
);

/** A DistributionParam whose mean is at most `max` (`expected` says so, and why). */
export function distributionWithMeanAtMost(max: number, expected: string) {
  return DistributionParam.check(Schema.makeFilter((spec) => !(meanOf(spec) > max) || expected));
}

export const NETWORK_DEFAULTS: LogGOPS & { readonly source: string } = {
  L: 2500, o: 1500, g: 1000, G: 6, O: 0,
  source: "[read] LogGOPSim's defaults (spcl/LogGOPSim simulator.ggo: L=2500 ns, o=1500 ns, g=1000 ns, G=6 ns/byte, O=0); a generic cluster network of that era, not a particular machine",
};

/**
 * Largest network time, ns (a second per message or per byte): far beyond any network, and
 * small enough that a run's times stay exact (runSizeProblem below covers products).
 */
const MAX_NETWORK_NS = 1e9;
const NetworkTime = NonNegative.check(Schema.isLessThanOrEqualTo(MAX_NETWORK_NS));

const NetworkParams = Schema.Struct({
  L: Schema.optional(NetworkTime),
  o: Schema.optional(NetworkTime),
  g: Schema.optional(NetworkTime),
  G: Schema.optional(NetworkTime),
  O: Schema.optional(NetworkTime),
});

export const DEFAULT_BYTES = 8;
/** Largest message, bytes (1 GiB): a collective's payload, not a file transfer; keeps times exact. */
const MAX_BYTES = 2 ** 30;
/** Largest mean work per iteration, µs (1,000 s): keeps a run's times exact (2^53 ns is ~104 days). */
const MAX_WORK_US = 1e9;
/**
 * Injection frequencies, Hz: up to a detour every µs (Ferreira et al.'s highest is 10 kHz;
 * faster is no OS noise and makes runs step through millions of detours), down to one every
 * ~11.6 days (a longer period is no noise in any run the engine's time can hold).
 */
/** The longest pooled sampling window, ms: 1,000 s, 500× the default 2 s; sampling costs CPU time in proportion to the window. */
const MAX_WINDOW_MS = 1e6;
const HZ_RANGE = { min: 1e-6, max: 1e6 } as const;

export const NoiseParams = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("none") }),
  Schema.Struct({
    kind: Schema.Literal("kernel"),
    kernel: Schema.Literals(KERNELS),
    machine: Schema.Literals(["x64", "phi"]),
    /**
     * `per-node` (default): every node draws its own noise from the kernel's sources. `pooled`:
     * `traces` CPUs are sampled for `windowMs` each and ranks replay them (LogGOPSim's way with
     * a measured trace; nodes then share the pool's detours).
     */
    sampling: Schema.optional(Schema.Literals(["per-node", "pooled"])),
    /** pooled: distinct CPUs sampled (default 16); ranks replay them round-robin. */
    traces: Schema.optional(PositiveInt),
    /** pooled: length of each sampled trace, ms (default 2000; at most MAX_WINDOW_MS). */
    windowMs: Schema.optional(Positive.check(Schema.isLessThanOrEqualTo(MAX_WINDOW_MS))),
    /** Linux: kernel threads and daemons besides the tick (default true). */
    background: Schema.optional(Schema.Boolean),
  }).check(Schema.makeFilter((n) => !drawsPerNode(n) || (n.traces === undefined && n.windowMs === undefined)
    || "traces and windowMs only with sampling: pooled (they size the sampled pool; per-node sampling has none)")),
  Schema.Struct({
    /** Ferreira et al.'s injected noise: one detour every 1/hz s, of `durationUs` or of `netNoise`/hz. */
    kind: Schema.Literal("periodic"),
    hz: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(HZ_RANGE.min), Schema.isLessThanOrEqualTo(HZ_RANGE.max)),
    durationUs: Schema.optional(Positive),
    /** Fraction of CPU time taken (duration = netNoise ÷ hz); give this or durationUs. */
    netNoise: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThan(1))),
  }).check(Schema.makeFilter((n) => (n.durationUs === undefined) !== (n.netNoise === undefined) || "exactly one of durationUs or netNoise")),
  Schema.Struct({
    /** A measured trace of (start, duration) detours; scenario files give `file`, the loader fills `detours`. */
    kind: Schema.Literal("trace"),
    file: Schema.optional(Schema.String),
    unit: Schema.optional(Schema.Literals(["ns", "us"])),
    detours: Schema.optional(Schema.Array(Schema.Tuple([NonNegative, NonNegative]))),
    /** Period of the replay (default: the last detour's end), in `unit`. */
    span: Schema.optional(Positive),
  }),
]);
export type NoiseParams = typeof NoiseParams.Type;

/** Defaults of kernel noise's sampled pool (also what `netNoise` is measured on with per-node sampling). */
export const POOL_DEFAULTS = { traces: 16, windowMs: 2000 } as const;

export const AtScaleParams = Schema.Struct({
  ranks: Schema.Int.check(Schema.isGreaterThanOrEqualTo(2), Schema.isLessThanOrEqualTo(1 << 24)),
  collective: Schema.Literals(COLLECTIVES),
  /** Iterations of compute then collective. */
  collectives: PositiveInt,
  /** Computation per rank per iteration, µs: a number or any engine distribution (drawn per rank). */
  workUs: distributionWithMeanAtMost(MAX_WORK_US, `a mean of at most ${MAX_WORK_US} µs (1,000 s an iteration; larger runs pass the engine's exact time)`),
  /** Message size in bytes (default DEFAULT_BYTES, 8: one double, an allreduce's scalar). */
  bytes: Schema.optional(PositiveInt.check(Schema.isLessThanOrEqualTo(MAX_BYTES))),
  network: Schema.optional(NetworkParams),
  noise: NoiseParams,
  /** All ranks replay their trace from one shared offset (LogGOPSim --noise-cosched); default false. */
  coscheduled: Schema.optional(Schema.Boolean),
}).check(Schema.makeFilter((p) => {
  const c = coscheduleProblem(p);
  return c !== undefined ? c : paramsProblems(p).map((q) => ({ path: q.path, issue: q.expected }));
}));
export type AtScaleParams = typeof AtScaleParams.Type;

/** What makes these params impossible to run (the checks below); the run path makes the same checks. */
function paramsProblems(p: AtScaleParams): ParamProblem[] {
  const allreduce = allreduceProblem(p.ranks, p.collective);
  const trace = profileTrace(p.noise);
  if (trace !== undefined && isProblem(trace)) return allreduce ? [allreduce, trace] : [trace];
  if (allreduce) return [allreduce];
  // The size estimate needs a runnable profile.
  const size = runSizeProblem(p, networkOf(p), trace);
  return size ? [size] : [];
}

/** A distribution spec's mean, NaN for a spec that does not build (DistributionParam's own check reports it). */
function meanOf(spec: unknown): number {
  try {
    return distribution(spec as DistributionSpec, "value").mean;
  } catch {
    return NaN;
  }
}

/** Whether kernel noise is drawn per node (the default) rather than replayed from a sampled pool. */
export function drawsPerNode(noise: { readonly kind: "kernel"; readonly sampling?: "per-node" | "pooled" | undefined }): boolean {
  return noise.sampling !== "pooled";
}

/** Why `coscheduled` cannot apply (per-node kernel noise has no shared trace to offset), or undefined. */
export function coscheduleProblem(p: { readonly coscheduled?: boolean | undefined; readonly noise: NoiseParams }): string | undefined {
  return p.coscheduled === true && p.noise.kind === "kernel" && drawsPerNode(p.noise)
    ? "coscheduled replays traces from one shared offset: with kernel noise it needs noise.sampling: pooled"
    : undefined;
}

export function networkOf(p: AtScaleParams): LogGOPS {
  return { ...NETWORK_DEFAULTS, ...(p.network ?? {}) };
}

// ---- checks ---------------------------------------------------------------------------------
/*
 * What an at-scale run cannot do, written once: the schema's filter calls these for every sweep
 * point (so `validate` finds them) and the run path calls the same ones (for callers that skip
 * the schema). A problem names the parameter (`path`, relative to the model's params) and what
 * was expected; the schema reports the value found there.
 */

interface ParamProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly expected: string;
}

function allreduceProblem(ranks: number, collective: CollectiveName): ParamProblem | undefined {
  const expected = collective === "allreduce" ? allreduceRankProblem(ranks) : undefined;
  return expected === undefined ? undefined : { path: ["ranks"], expected };
}

type Periodic = Extract<NoiseParams, { kind: "periodic" }>;
type Trace = Extract<NoiseParams, { kind: "trace" }>;

/** Periodic noise as the one-detour trace it stands for (ns), or why it cannot run. */
function periodicTrace(n: Periodic): DetourTrace | ParamProblem {
  const span = 1e9 / n.hz, d = n.durationUs !== undefined ? n.durationUs * 1e3 : n.netNoise! * span;
  // d ≥ span leaves a rank no CPU time: it would spin through detours forever.
  if (detoursFillTrace([d], span) !== undefined) return { path: ["noise", n.durationUs !== undefined ? "durationUs" : "netNoise"], expected: `a detour shorter than the period (1/${n.hz} s = ${span / 1e3} µs); it is ${d / 1e3} µs` };
  return { starts: Float64Array.of(0), durations: Float64Array.of(d), span };
}

/** A measured trace in ns (its `unit` converted), or why it cannot run. */
function replayTrace(n: Trace): DetourTrace | ParamProblem {
  if (n.detours === undefined) return { path: ["noise"], expected: `detours: give \`file\` (read by the scenario loader) or \`detours\` inline${n.file ? ` (the file '${n.file}' was not read)` : ""}` };
  if (n.detours.length === 0) return { path: ["noise", "detours"], expected: "at least one [start, duration] detour" };
  const k = n.unit === "us" ? 1e3 : 1;
  const starts = Float64Array.from(n.detours, (d) => d[0] * k);
  const durations = Float64Array.from(n.detours, (d) => d[1] * k);
  const last = starts.length - 1;
  const t = { starts, durations, span: n.span !== undefined ? n.span * k : starts[last]! + durations[last]! };
  const problem = traceProblem(t);
  if (problem === undefined) return t;
  // The span's problems are the detours' when no span is given (it defaults to their end).
  const at = problem.at[0] === "span" && n.span === undefined ? ["detours"] : problem.at;
  const from = n.file !== undefined && at[0] === "detours" ? ` (the detours of the trace file '${n.file}')` : "";
  return { path: ["noise", ...at], expected: problem.expected + from };
}

/** The trace a periodic or trace profile replays, or its problem; undefined for other kinds. */
export function profileTrace(n: NoiseParams): DetourTrace | ParamProblem | undefined {
  return n.kind === "periodic" ? periodicTrace(n) : n.kind === "trace" ? replayTrace(n) : undefined;
}

export function isProblem(x: DetourTrace | ParamProblem): x is ParamProblem {
  return "path" in x;
}

/**
 * The engine's time is an exact integer of ns up to 2^53 (MAX_TIME, ~104 days). A run's
 * makespan is estimated from the mean work draw, so the budget leaves 8× room for draws above
 * the mean; no run of interest (ms of work, µs messages) comes near it.
 */
const TIME_BUDGET_NS = MAX_TIME / 8;
/**
 * Detours a run's ranks step through (replayed traces): beyond this a run spends its time
 * stepping through noise, not simulating (about two minutes at ~7e7 detours/s, measured
 * 2026-12-02; built-in runs take < 1e7). Detours a rank only waits through are jumped over,
 * not stepped through (detours.ts).
 */
const DETOUR_BUDGET = 1e10;
/** Kernel noise takes a few % of a CPU (netNoise): the time estimate allows it to double a run. */
const KERNEL_STRETCH = 2;

/** The field of a replayed profile that makes it heavy: a periodic detour's length or rate, a trace's detours. */
function noisePath(n: NoiseParams, f: number): ParamProblem["path"] {
  if (n.kind !== "periodic") return ["noise", "detours"];
  return ["noise", f < 0.5 ? "hz" : n.durationUs !== undefined ? "durationUs" : "netNoise"];
}

function roundsOf(ranks: number, collective: CollectiveName): number {
  const log = Math.ceil(Math.log2(ranks));
  return collective === "tree" ? 2 * log : log;
}

/**
 * Whether the run fits the engine's exact time and does not spin through noise: an upper bound
 * of the makespan (mean work) along the critical path of compute, send, wire and receive steps;
 * noise covering a fraction f of a trace stretches CPU work W to at most (W + Σdetours)/(1 − f).
 */
function runSizeProblem(p: AtScaleParams, net: LogGOPS, trace: DetourTrace | undefined): ParamProblem | undefined {
  const rounds = roundsOf(p.ranks, p.collective);
  const bytes = p.bytes ?? DEFAULT_BYTES;
  const { overhead, wire, gap } = messageCosts(net, bytes);
  const workNs = distribution(p.workUs as DistributionSpec, "workUs").excessOver(0) * 1e3; // draws clamp at 0
  const cpuNs = p.collectives * (workNs + rounds * 2 * overhead), otherNs = p.collectives * rounds * (gap + wire);
  const ops = p.collectives * (1 + 2 * rounds);
  const noiseless = cpuNs + otherNs;
  let makespan = noiseless;
  const f = trace === undefined ? 0 : noiseFraction(trace);
  if (trace !== undefined) {
    makespan = (cpuNs + ops * f * trace.span) / (1 - f) + otherNs;
  } else if (p.noise.kind === "kernel") makespan *= KERNEL_STRETCH;
  if (!(makespan <= TIME_BUDGET_NS)) {
    // Reported at the biggest term: the noise's stretch, the work, or the messages.
    const work = p.collectives * workNs;
    const path = trace !== undefined && !(makespan <= 2 * noiseless) ? noisePath(p.noise, f) : [work >= noiseless / 2 ? "workUs" : bytes > 1 && p.bytes !== undefined ? "bytes" : "network"];
    return {
      path,
      expected: `a run within the engine's exact time: an estimated makespan ≤ ${TIME_BUDGET_NS.toExponential(2)} ns (2^53 ns ÷ 8); ${p.collectives} collectives × (${workNs} ns of work + ${rounds} rounds of messages)${trace ? " stretched by the noise" : ""} come to ${makespan.toExponential(2)} ns`,
    };
  }
  if (trace !== undefined) {
    // A rank steps through the detours its CPU work (stretched by them) overlaps, and up to 4
    // spans' worth around each of its operations (the jump past a wait leaves two spans before it).
    const cpuTime = (cpuNs + ops * f * trace.span) / (1 - f);
    const detours = p.ranks * trace.starts.length * (cpuTime / trace.span + 4 * ops);
    if (!(detours <= DETOUR_BUDGET)) {
      return {
        path: noisePath(p.noise, f),
        expected: `noise a run can step through: at most ${DETOUR_BUDGET.toExponential(0)} detours over all ranks (${p.ranks} ranks × ${trace.starts.length} per ${trace.span} ns span over ~${cpuTime.toExponential(2)} ns of CPU time each makes ${detours.toExponential(2)}); use fewer, longer or sparser detours`,
      };
    }
  }
  return undefined;
}
