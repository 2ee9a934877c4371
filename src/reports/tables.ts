/**
 * Result tables as CSV: tidy observations, per-cell summaries, failed runs, claim verdicts.
 * Only deterministic fields appear (never wallMs), with fixed number formatting, so the
 * same results give byte-identical files on every machine.
 */
import { mean } from "d3-array";
import { stringify } from "csv-stringify/sync";
import {
  formatNumber, formatScalar, formatStat, groupInOrder, labelNames, okRows, unionInOrder, type Row,
} from "./common.js";
import type { Scalar, ScenarioResult } from "./results.js";
import type { ClaimSpec, ClaimVerdict } from "./spec.js";
import { describe, meanCI, type Describe, type MeanCI } from "./stats.js";

export function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // Arrays, not objects: a label called e.g. "metric" cannot shadow a fixed column.
  return stringify([header as string[], ...(rows as string[][])], { record_delimiter: "\n" });
}

function sweepKeysOf(results: readonly ScenarioResult[]): string[] {
  return unionInOrder(results.map((r) => r.scenario.sweepKeys));
}

function labelsOf(results: readonly ScenarioResult[]): string[] {
  return unionInOrder(results.map((r) => labelNames(r.scenario, r.runs)));
}

/** One row per observation of a successful run, in scenario, runIndex, then emission order. */
export function observationsCsv(results: readonly ScenarioResult[]): string {
  const keys = sweepKeysOf(results);
  const labels = labelsOf(results);
  const header = ["scenario", ...keys, "replication", "seed", ...labels, "metric", "value"];
  const rows = results.flatMap((result) =>
    okRows(result).map(({ run, obs }) => [
      result.scenario.name,
      ...keys.map((k) => formatScalar(run.point[k])),
      formatNumber(run.replication),
      run.seed,
      ...labels.map((l) => formatScalar(obs.labels?.[l])),
      obs.metric,
      formatNumber(obs.value),
    ]),
  );
  return csv(header, rows);
}

/** Statistics of one cell: scenario × sweep point × metric × label combination. */
export interface SummaryRow {
  readonly scenario: string;
  readonly point: Readonly<Record<string, Scalar>>;
  readonly labels: Readonly<Record<string, Scalar>>;
  readonly metric: string;
  readonly unit: string;
  /** Over all finite observations of the cell, pooled across replications. */
  readonly stats: Describe;
  /** Mean of the per-replication means, with its t-based 95% CI (n = replications). */
  readonly replicationMean: MeanCI;
}

/**
 * Cells in first-seen order (runs are sorted point-major, so a point's cells are contiguous).
 * `labels` keeps only those labels apart (the report groups by what its figures distinguish);
 * by default every label combination is its own cell.
 */
export function summarize(result: ScenarioResult, options: { labels?: readonly string[] } = {}): SummaryRow[] {
  const meta = result.scenario;
  const labels = options.labels ?? labelNames(meta, result.runs);
  const units = new Map(meta.metrics.map((m) => [m.name, m.unit]));
  const labelsOfRow = (r: Row): Record<string, Scalar> =>
    Object.fromEntries(labels.flatMap((l) => (r.obs.labels?.[l] === undefined ? [] : [[l, r.obs.labels[l]]])));
  // JSON of the coordinate values is an unambiguous key ("a,b" joins would collide).
  const cellKey = (r: Row) =>
    JSON.stringify([meta.sweepKeys.map((k) => r.run.point[k] ?? null), r.obs.metric, labels.map((l) => r.obs.labels?.[l] ?? null)]);
  const rows = okRows(result).filter((r) => Number.isFinite(r.obs.value));
  return [...groupInOrder(rows, cellKey).values()].map((cell) => {
    const first = cell[0]!;
    const perReplication = [...groupInOrder(cell, (r) => String(r.run.replication)).values()].map(
      (rep) => mean(rep, (r) => r.obs.value)!,
    );
    return {
      scenario: meta.name,
      point: first.run.point,
      labels: labelsOfRow(first),
      metric: first.obs.metric,
      unit: units.get(first.obs.metric) ?? "",
      stats: describe(cell.map((r) => r.obs.value)),
      replicationMean: meanCI(perReplication),
    };
  });
}

export const SUMMARY_STAT_COLUMNS = [
  "count", "mean", "sd", "min", "p50", "p90", "p99", "max", "replications", "rep_mean", "ci95_lo", "ci95_hi",
] as const;

export function summaryStatCells(row: SummaryRow): string[] {
  const s = row.stats, c = row.replicationMean;
  return [
    formatNumber(s.count), formatStat(s.mean), formatStat(s.sd), formatStat(s.min), formatStat(s.p50),
    formatStat(s.p90), formatStat(s.p99), formatStat(s.max), formatNumber(c.n), formatStat(c.mean),
    formatStat(c.lo), formatStat(c.hi),
  ];
}

/** Per-cell statistics; the CI columns are empty for a single replication. */
export function summaryCsv(results: readonly ScenarioResult[]): string {
  const keys = sweepKeysOf(results);
  const labels = labelsOf(results);
  const header = ["scenario", ...keys, ...labels, "metric", "unit", ...SUMMARY_STAT_COLUMNS];
  const rows = results.flatMap((result) =>
    summarize(result).map((row) => [
      row.scenario,
      ...keys.map((k) => formatScalar(row.point[k])),
      ...labels.map((l) => formatScalar(row.labels[l])),
      row.metric,
      row.unit,
      ...summaryStatCells(row),
    ]),
  );
  return csv(header, rows);
}

/** Failed runs with their diagnosis (header only when none failed). */
export function failuresCsv(results: readonly ScenarioResult[]): string {
  const keys = sweepKeysOf(results);
  const header = ["scenario", "runIndex", ...keys, "replication", "seed", "error"];
  const rows = results.flatMap((result) =>
    result.runs
      .filter((run) => run.status === "failed")
      .map((run) => [
        result.scenario.name,
        formatNumber(run.runIndex),
        ...keys.map((k) => formatScalar(run.point[k])),
        formatNumber(run.replication),
        run.seed,
        run.error ?? "",
      ]),
  );
  return csv(header, rows);
}

export function formatThreshold(t: ClaimSpec["threshold"]): string {
  return typeof t === "number" ? formatNumber(t) : `[${formatNumber(t[0])},${formatNumber(t[1])}]`;
}

/** One row per verdict (group empty), followed by one row per group when grouped. */
export function claimsCsv(verdicts: readonly ClaimVerdict[]): string {
  const header = ["scenario", "id", "group", "value", "op", "threshold", "pass", "problem", "text", "sensitivity"];
  const rows = verdicts.flatMap((v) => [
    [v.scenario, v.id, "", formatStat(v.value), v.op, formatThreshold(v.threshold), String(v.pass), v.problem ?? "", v.text, v.sensitivity ?? ""],
    ...v.groups.map((g) => [
      v.scenario, v.id, g.group, formatStat(g.value), v.op, formatThreshold(v.threshold), String(g.pass), "", v.text, "",
    ]),
  ]);
  return csv(header, rows);
}
