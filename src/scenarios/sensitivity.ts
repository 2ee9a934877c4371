/**
 * `hrtsim sensitivity SCENARIO`: one-at-a-time sweeps. Each parameter the scenario uses that has
 * a plausible `range` in its data file is set to the low and then the high end (a value for a
 * plain number, a scale factor for a distribution), all others at their file values, and every
 * claim is re-evaluated. Only the runs whose model uses the parameter are re-run (an x64 cost
 * does not touch the Phi's runs); every run keeps its seed, so differences come from the
 * parameter, not from different random draws. Parameters without a range are listed, not varied.
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { checkOverride, type ParameterInfo } from "../models/hardware/overrides.js";
import { TIME_UNITS } from "../models/hardware/params.js";
import { evaluateClaims, renderSvg, runsFeedingClaims, type RunRecord } from "../reports/index.js";
import {
  claimMarkers, sensitivityCsv, sensitivityMarkdown, tornadoSpec,
  type SensitivityAnalysis, type SensitivityVariant, type Setting,
} from "../reports/sensitivity.js";
import { writeFileAtomic } from "./atomic.js";
import { parametersHash } from "./sensitivity-store.js";
import { builtinFiles } from "./builtin.js";
import { canonicalJson, decodeStrict, withParams, type Params } from "./decode.js";
import { decodeFlagParams } from "./inspect.js";
import type { RunTask } from "./execute.js";
import { expandRuns, type RunSpec } from "./expand.js";
import { loadScenario, type LoadedScenario } from "./load.js";
import { wallLimitMs } from "./limits.js";
import { makeBatches, runPool } from "./pool.js";
import { InputError, didYouMean } from "./problems.js";
import { makeProgress } from "./progress.js";

export const METHOD =
  "One-at-a-time: each parameter with a plausible range is set to its low and its high end (plain numbers: the value; " +
  "distributions: every location and scale parameter multiplied by the factor), all other parameters at their file values; " +
  "every claim is re-evaluated on the same seeds (runs whose observations reach no claim are not re-run). A claim is robust if no range end flips its verdict. Interactions between " +
  "parameters are not explored (no Morris screening: with the ranges given, the one-at-a-time design already costs " +
  "2 × parameters re-runs of the affected points).";

export interface SensitivityRequest {
  /** A scenario file, or the name of a built-in scenario. */
  readonly scenario: string;
  readonly out?: string;
  readonly workers: number;
  readonly quiet: boolean;
  /** Model parameters for every run of the analysis (e.g. trials=20), to make it affordable. */
  readonly modelParams: Readonly<Record<string, unknown>>;
  /** Only these parameter paths (default: every one with a range). */
  readonly only?: readonly string[];
  readonly command: string;
  readonly log: (line: string) => void;
}

