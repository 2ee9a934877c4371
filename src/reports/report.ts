/**
 * The report: one model of what to show (claims, figures, summaries, sections, failures,
 * manifest), rendered twice — self-contained HTML and Markdown — so both always agree.
 */
import { describeCoords, formatNumber, formatScalar } from "./common.js";
import { display } from "./markup.js";
import type { Manifest } from "./manifest.js";
import { renderHtml } from "./report-html.js";
import type { ReportFigure, ReportInput, ReportModel, ReportTable } from "./report-model.js";
import { renderMarkdown } from "./report-md.js";
import type { ScenarioResult } from "./results.js";
import type { ClaimVerdict } from "./spec.js";
import { summarize } from "./tables.js";

export type { ReportFigure, ReportInput, ReportModel, ReportSection, ReportTable, SectionFigure } from "./report-model.js";

/** Rows beyond this go to summary.csv only; the report stays skimmable. */
export const MAX_SUMMARY_ROWS = 200;

/** Relative path of a figure's SVG, as the runner lays files out. */
export function figurePath(scenario: string, name: string): string {
  return `figures/${encodeURIComponent(scenario)}/${encodeURIComponent(name)}.svg`;
}

const shortKey = (k: string) => k.slice(k.lastIndexOf(".") + 1);

function summaryTable(result: ScenarioResult): { table: ReportTable; note?: string } {
  const keys = result.scenario.sweepKeys;
  const rows = summarize(result, { poolLabels: true });
  const columns = [...keys.map(shortKey), "metric", "unit", "n", "mean", "p50", "p99", "max", "reps", "rep. mean ± 95% CI"];
  const body = rows.slice(0, MAX_SUMMARY_ROWS).map((r) => {
    const c = r.replicationMean;
    const ci = c.lo === undefined || c.hi === undefined ? display(c.mean) : `${display(c.mean)} ± ${display((c.hi - c.lo) / 2)}`;
    return [
      ...keys.map((k) => formatScalar(r.point[k])), r.metric, r.unit, formatNumber(r.stats.count), display(r.stats.mean),
      display(r.stats.p50), display(r.stats.p99), display(r.stats.max), formatNumber(c.n), ci,
    ];
  });
  const note = rows.length > MAX_SUMMARY_ROWS
    ? `Showing ${MAX_SUMMARY_ROWS} of ${rows.length} rows; summary.csv has all, per label as well.`
    : "Labels pooled; summary.csv has per-label rows.";
  return { table: { columns, rows: body }, note };
}

function failuresTable(results: readonly ScenarioResult[]): ReportTable {
  const rows = results.flatMap(({ scenario, runs }) =>
    runs.filter((r) => r.status === "failed").map((r) => [
      scenario.name, formatNumber(r.runIndex), describeCoords(Object.entries(r.point).map(([k, v]) => [shortKey(k), v])),
      formatNumber(r.replication), r.seed, r.error ?? "(no diagnosis recorded)",
    ]),
  );
  return { columns: ["scenario", "run", "point", "replication", "seed", "error"], rows };
}

function manifestTables(m: Manifest): ReportModel["manifest"] {
  const scenarios = m.scenarios.map((s) => {
    const failed = s.runs.filter((r) => r.status === "failed").length;
    const wall = s.runs.reduce((acc, r) => acc + (r.wallMs ?? 0), 0);
    return [s.name, s.contentHash, s.seed, formatNumber(s.runs.length), formatNumber(failed), display(wall)];
  });
  const runs = m.scenarios.flatMap((s) =>
    s.runs.map((r) => [
      s.name, formatNumber(r.runIndex), describeCoords(Object.entries(r.point).map(([k, v]) => [shortKey(k), v])),
      formatNumber(r.replication), r.seed, r.fingerprint ?? "", r.events === undefined ? "" : formatNumber(r.events),
      r.simTime === undefined ? "" : formatNumber(r.simTime), r.status, r.wallMs === undefined ? "" : display(r.wallMs),
    ]),
  );
  return {
    scenarios: { columns: ["scenario", "content hash", "seed", "runs", "failed", "wall ms"], rows: scenarios },
    runs: {
      columns: ["scenario", "run", "point", "replication", "seed", "fingerprint", "events", "simTime", "status", "wall ms"],
      rows: runs,
    },
  };
}

/** The claim's statement with its sensitivity marker (robust / depends on …), when an analysis exists. */
function withSensitivityNote(v: ClaimVerdict): ClaimVerdict {
  return v.sensitivity === undefined ? v : { ...v, text: `${v.text} — Under the parameters' plausible ranges: ${v.sensitivity}` };
}

export function reportModel(input: ReportInput): ReportModel {
  const { manifest: m, verdicts } = input;
  const passed = verdicts.filter((v) => v.pass).length;
  const runs = input.results.flatMap((r) => r.runs);
  const failed = runs.filter((r) => r.status === "failed").length;
  const facts: Array<readonly [string, string]> = [
    ["hrtsim", m.hrtsimVersion],
    ["Node", m.nodeVersion],
    ["created by", m.createdBy],
    ...(m.createdAt ? [["created at", m.createdAt] as const] : []),
    ["runs", `${runs.length} (${failed} failed)`],
    ["total wall time", `${display(m.totalWallMs / 1000)} s`],
  ];
  return {
    title: input.title,
    facts,
    claims: { summary: `${passed} of ${verdicts.length} claims pass.`, verdicts: verdicts.map(withSensitivityNote) },
    scenarios: input.results.map((result) => {
      const name = result.scenario.name;
      const { table, note } = summaryTable(result);
      return {
        name,
        description: result.scenario.configuration?.length
          ? `${result.scenario.description} Parameters in force: ${result.scenario.configuration.join("; ")}.`
          : result.scenario.description,
        figures: input.figures.filter((f) => f.scenario === name).map((f) => ({ ...f, path: figurePath(name, f.name) })),
        summary: table,
        ...(note ? { summaryNote: note } : {}),
      };
    }),
    sections: input.sections ?? [],
    failures: failuresTable(input.results),
    manifest: manifestTables(m),
  };
}

/** report.html (self-contained: inline CSS and SVG, no network) and report.md. */
export function renderReport(input: ReportInput): { html: string; md: string } {
  const model = reportModel(input);
  return { html: renderHtml(model), md: renderMarkdown(model) };
}
