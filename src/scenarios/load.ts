/**
 * Loading a scenario: parse (YAML/JSON with positions), decode the format, then check it
 * against the model it names — parameters (every sweep point), experiments, figure and claim
 * fields. Every problem found is reported at once, each with file, field and line.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { findModel, listModels, type ModelPlugin } from "../models/index.js";
import type { MetricInfo, Scalar, ScenarioMeta } from "../reports/results.js";
import { checkReferences } from "./references.js";
import type { SweepAxis } from "./format.js";
import { decodeStrict, withParams, type Params } from "./decode.js";
import { EXPERIMENT_KEY, ModelRefSchema, ScenarioSchema, SweepSchema, type ScenarioDoc } from "./format.js";
import { issueProblems } from "./issues.js";
import { inlineNoiseTrace } from "./noise-trace.js";
import { InputError, didYouMean, joinPath, oneOf, type Problem } from "./problems.js";
import { parseSource, type SourceDoc } from "./source.js";

export interface LoadedScenario {
  readonly file: string;
  /** The document as written (plain data): stored in the journal so `merge` can rebuild the scenario. */
  readonly raw: unknown;
  readonly doc: ScenarioDoc;
  readonly plugin: ModelPlugin;
  readonly baseParams: Params;
  readonly axes: readonly SweepAxis[];
  readonly meta: ScenarioMeta;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function columnOf(key: string): string {
  return key === EXPERIMENT_KEY ? EXPERIMENT_KEY : `model.params.${key}`;
}

/** Cartesian product of the axes, row-major in key order (the last key varies fastest). */
export function sweepPoints(axes: readonly SweepAxis[]): Array<Array<{ axis: SweepAxis; index: number }>> {
  let points: Array<Array<{ axis: SweepAxis; index: number }>> = [[]];
  for (const axis of axes) {
    points = points.flatMap((p) => axis.values.map((_, index) => [...p, { axis, index }]));
  }
  return points;
}

function findPlugin(src: SourceDoc, name: string): ModelPlugin | Problem {
  const plugin = findModel(name);
  if (plugin) return plugin;
  const names = listModels().map((m) => m.name);
  const pos = src.locate(["model", "name"]);
  return {
    file: src.file, path: "model.name", ...(pos ? { line: pos.line, column: pos.column } : {}),
    message: "unknown model", expected: oneOf(names), found: JSON.stringify(name),
    hint: didYouMean(name, names) ?? "`hrtsim list` shows the registered models",
  };
}

function experimentProblem(src: SourceDoc, plugin: ModelPlugin, path: PropertyKey[], name: unknown): Problem | undefined {
  const names = plugin.experiments.map((e) => e.name);
  if (typeof name === "string" && names.includes(name)) return undefined;
  const pos = src.locate(path);
  return {
    file: src.file, path: joinPath(path), ...(pos ? { line: pos.line, column: pos.column } : {}),
    message: `not an experiment of model "${plugin.name}"`, expected: oneOf(names), found: JSON.stringify(name),
    ...(typeof name === "string" && didYouMean(name, names) ? { hint: didYouMean(name, names)! } : {}),
  };
}

/** Decodes the parameters of every sweep point; a problem caused by a swept value points at that value. */
function checkParams(src: SourceDoc, plugin: ModelPlugin, base: Params, axes: readonly SweepAxis[]): Problem[] {
  const paramAxes = axes.filter((a) => a.key !== EXPERIMENT_KEY);
  const seen = new Map<string, Problem>();
  for (const point of sweepPoints(paramAxes)) {
    const params = withParams(base, Object.fromEntries(point.map(({ axis, index }) => [axis.key, axis.values[index]])));
    const r = decodeStrict(plugin.paramsSchema, params);
    if (r.ok) continue;
    const relocate = (path: ReadonlyArray<PropertyKey>) => {
      const dotted = path.slice(2).map(String).join(".");
      const hit = point.find(({ axis }) => dotted === axis.key || dotted.startsWith(axis.key + "."));
      return hit ? { path: ["sweep", hit.axis.key, hit.index], value: hit.axis.values[hit.index] } : undefined;
    };
    // Found values come from the merged params; positions from the real document.
    for (const p of issueProblems({ ...src, value: { model: { params } } }, r.issue, ["model", "params"], relocate)) {
      seen.set(`${p.path}\u0000${p.message}\u0000${p.expected}`, p);
    }
  }
  return [...seen.values()];
}

function checkSweep(src: SourceDoc, plugin: ModelPlugin, axes: readonly SweepAxis[]): Problem[] {
  const exp = axes.find((a) => a.key === EXPERIMENT_KEY);
  const problems = exp ? exp.values.flatMap((v, i) => experimentProblem(src, plugin, ["sweep", EXPERIMENT_KEY, i], v) ?? []) : [];
  for (const axis of axes) {
    const dup = axis.values.findIndex((v, i) => axis.values.indexOf(v) !== i);
    if (dup >= 0) {
      const pos = src.locate(["sweep", axis.key, dup]);
      problems.push({
        file: src.file, path: `sweep.${axis.key}[${dup}]`, ...(pos ? { line: pos.line, column: pos.column } : {}),
        message: "duplicate sweep value", found: JSON.stringify(axis.values[dup]), hint: "each value may appear once per key",
      });
    }
  }
  return problems;
}