/** A file path, or a built-in scenario's name. */
export function scenarioFile(nameOrFile: string): string {
  if (existsSync(nameOrFile)) return nameOrFile;
  const builtin = builtinFiles().find((f) => f.replace(/^.*\//, "").replace(/\.(ya?ml|json)$/, "") === nameOrFile);
  if (builtin) return builtin;
  throw new InputError([{ file: nameOrFile, path: "", message: "no such file or built-in scenario", hint: "`hrtsim list` shows the built-in scenarios" }]);
}

/** The scenario with `model.params` extended (checked like a file: a bad key is an input problem naming the flag). */
async function withModelParams(file: string, modelParams: Readonly<Record<string, unknown>>): Promise<LoadedScenario> {
  const s = await loadScenario(file);
  if (Object.keys(modelParams).length === 0) return s;
  const params = withParams(s.baseParams, modelParams, s.plugin.nameMaps);
  decodeFlagParams(s.plugin, params, "--with");
  return { ...s, baseParams: params };
}

/** Parameter paths each run's model uses (cached per distinct parameter set). */
function pathsPerRun(s: LoadedScenario, specs: readonly RunSpec[]): Array<ReadonlySet<string>> {
  const cache = new Map<string, ReadonlySet<string>>();
  return specs.map((spec) => {
    const key = canonicalJson(spec.params);
    let set = cache.get(key);
    if (set === undefined) {
      const r = decodeStrict(s.plugin.paramsSchema, spec.params);
      set = new Set(r.ok && s.plugin.parameterSpace ? s.plugin.parameterSpace(r.value, s.machine).map((i) => i.path) : []);
      cache.set(key, set);
    }
    return set;
  });
}

/**
 * The override for range end `x`: a factor for a distribution; for a plain time cost the same
 * relative change as a factor (so a machine whose file derives its value from this one, e.g. the
 * Phi's Nautilus costs, moves by the same proportion); otherwise the value itself.
 */
export function overrideAt(info: ParameterInfo, x: number): unknown {
  if (info.kind === "distribution") return { scale: x };
  if (TIME_UNITS.has(info.unit) && typeof info.value === "number" && info.value > 0) return { scale: x / info.value };
  return x;
}

interface Plan {
  readonly key: string;
  readonly path: string;
  readonly setting: Setting;
  readonly value: unknown;
  readonly end: number;
  readonly tasks: RunTask[];
}

export async function runSensitivity(req: SensitivityRequest): Promise<{ analysis: SensitivityAnalysis; out: string; wallMs: number }> {
  const start = Date.now();
  const s = await withModelParams(scenarioFile(req.scenario), req.modelParams);
  const specs = expandRuns(s);
  const used = pathsPerRun(s, specs);
  const limits = s.doc.limits ?? {};
  const task = (spec: RunSpec, extra: Params = {}): RunTask => ({
    model: s.plugin.name, limits, spec: Object.keys(extra).length ? { ...spec, overrides: { ...(spec.overrides ?? {}), ...extra } } : spec,
  });
  const unknown = (req.only ?? []).filter((p) => !s.space.has(p));
  if (unknown.length > 0) {
    const known = [...s.space.keys()];
    throw new InputError(unknown.map((p) => {
      const hint = didYouMean(p, known);
      return {
        file: "<command line>", path: "--only", message: "not a parameter of this scenario", expected: `one of its ${known.length} parameter paths (\`hrtsim params\` lists them)`,
        found: JSON.stringify(p), ...(hint ? { hint } : {}),
      };
    }));
  }
  const candidates = [...s.space.entries()].filter(([p]) => req.only === undefined || req.only.includes(p)).sort(([a], [b]) => a.localeCompare(b));
  const noRange = candidates.filter(([, infos]) => !infos.some((i) => i.range)).map(([p]) => p);
  const skipped: Array<{ path: string; setting: Setting; why: string }> = [];
  const plans: Plan[] = [];
  for (const [path, infos] of candidates) {
    const info = infos.find((i) => i.range);
    if (!info) continue;
    for (const setting of ["low", "high"] as const) {
      const value = overrideAt(info, info.range![setting]);
      const bad = checkOverride(info, value);
      if (bad) {
        skipped.push({ path, setting, why: `${bad.message}: expected ${bad.expected}` });
        continue;
      }
      const tasks = specs.flatMap((spec, i) => (used[i]!.has(path) ? [task(spec, { [path]: value })] : []));
      plans.push({ key: `${path}\u0000${setting}`, path, setting, value, end: info.range![setting], tasks });
    }
  }

  const baseline = new Map<number, RunRecord>();
  const evaluate = (records: ReadonlyMap<number, RunRecord>) =>
    evaluateClaims({ scenario: s.meta, runs: specs.map((spec) => records.get(spec.runIndex) ?? baseline.get(spec.runIndex)!) })
      .map(({ id, value, pass, problem }) => ({ id, value, pass, ...(problem !== undefined ? { problem } : {}) }));
  // The baseline first (every variant reuses its unaffected runs), then all variants on one pool.
  const wallMs = wallLimitMs(s.doc.limits);
  const first = makeProgress(specs.length, { quiet: req.quiet, label: "sensitivity: baseline" });
  await runPool(makeBatches("baseline", specs.map((spec) => task(spec)), req.workers, wallMs), {
    workers: req.workers,
    onResult: (_key, record) => {
      baseline.set(record.runIndex, record);
      first.tick();
    },
  });
  if (specs.length > 0) first.done();
  // Only runs whose observations reach a claim can move a verdict: the others are not re-run.
  const feeding = runsFeedingClaims({ scenario: s.meta, runs: specs.map((spec) => baseline.get(spec.runIndex)!) });
  const varied = plans.map((p) => ({ ...p, tasks: p.tasks.filter((t) => feeding.has(t.spec.runIndex)) }));
  const pending = new Map<string, { plan: Plan; records: Map<number, RunRecord> }>(varied.map((p) => [p.key, { plan: p, records: new Map() }]));
  const variants = new Map<string, SensitivityVariant>();
  const total = varied.reduce((n, p) => n + p.tasks.length, 0);
  const progress = makeProgress(total, { quiet: req.quiet, label: "sensitivity: variants" });
  await runPool(varied.flatMap((p) => [...makeBatches(p.key, p.tasks, req.workers, wallMs)]), {
    workers: req.workers,
    onResult: (key, record) => {
      progress.tick();
      const v = pending.get(key)!;
      v.records.set(record.runIndex, record);
      if (v.records.size < v.plan.tasks.length) return;
      // Evaluated as soon as complete, then dropped: only verdicts are kept.
      variants.set(key, { path: v.plan.path, setting: v.plan.setting, end: v.plan.end, value: v.plan.value, verdicts: evaluate(v.records) });
      pending.delete(key);
    },
  });
  if (total > 0) progress.done();
  for (const p of varied) if (p.tasks.length === 0) variants.set(p.key, { path: p.path, setting: p.setting, end: p.end, value: p.value, verdicts: evaluate(new Map()) });
  const analysis: SensitivityAnalysis = {
    version: 1, scenario: s.meta.name, contentHash: s.meta.contentHash, parametersHash: parametersHash(s.space), command: req.command, method: METHOD,
    claims: s.meta.claims.map(({ id, text, op, threshold }) => ({ id, text, op, threshold })),
    baseline: evaluate(new Map()),
    variants: varied.map((p) => variants.get(p.key)!),
    noRange, skipped, runs: specs.length + total,
  };
  const out = req.out ?? join("hrtsim-out", "sensitivity", s.meta.name);
  await writeAnalysis(analysis, out);
  return { analysis, out, wallMs: Date.now() - start };
}

/** sensitivity.json (what `figures` reads when checked in), sensitivity.csv, a tornado per claim, report.md. */
export async function writeAnalysis(a: SensitivityAnalysis, out: string): Promise<void> {
  const figures: Array<{ id: string; path: string }> = [];
  for (const c of a.claims) {
    const spec = tornadoSpec(a, c.id);
    const path = `figures/tornado-${encodeURIComponent(c.id)}.svg`;
    await writeFileAtomic(join(out, path), await renderSvg(spec));
    await writeFileAtomic(join(out, path.replace(/\.svg$/, ".vl.json")), JSON.stringify(spec, null, 2) + "\n");
    figures.push({ id: c.id, path });
  }
  await writeFileAtomic(join(out, "sensitivity.csv"), sensitivityCsv(a));
  await writeFileAtomic(join(out, "sensitivity.json"), JSON.stringify(a, null, 1) + "\n");
  await writeFileAtomic(join(out, "report.md"), sensitivityMarkdown(a, figures));
}

/** The closing lines of the command: one per claim with its marker. */
export function sensitivitySummary(a: SensitivityAnalysis, out: string, wallMs: number): string {
  const markers = claimMarkers(a);
  return [
    `wrote ${out}: ${a.variants.length} parameter ends, ${a.runs} runs, ${(wallMs / 1000).toFixed(1)} s; ${a.noRange.length} parameters have no range`,
    ...markers.map((m) => `  ${m.id}: ${m.marker}`),
  ].join("\n");
}
