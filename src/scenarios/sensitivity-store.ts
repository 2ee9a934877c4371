/**
 * Checked-in sensitivity analyses: `sensitivity/<scenario name>.json` beside a scenario file
 * (for the built-ins, src/scenarios/builtin/sensitivity/), written by
 * `hrtsim sensitivity <scenario> --out DIR` (copy DIR/sensitivity.json there). The full analysis
 * is too heavy for `hrtsim figures`, so its report reads the stored result and names the command.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ParameterInfo } from "../models/hardware/overrides.js";
import type { SensitivityAnalysis } from "../reports/sensitivity.js";
import { canonicalJson } from "./decode.js";
import { sha256, type LoadedScenario } from "./load.js";

/** sha256 of every entry (path, value, unit, range) the scenario's runs use, in path order. */
export function parametersHash(space: ReadonlyMap<string, readonly ParameterInfo[]>): string {
  const entries = [...space].sort(([a], [b]) => a.localeCompare(b)).map(([p, infos]) => [p, infos.map((i) => [i.value, i.unit, i.range ?? null])]);
  return sha256(canonicalJson(entries));
}

export function storedAnalysisFile(s: Pick<LoadedScenario, "file" | "meta">): string {
  return join(dirname(s.file), "sensitivity", `${s.meta.name}.json`);
}

/** Stored analyses by scenario name; a missing file means "not analysed", an unreadable one is an error. */
export async function storedAnalyses(scenarios: ReadonlyArray<Pick<LoadedScenario, "file" | "meta">>): Promise<Map<string, SensitivityAnalysis>> {
  const out = new Map<string, SensitivityAnalysis>();
  for (const s of scenarios) {
    const file = storedAnalysisFile(s);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    const a = JSON.parse(text) as SensitivityAnalysis;
    if (a.version !== 1 || a.scenario !== s.meta.name) throw new Error(`${file}: not a sensitivity analysis of scenario "${s.meta.name}"`);
    out.set(s.meta.name, a);
  }
  return out;
}
