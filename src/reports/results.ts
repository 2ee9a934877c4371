/**
 * The result-table contract between the runner (src/scenarios) and the reports (src/reports).
 * Reports know only these shapes, never model internals.
 */
// The rows models emit are the rows reports read: one definition, in the plug-in contract.
import type { MetricInfo, Observation, Scalar } from "../models/plugin.js";
import type { ClaimSpec, FigureSpec } from "./spec.js";

export type { MetricInfo, Observation, Scalar };

/** One run: a sweep point × replication. Everything but `wallMs` is deterministic. */
export interface RunRecord {
  /** Canonical index in the scenario's expansion order (sweep points row-major, then replication). */
  readonly runIndex: number;
  /** Swept parameter values by their scenario path, e.g. { "model.params.kernel": "linux" }. */
  readonly point: Readonly<Record<string, Scalar>>;
  readonly replication: number;
  /** Seed derived from the scenario seed and the run's coordinates (decimal string). */
  readonly seed: string;
  readonly status: "ok" | "failed";
  /** Diagnosis of a failed run (deadlock, limit, model error), one readable paragraph. */
  readonly error?: string;
  readonly fingerprint?: string;
  readonly events?: number;
  readonly simTime?: number;
  /** Wall-clock milliseconds: goes to the manifest only, never to CSV (not deterministic). */
  readonly wallMs?: number;
  readonly observations: readonly Observation[];
}

export interface ScenarioMeta {
  readonly name: string;
  readonly description: string;
  readonly model: string;
  readonly experiment: string;
  /** sha256 of the scenario file's bytes. */
  readonly contentHash: string;
  readonly seed: string;
  /** Swept parameter paths, in sweep order (these become CSV columns). */
  readonly sweepKeys: readonly string[];
  readonly metrics: readonly MetricInfo[];
  readonly figures: readonly FigureSpec[];
  readonly claims: readonly ClaimSpec[];
  /** Overrides and kernel/HVM options in force (`path = value (override|default)`), shown with figures and in the report. */
  readonly configuration?: readonly string[];
}

/** Column prefix of a swept parameter-file entry, and the suffix of a sweep by scale factors. */
const OVERRIDE_PREFIX = "parameters.";
const SCALE_SUFFIX = ".scale";

/** The column a swept parameter-file entry (an override path) becomes: `parameters.x64.apic.accept`. */
export const overrideColumn = (path: string): string => `${OVERRIDE_PREFIX}${path}`;

/** The column of a sweep by scale factors: `parameters.x64.apic.accept.scale` for the entry's column. */
export const scaleColumn = (column: string): string => `${column}${SCALE_SUFFIX}`;

/** `parameters.x64.apic.accept` for the column of a parameter-file entry's scale-factor sweep, else undefined. */
export function entryOfScaleColumn(column: string): string | undefined {
  return column.startsWith(OVERRIDE_PREFIX) && column.endsWith(SCALE_SUFFIX) ? column.slice(0, -SCALE_SUFFIX.length) : undefined;
}

export interface ScenarioResult {
  readonly scenario: ScenarioMeta;
  /** Sorted by runIndex. */
  readonly runs: readonly RunRecord[];
}
