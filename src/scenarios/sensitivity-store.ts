/**
 * Checked-in sensitivity analyses: `sensitivity/<scenario name>.json` beside a scenario file
 * (for the built-ins, src/scenarios/builtin/sensitivity/), written by
 * `hrtsim sensitivity <scenario> --out DIR` (copy DIR/sensitivity.json there). The full analysis
 * is too heavy for `hrtsim figures`, so its report reads the stored result and names the command.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Schema } from "effect";
import type { ParameterInfo } from "../models/hardware/overrides.js";
import type { SensitivityAnalysis } from "../reports/sensitivity.js";
import { ClaimOpSchema, ClaimThresholdSchema } from "../reports/spec.js";
import { canonicalJson, sha256 } from "./decode.js";
import { InputError, type Problem } from "./problems.js";
import { decodeJsonFile } from "./stored.js";

/** One claim's verdict as stored (a value that was NaN, written as null, is read back as NaN: see VERDICT_NAN). */
const StoredVerdictSchema = Schema.Struct({
  id: Schema.String,
  value: Schema.Number,
  pass: Schema.Boolean,
  problem: Schema.optional(Schema.String),
});
const SettingSchema = Schema.Literals(["low", "high"]);

/** The file `hrtsim sensitivity` writes, checked when it is read; typed as reports/sensitivity.ts's SensitivityAnalysis, so the two cannot drift apart. */
const SensitivityAnalysisSchema: Schema.Decoder<SensitivityAnalysis> = Schema.Struct({
  version: Schema.Literal(1),
  scenario: Schema.String,
  contentHash: Schema.String,
  parametersHash: Schema.String,
  command: Schema.String,
  method: Schema.String,
  claims: Schema.Array(Schema.Struct({
    id: Schema.String,
    text: Schema.String,
    op: ClaimOpSchema,
    threshold: ClaimThresholdSchema,
  })),
  baseline: Schema.Array(StoredVerdictSchema),
  variants: Schema.Array(Schema.Struct({
    path: Schema.String,
    setting: SettingSchema,
    end: Schema.Finite,
    value: Schema.Unknown,
    verdicts: Schema.Array(StoredVerdictSchema),
  })),
  noRange: Schema.Array(Schema.String),
  skipped: Schema.Array(Schema.Struct({ path: Schema.String, setting: SettingSchema, why: Schema.String })),
  runs: Schema.Int,
});

/** A scenario as this file needs it (a LoadedScenario is one). */
interface AnalysedScenario {
  readonly file: string;
  readonly meta: { readonly name: string };
}

const remake = (s: AnalysedScenario) =>
  `re-make it (hrtsim sensitivity ${s.file} --out DIR, then copy DIR/sensitivity.json here), or delete it: the claims are then shown as not analysed`;

/**
 * JSON writes a verdict's NaN value (a claim with no value; its `problem` says why) as null: read
 * back as NaN, so a stored analysis is what `hrtsim sensitivity` computed. Only verdicts have a
 * `value` that is a number or null (a variant's override `value` is a number or `{ scale }`).
 */
const VERDICT_NAN = (key: string, v: unknown) => (key === "value" && v === null ? NaN : v);

/** A stored analysis's text, decoded; a damaged or foreign file is an InputError naming the file and the field. */
export function decodeStoredAnalysis(text: string, file: string, s: AnalysedScenario): SensitivityAnalysis {
  const a = decodeJsonFile(SensitivityAnalysisSchema, text, file, remake(s), VERDICT_NAN);
  if (a.scenario !== s.meta.name) {
    throw new InputError([{ file, path: "scenario", message: "an analysis of another scenario", expected: JSON.stringify(s.meta.name), found: JSON.stringify(a.scenario), hint: remake(s) }]);
  }
  return a;
}

/** sha256 of every entry (path, value, unit, range) the scenario's runs use, in path order. */
export function parametersHash(space: ReadonlyMap<string, readonly ParameterInfo[]>): string {
  const entries = [...space].sort(([a], [b]) => a.localeCompare(b)).map(([p, infos]) => [p, infos.map((i) => [i.value, i.unit, i.range ?? null])]);
  return sha256(canonicalJson(entries));
}

export function storedAnalysisFile(s: AnalysedScenario): string {
  return join(dirname(s.file), "sensitivity", `${s.meta.name}.json`);
}

/** The stored analyses of `scenarios` by name (a missing file: not analysed) and what is wrong with the damaged or unreadable ones. */
async function readStoredAnalyses(scenarios: readonly AnalysedScenario[]): Promise<{ analyses: Map<string, SensitivityAnalysis>; problems: Problem[] }> {
  const analyses = new Map<string, SensitivityAnalysis>();
  const problems: Problem[] = [];
  for (const s of scenarios) {
    const file = storedAnalysisFile(s);
    try {
      analyses.set(s.meta.name, decodeStoredAnalysis(await readFile(file, "utf8"), file, s));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      if (e instanceof InputError) problems.push(...e.problems);
      else problems.push({ file, path: "", message: `cannot read: ${(e as Error).message}`, hint: remake(s) });
    }
  }
  return { analyses, problems };
}

/** Stored analyses by scenario name; damaged or unreadable ones are one InputError naming every such file. */
export async function storedAnalyses(scenarios: readonly AnalysedScenario[]): Promise<Map<string, SensitivityAnalysis>> {
  const { analyses, problems } = await readStoredAnalyses(scenarios);
  if (problems.length > 0) throw new InputError(problems);
  return analyses;
}

/** What is wrong with the stored analyses of `scenarios` (empty if none is damaged): the loader's check. */
export async function storedAnalysisProblems(scenarios: readonly AnalysedScenario[]): Promise<Problem[]> {
  return (await readStoredAnalyses(scenarios)).problems;
}
