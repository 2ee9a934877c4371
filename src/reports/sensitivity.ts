/**
 * Claims under parameter uncertainty: the result of one-at-a-time sweeps (each parameter at the
 * low and high ends of its plausible range, every other at its file value), as tables, a
 * robust / depends-on marker per claim, and a tornado figure per claim. Pure data in, text out:
 * the runs are made by src/scenarios/sensitivity.ts.
 */
import { formatNumber } from "./common.js";
import type { ClaimSpec, ClaimVerdict } from "./spec.js";
import type { VegaLiteSpec } from "./figures.js";
import { csv } from "./tables.js";

export type Setting = "low" | "high";

/** One parameter at one end of its range, and every claim's verdict there. */
export interface SensitivityVariant {
  readonly path: string;
  readonly setting: Setting;
  /** The range end as the data file gives it (a value in the entry's unit, or a factor for a distribution). */
  readonly end: number;
  /** The override applied: a value, or `{ scale: f }`. */
  readonly value: unknown;
  readonly verdicts: ReadonlyArray<Pick<ClaimVerdict, "id" | "value" | "pass" | "problem">>;
}

export interface SensitivityAnalysis {
  readonly version: 1;
  readonly scenario: string;
  /** Content hash of the scenario as analysed. */
  readonly contentHash: string;
  /** Hash of every parameter entry the scenario used (values, units, ranges): a model data change shows as a different hash. */
  readonly parametersHash: string;
  /** The command that reproduces this analysis. */
  readonly command: string;
  readonly method: string;
  readonly claims: ReadonlyArray<{ readonly id: string; readonly text: string; readonly op: ClaimSpec["op"]; readonly threshold: ClaimSpec["threshold"] }>;
  readonly baseline: ReadonlyArray<Pick<ClaimVerdict, "id" | "value" | "pass" | "problem">>;
  readonly variants: readonly SensitivityVariant[];
  /** Parameters the scenario uses that have no plausible range in their data file (not varied). */
  readonly noRange: readonly string[];
  /** Range ends that are not valid values of the parameter (not run), with why. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly setting: Setting; readonly why: string }>;
  /** Runs made (baseline and variants). */
  readonly runs: number;
}

export interface ClaimMarker {
  readonly id: string;
  /** "robust", "depends on a (low), b (high)", or "not evaluable: …" (the baseline has no verdict). */
  readonly marker: string;
  readonly flips: ReadonlyArray<{ readonly path: string; readonly setting: Setting; readonly end: number }>;
}

const show = (v: unknown) => (typeof v === "number" ? formatNumber(v) : JSON.stringify(v));

/** Which parameter ends flip each claim's baseline verdict. */
export function claimMarkers(a: SensitivityAnalysis): ClaimMarker[] {
  return a.claims.map(({ id }) => {
    const base = a.baseline.find((b) => b.id === id)!;
    if (base.problem !== undefined) return { id, marker: `not evaluable: ${base.problem}`, flips: [] };
    const flips = a.variants.flatMap((v) => {
      const verdict = v.verdicts.find((x) => x.id === id)!;
      return verdict.pass !== base.pass ? [{ path: v.path, setting: v.setting, end: v.end }] : [];
    });
    if (a.variants.length === 0) return { id, marker: `not analysed: none of the ${a.noRange.length} parameters has a range`, flips };
    if (flips.length === 0) return { id, marker: `robust (${a.variants.length} range ends of ${new Set(a.variants.map((v) => v.path)).size} parameters; ${a.noRange.length} without a range not varied)`, flips };
    return { id, marker: `depends on ${flips.map((f) => `${f.path} (${f.setting} end ${formatNumber(f.end)})`).join(", ")}`, flips };
  });
}

