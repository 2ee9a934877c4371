/**
 * One scenario's part of the report: its summary table (grouped by every label its figures
 * distinguish, so no row pools unlike operations), its failed runs, and the sweep points its
 * figures lost to failures (named in their captions).
 */
import {
  describeCoords, fieldsOf, formatNumber, formatScalar, groupInOrder, sameScalar, type Where,
} from "./common.js";
import { display } from "./markup.js";
import type { ReportTable } from "./report-model.js";
import type { RunRecord, Scalar, ScenarioResult } from "./results.js";
import type { FigureSpec } from "./spec.js";
import { summarize } from "./tables.js";

/** Rows beyond this go to summary.csv only; the report stays skimmable. */
export const MAX_SUMMARY_ROWS = 200;

export const shortKey = (k: string) => k.slice(k.lastIndexOf(".") + 1);

const pointText = (run: RunRecord) => describeCoords(Object.entries(run.point).map(([k, v]) => [shortKey(k), v]));

/** Labels a figure keeps apart: its x, colour and facet fields and the labels its `where` selects on. */
function figureLabels(spec: FigureSpec): string[] {
  return [spec.x, spec.color, spec.column, spec.row, ...Object.keys(spec.where ?? {})].filter((f): f is string => f !== undefined);
}

/** The labels the scenario's figures distinguish, in declaration order; the others are pooled. */
export function distinguishedLabels(result: ScenarioResult): { kept: string[]; pooled: string[] } {
  const { labels } = fieldsOf(result);
  const used = new Set(result.scenario.figures.flatMap(figureLabels));
  return { kept: labels.filter((l) => used.has(l)), pooled: labels.filter((l) => !used.has(l)) };
}

export function summaryTable(result: ScenarioResult): { table: ReportTable; note: string } {
  const keys = result.scenario.sweepKeys;
  const { kept, pooled } = distinguishedLabels(result);
  const rows = summarize(result, { labels: kept });
  const columns = [...keys.map(shortKey), ...kept, "metric", "unit", "n", "mean", "p50", "p99", "max", "reps", "rep. mean ± 95% CI"];
  const body = rows.slice(0, MAX_SUMMARY_ROWS).map((r) => {
    const c = r.replicationMean;
    const ci = c.lo === undefined || c.hi === undefined ? display(c.mean) : `${display(c.mean)} ± ${display((c.hi - c.lo) / 2)}`;
    return [
      ...keys.map((k) => formatScalar(r.point[k])), ...kept.map((l) => formatScalar(r.labels[l])), r.metric, r.unit,
      formatNumber(r.stats.count), display(r.stats.mean), display(r.stats.p50), display(r.stats.p99), display(r.stats.max),
      formatNumber(c.n), ci,
    ];
  });
  const notes = [
    rows.length > MAX_SUMMARY_ROWS ? `Showing ${MAX_SUMMARY_ROWS} of ${rows.length} rows; summary.csv has all.` : "",
    kept.length ? `One row per ${[...keys.map(shortKey), ...kept, "metric"].join(" × ")}.` : "",
    pooled.length ? `Pooled over ${pooled.join(", ")} (no figure distinguishes them); summary.csv has them apart.` : "",
  ];
  return { table: { columns, rows: body }, note: notes.filter(Boolean).join(" ") };
}

export const FAILURE_COLUMNS = ["run", "point", "replication", "seed", "error"];

export function failuresTable(result: ScenarioResult): ReportTable {
  const rows = result.runs.filter((r) => r.status === "failed").map((r) => [
    formatNumber(r.runIndex), pointText(r), formatNumber(r.replication), r.seed, r.error ?? "(no diagnosis recorded)",
  ]);
  return { columns: FAILURE_COLUMNS, rows };
}

/** Whether a run's sweep point satisfies the sweep-key clauses of a figure's `where` (label clauses cannot exclude a point). */
function pointMatcher(result: ScenarioResult, where: Where | undefined): (run: RunRecord) => boolean {
  const fields = fieldsOf(result);
  const clauses = Object.entries(where ?? {}).flatMap(([name, want]) => {
    const ref = fields.get(name);
    return ref?.kind === "point" ? [{ key: ref.key, wanted: Array.isArray(want) ? want : [want] }] : [];
  });
  return (run) => clauses.every(({ key, wanted }) => wanted.some((w: Scalar) => sameScalar(run.point[key], w)));
}

/**
 * What a figure lost to failed runs, as caption text: sweep points with no successful run
 * (absent from the figure) and points that lost some replications. Undefined if nothing.
 */
export function lostPointsNote(result: ScenarioResult, spec: FigureSpec): string | undefined {
  // No failed run, nothing lost: skip the work (the common case).
  if (!result.runs.some((r) => r.status === "failed")) return undefined;
  const runs = result.runs.filter(pointMatcher(result, spec.where));
  const byPoint = groupInOrder(runs, (r) => JSON.stringify(result.scenario.sweepKeys.map((k) => r.point[k] ?? null)));
  const lost: string[] = [];
  const partial: string[] = [];
  for (const point of byPoint.values()) {
    const failed = point.filter((r) => r.status === "failed").length;
    if (failed === point.length) lost.push(pointText(point[0]!) || "(the only point)");
    else if (failed > 0) partial.push(`${pointText(point[0]!)} (${failed} of ${point.length} runs)`);
  }
  const parts = [
    lost.length ? `Missing ${lost.length === 1 ? "point" : "points"} (every run failed): ${lost.join("; ")}.` : "",
    partial.length ? `Fewer replications at: ${partial.join("; ")}.` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}
