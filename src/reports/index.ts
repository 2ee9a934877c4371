/** Public API of the reports: result tables in, CSV / figures / report text out (no file I/O). */
export type { MetricInfo, Observation, RunRecord, Scalar, ScenarioMeta, ScenarioResult } from "./results.js";
export * from "./spec.js";
export { observationsCsv, summaryCsv, failuresCsv, claimsCsv, summarize, type SummaryRow } from "./tables.js";
export { evaluateClaims, evaluateClaim, compareOp, runsFeedingClaims } from "./claims.js";
export { figureSpecs, figureSpec, renderSvg, FIGURE_CONFIG, type BuiltFigure, type VegaLiteSpec } from "./figures.js";
export { buildManifest, manifestJson, type Manifest, type ManifestRun, type ManifestScenario } from "./manifest.js";
export {
  renderReport, reportModel, figurePath, MAX_SUMMARY_ROWS,
  type ReportInput, type ReportFigure, type ReportSection, type ReportTable, type ReportModel, type SectionFigure,
} from "./report.js";
export { display, escapeHtml, escapeMd, markdownToHtml, neutralizeMdHtml } from "./markup.js";
export { describe, meanCI, statistic, tCritical, tQuantile, type Describe, type MeanCI } from "./stats.js";
export { formatNumber } from "./common.js";