/** One row per claim × varied parameter end: the claim's value there and whether the verdict flips. */
export function sensitivityCsv(a: SensitivityAnalysis): string {
  const header = ["scenario", "claim", "parameter", "setting", "range_end", "override", "claim_value", "pass", "baseline_value", "baseline_pass", "flips", "problem"];
  const rows: string[][] = [];
  for (const { id } of a.claims) {
    const base = a.baseline.find((b) => b.id === id)!;
    rows.push([a.scenario, id, "", "baseline", "", "", formatNumber(base.value), String(base.pass), formatNumber(base.value), String(base.pass), "false", base.problem ?? ""]);
    for (const v of a.variants) {
      const x = v.verdicts.find((y) => y.id === id)!;
      rows.push([a.scenario, id, v.path, v.setting, formatNumber(v.end), show(v.value), formatNumber(x.value), String(x.pass), formatNumber(base.value), String(base.pass), String(x.pass !== base.pass), x.problem ?? ""]);
    }
  }
  for (const p of a.noRange) rows.push([a.scenario, "", p, "no range given", "", "", "", "", "", "", "", ""]);
  for (const s of a.skipped) rows.push([a.scenario, "", s.path, s.setting, "", "", "", "", "", "", "", `not run: ${s.why}`]);
  return csv(header, rows);
}

/** Parameters ranked by how far their range moves the claim's value (largest first), without those that do not move it. */
export function tornadoRows(a: SensitivityAnalysis, id: string): Array<{ path: string; low?: number; high?: number; lowPass?: boolean; highPass?: boolean; swing: number }> {
  const base = a.baseline.find((b) => b.id === id)!.value;
  const byPath = new Map<string, { path: string; low?: number; high?: number; lowPass?: boolean; highPass?: boolean; swing: number }>();
  for (const v of a.variants) {
    const x = v.verdicts.find((y) => y.id === id)!;
    if (!Number.isFinite(x.value)) continue;
    const row = byPath.get(v.path) ?? { path: v.path, swing: 0 };
    if (v.setting === "low") Object.assign(row, { low: x.value, lowPass: x.pass });
    else Object.assign(row, { high: x.value, highPass: x.pass });
    row.swing = Math.max(row.swing, Math.abs(x.value - base));
    byPath.set(v.path, row);
  }
  return [...byPath.values()].filter((r) => r.swing > 0).sort((p, q) => q.swing - p.swing || p.path.localeCompare(q.path));
}

/** At most this many bars per tornado (the CSV has every parameter). */
export const TORNADO_BARS = 25;

/**
 * A tornado figure: per parameter a bar from the claim's value at the low end to that at the high
 * end; points red where the verdict flips; the baseline value and the threshold(s) as rules.
 */
export function tornadoSpec(a: SensitivityAnalysis, id: string): VegaLiteSpec {
  const claim = a.claims.find((c) => c.id === id)!;
  const base = a.baseline.find((b) => b.id === id)!;
  const rows = tornadoRows(a, id);
  const shown = rows.slice(0, TORNADO_BARS);
  const points = shown.flatMap((r) => (["low", "high"] as const).flatMap((s) => {
    const value = r[s];
    if (value === undefined) return [];
    const pass = s === "low" ? r.lowPass! : r.highPass!;
    return [{ parameter: r.path, end: s, value, verdict: pass === base.pass ? "same verdict" : "verdict flips" }];
  }));
  const thresholds = typeof claim.threshold === "number" ? [claim.threshold] : [...claim.threshold];
  const values = [...points.map((p) => p.value), base.value, ...thresholds].filter(Number.isFinite);
  const logX = values.length > 0 && values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) > 100;
  const scale = logX ? { type: "log" } : { zero: false };
  const order = shown.map((r) => r.path);
  const y = { field: "parameter", type: "nominal", sort: order, title: null };
  const hidden = rows.length - shown.length;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `${id}: claim value over each parameter's range`,
      subtitle: [
        `baseline ${formatNumber(base.value)} (${base.pass ? "PASS" : "FAIL"}); claim ${claim.op} ${thresholds.map(formatNumber).join(" .. ")}; one parameter at a time, others at their file values`,
        `${rows.length} parameter(s) move the value${hidden > 0 ? ` (${hidden} smallest not drawn; see sensitivity.csv)` : ""}; ${a.noRange.length} without a range not varied`,
      ],
    },
    width: 420,
    height: Math.max(60, 18 * shown.length),
    layer: [
      { data: { values: shown.filter((r) => r.low !== undefined && r.high !== undefined) }, mark: { type: "rule", strokeWidth: 6, opacity: 0.35 }, encoding: { y, x: { field: "low", type: "quantitative", scale, title: "claim value" }, x2: { field: "high" } } },
      { data: { values: points }, mark: { type: "point", filled: true, size: 70 }, encoding: { y, x: { field: "value", type: "quantitative", scale }, shape: { field: "end", type: "nominal", title: "range end" }, color: { field: "verdict", type: "nominal", scale: { domain: ["same verdict", "verdict flips"], range: ["#4c78a8", "#d62728"] }, title: null } } },
      { data: { values: [{ x: base.value, what: "baseline" }, ...thresholds.map((t) => ({ x: t, what: "threshold" }))] }, mark: { type: "rule" }, encoding: { x: { field: "x", type: "quantitative", scale }, strokeDash: { field: "what", type: "nominal", title: null } } },
    ],
  } as unknown as VegaLiteSpec;
}

