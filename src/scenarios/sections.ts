/**
 * Extra report sections. A provider turns what a command ran into sections (title +
 * Markdown and/or a table). Built in: `explain`, one step-by-step breakdown per entry of a
 * scenario's `report.explain`. To add one (e.g. host measurements for `figures --host`),
 * write a SectionProvider and append it to PROVIDERS — no CLI change needed.
 * Sections must be deterministic: they go into report.md, which is byte-reproducible.
 */
import { deriveSeed } from "../engine/index.js";
import type { Breakdown } from "../models/index.js";
import { formatNumber, type ReportSection, type ScenarioResult } from "../reports/index.js";
import { decodeStrict, withParams } from "./decode.js";
import { diagnose } from "./execute.js";
import { hostSections } from "./host-section.js";
import type { LoadedScenario } from "./load.js";

export interface SectionContext {
  /** "run", "figures" or "merge" of one of those. */
  readonly command: "run" | "figures";
  readonly scenarios: readonly LoadedScenario[];
  readonly results: readonly ScenarioResult[];
  /** `figures --host DIR`: host measurements to compare against (host-section.ts). */
  readonly hostDir?: string;
}

export type SectionProvider = (ctx: SectionContext) => ReportSection[] | Promise<ReportSection[]>;

/** A breakdown as a section of its scenario (the report shows it collapsed, with its total row). */
export function breakdownSection(title: string, b: Breakdown, scenario?: string): ReportSection {
  return {
    title,
    ...(scenario !== undefined ? { scenario } : {}),
    markdown: `${b.title}: total ${formatNumber(b.total)} ${b.unit}.`,
    table: {
      columns: ["step", "where", `cost (${b.unit})`, "note"],
      rows: b.steps.map((s) => [s.step, s.where, formatNumber(s.cost), s.note ?? ""]),
      total: ["total", "", formatNumber(b.total), ""],
    },
  };
}

/** Breakdowns for every `report.explain` entry of every scenario, in file order. */
export const explainSections: SectionProvider = ({ scenarios }) =>
  scenarios.flatMap((s) =>
    (s.doc.report?.explain ?? []).flatMap((req, i) => {
      const heading = req.title ?? `explain ${req.experiment}`;
      const scenario = s.meta.name;
      const params = decodeStrict(s.plugin.paramsSchema, withParams(s.baseParams, req.params ?? {}, s.plugin.nameMaps));
      if (!s.plugin.explain || !params.ok) return [{ title: heading, scenario, markdown: "Could not explain: invalid parameters." }];
      try {
        const seed = deriveSeed(s.meta.seed, "explain", i);
        const breakdowns = s.plugin.explain({ params: params.value, experiment: req.experiment, seed, limits: s.doc.limits ?? {} });
        return breakdowns.map((b) => breakdownSection(breakdowns.length > 1 ? `${heading}: ${b.title}` : heading, b, scenario));
      } catch (e) {
        return [{ title: heading, scenario, markdown: `Could not explain: ${diagnose(e)}` }];
      }
    }),
  );

/** Providers in report order. */
export const PROVIDERS: SectionProvider[] = [explainSections, hostSections];

export async function buildSections(ctx: SectionContext): Promise<ReportSection[]> {
  const out: ReportSection[] = [];
  for (const p of PROVIDERS) out.push(...(await p(ctx)));
  return out;
}
