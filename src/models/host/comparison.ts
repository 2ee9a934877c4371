/**
 * Measured vs simulated, per host experiment: the measured distribution beside the host
 * Linux model's (calibrated data), and the gaps — median and p99 relative error and the
 * two-sample Kolmogorov–Smirnov distance. Gaps are reported, never judged against a
 * threshold. Deterministic: fixed seeds, fixed trial counts.
 */
import { TRACE_EXPERIMENTS, fitSources, roleOf, type Role } from "./fit-table.js";
import { EXPERIMENTS, type Experiment, type MeasurementSet } from "./measurements.js";
import { HOST_SIMULATIONS, NOT_MODELED, simulateHost, type HostModelData } from "./simulate.js";
import { ksDistance, quantileSorted, relativeError, sorted } from "./stats.js";

export interface ExperimentGap {
  readonly experiment: Experiment;
  readonly role: Role;
  /** The model's counterpart, or why there is none. */
  readonly via: string;
  /** Sorted samples (all cores pooled). */
  readonly measured: readonly number[];
  readonly simulated: readonly number[];
  readonly measuredMedian: number;
  readonly simulatedMedian: number;
  readonly medianRelError: number;
  readonly measuredP99: number;
  readonly simulatedP99: number;
  readonly p99RelError: number;
  readonly ks: number;
}

/** Simulated trials per core are capped where the model is slow (ctx-switch: ~80k events per trial). */
const SIMULATION_TRIAL_CAP: Partial<Record<Experiment, number>> = { "ctx-switch": 100 };

export interface CompareOptions {
  /** Only these experiments (default: all measured ones, in harness order). */
  readonly experiments?: readonly Experiment[];
  /** Simulated trials per core; default: as measured (per core), capped by SIMULATION_TRIAL_CAP. */
  readonly trials?: Partial<Record<Experiment, number>>;
}

/** Trials per core (per k for threads-long) the measurement has: its largest group. */
function measuredTrials(set: MeasurementSet, e: Experiment): number {
  const counts = new Map<number, number>();
  for (const s of set.samples) if (s.experiment === e) counts.set(s.core, (counts.get(s.core) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

export function compareHost(set: MeasurementSet, data: HostModelData, opts: CompareOptions = {}): ExperimentGap[] {
  const present = new Set(set.samples.map((s) => s.experiment));
  const fitted = fitSources(present);
  const wanted = opts.experiments ?? EXPERIMENTS.filter((e) => present.has(e) && !TRACE_EXPERIMENTS.includes(e));
  return wanted.map((e) => {
    const measured = sorted(set.samples.filter((s) => s.experiment === e).map((s) => s.cycles));
    const sim = HOST_SIMULATIONS[e];
    const trials = opts.trials?.[e] ?? Math.min(measuredTrials(set, e), SIMULATION_TRIAL_CAP[e] ?? Infinity);
    const simulated = sim === undefined || trials < 1 ? [] : sorted(simulateHost(data, e, trials, `host-comparison/${e}`));
    const mMed = quantileSorted(measured, 0.5);
    const sMed = quantileSorted(simulated, 0.5);
    const mP99 = quantileSorted(measured, 0.99);
    const sP99 = quantileSorted(simulated, 0.99);
    return {
      experiment: e, role: roleOf(e, sim !== undefined, fitted), via: sim?.via ?? NOT_MODELED[e] ?? "no model counterpart",
      measured, simulated, measuredMedian: mMed, simulatedMedian: sMed, medianRelError: relativeError(sMed, mMed),
      measuredP99: mP99, simulatedP99: sP99, p99RelError: relativeError(sP99, mP99), ks: ksDistance(measured, simulated),
    };
  });
}

/** The experiments of a set with `present` that are held out: modelled, and not read by its calibration (which depends on what the set has). */
export function heldOutOf(present: ReadonlySet<Experiment>): Experiment[] {
  const fitted = fitSources(present);
  return EXPERIMENTS.filter((e) => present.has(e) && roleOf(e, HOST_SIMULATIONS[e] !== undefined, fitted) === "held out");
}

/** `points` (value, F) pairs tracing the empirical CDF of sorted `values` (for plotting). */
export function cdfPoints(values: readonly number[], points = 200): Array<readonly [number, number]> {
  const n = values.length;
  if (n === 0) return [];
  const out: Array<readonly [number, number]> = [];
  const step = Math.max(1, Math.floor(n / points));
  for (let i = 0; i < n; ) {
    // Last index of a run of ties: the CDF is evaluated after all equal values.
    let j = i;
    while (j + 1 < n && values[j + 1] === values[i]) j++;
    out.push([values[i]!, (j + 1) / n]);
    i = Math.max(i + step, j + 1);
  }
  if (out[out.length - 1]![1] !== 1) out.push([values[n - 1]!, 1]);
  return out;
}
