/**
 * The report: one model of what to show (claims, figures, summaries, sections, failures,
 * manifest), rendered twice — self-contained HTML and Markdown — so both always agree.
 */
import { describeCoords, formatNumber } from "./common.js";
import { display } from "./markup.js";
import type { Manifest } from "./manifest.js";
import { renderHtml } from "./report-html.js";
import type { ReportInput, ReportModel, ReportTable } from "./report-model.js";
import type { ClaimVerdict } from "./spec.js";
import { renderMarkdown } from "./report-md.js";
import { INTRO_MARKDOWN } from "./report-intro.js";
import { FAILURE_COLUMNS, failuresTable, lostPointsNote, shortKey, summaryTable } from "./report-scenario.js";

export { MAX_SUMMARY_ROWS } from "./report-scenario.js";

export type { ReportFigure, ReportInput, ReportModel, ReportSection, ReportTable, SectionFigure } from "./report-model.js";

/** Relative path of a figure's SVG, as the runner lays files out. */
export function figurePath(scenario: string, name: string): string {
  return `figures/${encodeURIComponent(scenario)}/${encodeURIComponent(name)}.svg`;
}

/** Every failed run of the report, each scenario's table prefixed with its name. */
function allFailures(model: ReportModel["scenarios"]): ReportTable {
  return {
    columns: ["scenario", ...FAILURE_COLUMNS],
    rows: model.flatMap((s) => s.failures.rows.map((r) => [s.name, ...r])),
  };
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
  const marked = verdicts.map(withSensitivityNote);
  const runs = input.results.flatMap((r) => r.runs);
  const failed = runs.filter((r) => r.status === "failed").length;
  const sections = input.sections ?? [];
  const names = new Set(input.results.map((r) => r.scenario.name));
  const scenarios = input.results.map((result) => {
    const name = result.scenario.name;
    const { table, note } = summaryTable(result);
    return {
      name,
      description: result.scenario.configuration?.length
        ? `${result.scenario.description} Parameters in force: ${result.scenario.configuration.join("; ")}.`
        : result.scenario.description,
      figures: input.figures.filter((f) => f.scenario === name).map((f) => {
        const spec = result.scenario.figures.find((x) => x.name === f.name);
        const lost = spec && lostPointsNote(result, spec);
        return { ...f, path: figurePath(name, f.name), ...(lost ? { lost } : {}) };
      }),
      summary: table,
      ...(note ? { summaryNote: note } : {}),
      claims: marked.filter((v) => v.scenario === name),
      sections: sections.filter((s) => s.scenario === name),
      failures: failuresTable(result),
    };
  });
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
    intro: INTRO_MARKDOWN,
    facts,
    claims: { summary: `${passed} of ${verdicts.length} claims pass.`, verdicts: marked },
    scenarios,
    sections: sections.filter((s) => !names.has(s.scenario ?? "")),
    failures: allFailures(scenarios),
    manifest: manifestTables(m),
  };
}

/** report.html (self-contained: inline CSS and SVG, no network) and report.md. */
export function renderReport(input: ReportInput): { html: string; md: string } {
  const model = reportModel(input);
  return { html: renderHtml(model), md: renderMarkdown(model) };
}
