/**
 * Default per-run and per-scenario limits, so no scenario runs forever or expands beyond
 * memory. Each is overridable in the scenario's `limits` section (documented in
 * src/scenarios/README.md and docs/reliability.md).
 */
import type { RunLimits } from "../models/plugin.js";

/**
 * Events per run unless `limits.maxEvents` says otherwise. The largest built-in run
 * (microbench-paper, ctx-switch on x64 with Nautilus) takes ~2.8e7 events: 5e8 leaves ~18× room.
 */
export const DEFAULT_MAX_EVENTS = 500_000_000;

/** Wall-clock seconds per run unless `limits.wallSeconds` says otherwise (the largest built-in run takes seconds). */
export const DEFAULT_WALL_SECONDS = 600;

/** The longest wall-clock limit a run can have: Node's timers hold at most 2^31 − 1 ms (~24.8 days); a longer one fires at once. */
export const MAX_WALL_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Runs per scenario (sweep points × replications) that `validate` accepts unless `limits.maxRuns` raises it. */
export const DEFAULT_MAX_RUNS = 100_000;

export interface ScenarioLimits {
  readonly maxEvents?: number;
  readonly until?: number;
  readonly wallSeconds?: number;
  readonly maxRuns?: number;
}

/** The limits a run is given: the scenario's, with the defaults filling the gaps. */
export function runLimits(limits: ScenarioLimits | undefined): RunLimits {
  return { maxEvents: limits?.maxEvents ?? DEFAULT_MAX_EVENTS, ...(limits?.until !== undefined ? { until: limits.until } : {}) };
}

export function wallLimitMs(limits: ScenarioLimits | undefined): number {
  return (limits?.wallSeconds ?? DEFAULT_WALL_SECONDS) * 1000;
}

export function maxRuns(limits: ScenarioLimits | undefined): number {
  return limits?.maxRuns ?? DEFAULT_MAX_RUNS;
}
