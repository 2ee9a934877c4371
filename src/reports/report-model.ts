/** The report's input and its text-only model, shared by the HTML and Markdown renderers. */
import type { Manifest } from "./manifest.js";
import type { ScenarioResult } from "./results.js";
import type { ClaimVerdict } from "./spec.js";

export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** A closing total row, set apart from the body. */
  readonly total?: ReadonlyArray<string | number>;
}

export interface ReportSection {
  readonly title: string;
  /** The scenario the section belongs to: it is shown collapsed inside that scenario's section. */
  readonly scenario?: string;
  readonly markdown?: string;
  readonly table?: ReportTable;
  /** Figures shown after the table; `path` is relative to the output directory (written there by the runner). */
  readonly figures?: readonly SectionFigure[];
}

/** A section's figure: rendered SVG, and its Vega-Lite spec if it has one (written beside it as .vl.json). */
export interface SectionFigure {
  readonly path: string;
  readonly title: string;
  readonly svg: string;
  readonly vegaLite?: Readonly<Record<string, unknown>>;
}

export interface ReportFigure {
  readonly scenario: string;
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

export interface ReportInput {
  readonly title: string;
  readonly results: readonly ScenarioResult[];
  readonly verdicts: readonly ClaimVerdict[];
  readonly figures: readonly ReportFigure[];
  readonly sections?: readonly ReportSection[];
  readonly manifest: Manifest;
}

/** Everything the two renderers show, already reduced to text. */
export interface ReportModel {
  readonly title: string;
  /** Opening Markdown: the paper, what hrtsim reproduces and how, how to read a verdict. */
  readonly intro: string;
  readonly facts: ReadonlyArray<readonly [string, string]>;
  readonly claims: { readonly summary: string; readonly verdicts: readonly ClaimVerdict[] };
  readonly scenarios: ReadonlyArray<{
    readonly name: string;
    readonly description: string;
    /** `lost`: the sweep points the figure lost to failed runs, as caption text. */
    readonly figures: ReadonlyArray<ReportFigure & { readonly path: string; readonly lost?: string }>;
    readonly summary: ReportTable;
    readonly summaryNote?: string;
    readonly claims: readonly ClaimVerdict[];
    /** Step breakdowns and other sections that belong to this scenario. */
    readonly sections: readonly ReportSection[];
    readonly failures: ReportTable;
  }>;
  /** Sections that belong to no scenario (e.g. host measurements). */
  readonly sections: readonly ReportSection[];
  readonly failures: ReportTable;
  readonly manifest: { readonly scenarios: ReportTable; readonly runs: ReportTable };
}