/** The Markdown summary written beside the CSV (and shown by the command). */
export function sensitivityMarkdown(a: SensitivityAnalysis, figures: ReadonlyArray<{ id: string; path: string }>): string {
  const markers = claimMarkers(a);
  const lines = [
    `# Sensitivity of ${a.scenario}`, "",
    `Reproduce: \`${a.command}\``, "", a.method, "",
    `${a.variants.length} parameter ends varied, ${a.runs} runs; ${a.noRange.length} parameters without a range (not varied); ${a.skipped.length} range ends not valid values (not run).`, "",
    "| claim | baseline | verdict under the ranges |", "| --- | --- | --- |",
    ...markers.map((m) => {
      const b = a.baseline.find((x) => x.id === m.id)!;
      return `| ${m.id} | ${b.problem ? "no verdict" : b.pass ? "PASS" : "FAIL"} (${formatNumber(b.value)}) | ${m.marker.replace(/\|/g, "\\|")} |`;
    }),
    "", ...figures.map((f) => `![${f.id}](${f.path})`),
    "", `Parameters without a range: ${a.noRange.length === 0 ? "none" : a.noRange.join(", ")}`,
  ];
  return lines.join("\n") + "\n";
}

/**
 * Each verdict with the marker of a stored analysis of its scenario, saying which command produced
 * it and whether the scenario has changed since (its content hash differs).
 */
export function annotateVerdicts(
  verdicts: readonly ClaimVerdict[], analyses: ReadonlyMap<string, SensitivityAnalysis>,
  current: (scenario: string) => { readonly contentHash: string; readonly parametersHash: string } | undefined,
  analysable: (scenario: string) => boolean = () => false,
): ClaimVerdict[] {
  const markers = new Map([...analyses].map(([name, a]) => [name, new Map(claimMarkers(a).map((m) => [m.id, m.marker]))]));
  return verdicts.map((v) => {
    const a = analyses.get(v.scenario);
    const marker = markers.get(v.scenario)?.get(v.id);
    if (a === undefined || marker === undefined) {
      return {
        ...v, sensitivity: analysable(v.scenario)
          ? `not analysed (no stored analysis of this claim; \`hrtsim sensitivity ${v.scenario}\` makes one)`
          : "not analysed (the scenario's model exposes no parameter files with ranges to vary)",
      };
    }
    const now = current(v.scenario);
    const stale = [
      ...(now?.contentHash !== a.contentHash ? ["the scenario file"] : []), ...(now?.parametersHash !== a.parametersHash ? ["the parameter data"] : []),
    ];
    const note = stale.length > 0 ? `; ${stale.join(" and ")} changed since the analysis` : "";
    return { ...v, sensitivity: `${marker} [\`${a.command}\`${note}]` };
  });
}