function checkExplain(src: SourceDoc, doc: ScenarioDoc, plugin: ModelPlugin, base: Params): Problem[] {
  const requests = doc.report?.explain ?? [];
  if (requests.length > 0 && !plugin.explain) {
    const pos = src.locate(["report", "explain"]);
    return [{ file: src.file, path: "report.explain", ...(pos ? { line: pos.line, column: pos.column } : {}), message: `model "${plugin.name}" has no explain hook`, hint: "remove report.explain" }];
  }
  return requests.flatMap((req, i) => {
    const problems: Problem[] = [];
    const e = experimentProblem(src, plugin, ["report", "explain", i, "experiment"], req.experiment);
    if (e) problems.push(e);
    const params = withParams(base, req.params ?? {});
    const r = decodeStrict(plugin.paramsSchema, params);
    if (!r.ok) problems.push(...issueProblems({ ...src, value: { model: { params } } }, r.issue, ["model", "params"]).map((p) => ({ ...p, path: `report.explain[${i}].params → ${p.path}` })));
    return problems;
  });
}

function metricsOf(plugin: ModelPlugin, experiments: readonly string[]): MetricInfo[] {
  const used = new Set(plugin.experiments.filter((e) => experiments.includes(e.name)).flatMap((e) => e.metrics));
  return plugin.metrics.filter((m) => used.has(m.name)).map((m) => ({ ...m }));
}

/**
 * When the document as a whole does not decode, the model-dependent checks still run on the
 * parts that do (model, experiment, sweep), so a user sees every problem in one pass.
 */
function partialModelProblems(src: SourceDoc): Problem[] {
  const raw = src.value as Record<string, unknown> | null;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return [];
  const model = decodeStrict(ModelRefSchema, raw.model);
  const sweep = raw.sweep === undefined ? { ok: true as const, value: {} } : decodeStrict(SweepSchema, raw.sweep);
  if (!model.ok || !sweep.ok) return [];
  const plugin = findPlugin(src, model.value.name);
  if (!("run" in plugin)) return [plugin];
  const axes = Object.keys(raw.sweep ?? {}).map((key) => ({ key, column: columnOf(key), values: sweep.value[key]! }));
  const experiment = typeof raw.experiment === "string" ? experimentProblem(src, plugin, ["experiment"], raw.experiment) : undefined;
  return [...(experiment ? [experiment] : []), ...checkSweep(src, plugin, axes), ...checkParams(src, plugin, { ...(model.value.params ?? {}) }, axes)];
}

/** Validates a parsed document; `seedOverride` replaces the file's seed (`--seed`). */
export function validateDoc(src: SourceDoc, contentHash: string, seedOverride?: string): LoadedScenario {
  const decoded = decodeStrict(ScenarioSchema, src.value);
  if (!decoded.ok) throw new InputError([...issueProblems(src, decoded.issue), ...partialModelProblems(src)]);
  const doc = decoded.value;
  const plugin = findPlugin(src, doc.model.name);
  if (!("run" in plugin)) throw new InputError([plugin]);
  const baseParams: Params = { ...(doc.model.params ?? {}) };
  // Key order comes from the raw document: decoded records do not promise to keep it.
  const rawSweep = ((src.value as { sweep?: Record<string, Scalar[]> }).sweep ?? {}) as Record<string, Scalar[]>;
  const axes: SweepAxis[] = Object.keys(rawSweep).map((key) => ({ key, column: columnOf(key), values: doc.sweep![key]! }));
  const experiments = axes.find((a) => a.key === EXPERIMENT_KEY)?.values.map(String) ?? [doc.experiment];
  const meta: ScenarioMeta = {
    name: doc.name, description: doc.description, model: plugin.name, experiment: doc.experiment, contentHash,
    seed: seedOverride ?? String(doc.seed), sweepKeys: axes.map((a) => a.column), metrics: metricsOf(plugin, experiments),
    figures: doc.outputs?.figures ?? [], claims: doc.claims ?? [],
  };
  const problems = [
    ...[experimentProblem(src, plugin, ["experiment"], doc.experiment) ?? []].flat(),
    ...checkSweep(src, plugin, axes),
    ...checkParams(src, plugin, baseParams, axes),
    ...checkExplain(src, doc, plugin, baseParams),
    ...checkReferences(src, meta, plugin, axes),
  ];
  if (problems.length > 0) throw new InputError(problems);
  return { file: src.file, raw: src.value, doc, plugin, baseParams, axes, meta };
}

/** Reads, parses and validates a scenario file; throws InputError listing every problem. */
export async function loadScenario(file: string, seedOverride?: string): Promise<LoadedScenario> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([{ file, path: "", message: code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}` }]);
  }
  const parsed = parseSource(file, bytes.toString("utf8"));
  if (!parsed.ok) throw new InputError(parsed.problems);
  // A noise trace the scenario names is part of its content (hash) and is inlined before decoding.
  const traced = await inlineNoiseTrace(parsed.doc);
  if ("problems" in traced) throw new InputError(traced.problems);
  return validateDoc(traced.doc, traced.text === "" ? sha256(bytes) : sha256(`${sha256(bytes)}\u0000${traced.text}`), seedOverride);
}

/** Loads every file, collecting all files' problems before failing. */
export async function loadAll(files: readonly string[], seed?: string): Promise<LoadedScenario[]> {
  const loaded: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    try {
      loaded.push(await loadScenario(f, seed));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new InputError(problems);
  return loaded;
}
