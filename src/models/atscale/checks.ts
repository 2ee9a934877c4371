/**
 * What an at-scale run cannot do, written once: the schema's filter calls these for every sweep
 * point (so `validate` finds them) and the run path calls the same ones (for callers that skip
 * the schema). A problem names the parameter (`path`, relative to the model's params) and what
 * was expected; the schema reports the value found there.
 */
import { distribution, MAX_TIME, type DistributionSpec } from "../../engine/index.js";
import { noiseFraction, traceProblem, type DetourTrace } from "./detours.js";
import type { CollectiveName, LogGOPS } from "./loggops.js";
import type { AtScaleParams, NoiseParams } from "./params.js";

export interface ParamProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly expected: string;
}

/** Recursive doubling pairs rank i with rank i XOR 2^k in every round: without a power of two some rank has no partner. */
export function allreduceProblem(ranks: number, collective: CollectiveName): ParamProblem | undefined {
  return collective === "allreduce" && (ranks & (ranks - 1)) !== 0
    ? { path: ["ranks"], expected: "a power-of-two rank count with collective: allreduce (recursive doubling pairs rank i with rank i XOR 2^k)" }
    : undefined;
}

type Periodic = Extract<NoiseParams, { kind: "periodic" }>;
type Trace = Extract<NoiseParams, { kind: "trace" }>;

/** Periodic noise as the one-detour trace it stands for (ns), or why it cannot run. */
export function periodicTrace(n: Periodic): DetourTrace | ParamProblem {
  const span = 1e9 / n.hz, d = n.durationUs !== undefined ? n.durationUs * 1e3 : n.netNoise! * span;
  // d = span leaves a rank no CPU time: it would spin through detours forever.
  if (!(d < span)) return { path: ["noise", n.durationUs !== undefined ? "durationUs" : "netNoise"], expected: `a detour shorter than the period (1/${n.hz} s = ${span / 1e3} µs); it is ${d / 1e3} µs` };
  return { starts: Float64Array.of(0), durations: Float64Array.of(d), span };
}

/** A measured trace in ns (its `unit` converted), or why it cannot run. */
export function replayTrace(n: Trace): DetourTrace | ParamProblem {
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
export const TIME_BUDGET_NS = MAX_TIME / 8;
/**
 * Detours a run's ranks step through (replayed traces): beyond this a run spends its time
 * skipping noise, not simulating (about a minute at ~1e8 detours/s; built-in runs take < 1e7).
 */
export const DETOUR_BUDGET = 1e10;
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
export function runSizeProblem(p: AtScaleParams, net: LogGOPS, trace: DetourTrace | undefined): ParamProblem | undefined {
  const rounds = roundsOf(p.ranks, p.collective);
  const extra = Math.max(0, (p.bytes ?? 8) - 1);
  const overhead = net.o + extra * net.O, wire = net.L + extra * net.G, gap = Math.max(net.g, extra * net.G);
  const workNs = distribution(p.workUs as DistributionSpec, "workUs").mean * 1e3;
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
    const path = trace !== undefined && !(makespan <= 2 * noiseless) ? noisePath(p.noise, f) : [work >= noiseless / 2 ? "workUs" : extra > 0 && p.bytes !== undefined ? "bytes" : "network"];
    return {
      path,
      expected: `a run within the engine's exact time: an estimated makespan ≤ ${TIME_BUDGET_NS.toExponential(2)} ns (2^53 ns ÷ 8); ${p.collectives} collectives × (${workNs} ns of work + ${rounds} rounds of messages)${trace ? " stretched by the noise" : ""} come to ${makespan.toExponential(2)} ns`,
    };
  }
  if (trace !== undefined) {
    const detours = p.ranks * trace.starts.length * (makespan / trace.span + 2);
    if (!(detours <= DETOUR_BUDGET)) {
      return {
        path: noisePath(p.noise, f),
        expected: `noise a run can step through: at most ${DETOUR_BUDGET.toExponential(0)} detours over all ranks (${p.ranks} ranks × ${trace.starts.length} per ${trace.span} ns span over ~${makespan.toExponential(2)} ns makes ${detours.toExponential(2)}); use fewer, longer or sparser detours`,
      };
    }
  }
  return undefined;
}
