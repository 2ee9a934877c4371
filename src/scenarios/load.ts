/**
 * Loading a scenario: parse (YAML/JSON with positions), decode the format, then check it
 * against the model it names — parameters (every sweep point), experiments, figure and claim
 * fields. Every problem found is reported at once, each with file, field and line.
 */
import { readFile } from "node:fs/promises";
import type { ParameterInfo } from "../models/hardware/overrides.js";
import { findModel, listModels, type MachineFile, type ModelPlugin, type ParameterOverrides } from "../models/index.js";
import { overrideColumn, scaleColumn, type MetricInfo, type Scalar, type ScenarioMeta } from "../reports/results.js";
import { checkReferences } from "./references.js";
import type { SweepAxis } from "./format.js";
import { FORBIDDEN_SEGMENTS, canonicalJson, decodeStrict, forbiddenSegment, sha256, withParams, type Params } from "./decode.js";
import { DEFAULT_MAX_RUNS, maxRuns } from "./limits.js";
import { EXPERIMENT_KEY, ModelRefSchema, ScenarioSchema, SweepSchema, type ScenarioDoc } from "./format.js";
import { issueProblems } from "./issues.js";
import { inlineMachine, machineSpace, withMachineFile } from "./machine-load.js";
import { explainTraceProblems, inlineNoiseTrace, sweptTraceProblems } from "./noise-trace.js";
import { InputError, didYouMean, locatedAt, oneOf, type Problem } from "./problems.js";
import { checkConstraints, configurationOf, constraintProblem, checkSites, isOverrideKey, splitSets, scopesOf, COMMAND_LINE, withSetParameters, type ConstraintPoint, type OverrideSite } from "./overrides.js";
import { storedAnalysisProblems } from "./sensitivity-store.js";
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
  /** The `parameters` overrides (including `--set` ones), applied to every run. */
  readonly overrides: ParameterOverrides;
  /** The user's machine profile (`machineFile`), if any. */
  readonly machine?: MachineFile;
  /** Every parameter-file entry the scenario's runs use, by override path. */
  readonly space: ReadonlyMap<string, readonly ParameterInfo[]>;
}

export function columnOf(key: string, scopes: readonly string[] = scopesOf(undefined)): string {
  if (key === EXPERIMENT_KEY) return EXPERIMENT_KEY;
  return isOverrideKey(key, scopes) ? overrideColumn(key) : `model.params.${key}`;
}

function axesOf(keys: readonly string[], values: Readonly<Record<string, readonly Scalar[] | { readonly scale: readonly number[] }>>, scopes: readonly string[]): SweepAxis[] {
  return keys.map((key) => {
    const v = values[key]!;
    const scaled = !Array.isArray(v);
    const column = scaled ? scaleColumn(columnOf(key, scopes)) : columnOf(key, scopes);
    return { key, column, values: scaled ? (v as { scale: number[] }).scale : (v as Scalar[]), ...(isOverrideKey(key, scopes) ? { override: true } : {}), ...(scaled ? { scaled } : {}) };
  });
}

/** A `{ scale: [...] }` sweep of something that is not a parameter-file entry. */
function scaleProblems(src: SourceDoc, axes: readonly SweepAxis[]): Problem[] {
  return axes.filter((a) => a.scaled && !a.override).map((a) => {
    return { ...locatedAt(src, ["sweep", a.key]), message: "only parameter-file entries (<scope>.<name>) can be swept by scale factors", expected: "a list of values" };
  });
}

/** Cartesian product of the axes, row-major in key order (the last key varies fastest), one point at a time. */
/** One point of a sweep: the index of its value on each axis. */
export type SweepPoint = Array<{ axis: SweepAxis; index: number }>;

export function* sweepPoints(axes: readonly SweepAxis[]): Generator<SweepPoint> {
  if (axes.some((a) => a.values.length === 0)) return;
  const digits = axes.map(() => 0);
  for (;;) {
    yield axes.map((axis, i) => ({ axis, index: digits[i]! }));
    let k = axes.length - 1;
    while (k >= 0 && ++digits[k]! === axes[k]!.values.length) digits[k--] = 0;
    if (k < 0) return;
  }
}

function findPlugin(src: SourceDoc, name: string): ModelPlugin | Problem {
  const plugin = findModel(name);
  if (plugin) return plugin;
  const names = listModels().map((m) => m.name);
  return {
    ...locatedAt(src, ["model", "name"]),
    message: "unknown model", expected: oneOf(names), found: JSON.stringify(name),
    hint: didYouMean(name, names) ?? "`hrtsim list` shows the registered models",
  };
}

function experimentProblem(src: SourceDoc, plugin: ModelPlugin, path: PropertyKey[], name: unknown): Problem | undefined {
  const names = plugin.experiments.map((e) => e.name);
  if (typeof name === "string" && names.includes(name)) return undefined;
  return {
    ...locatedAt(src, path),
    message: `not an experiment of model "${plugin.name}"`, expected: oneOf(names), found: JSON.stringify(name),
    ...(typeof name === "string" && didYouMean(name, names) ? { hint: didYouMean(name, names)! } : {}),
  };
}

/** Decodes the parameters of every sweep point; a problem caused by a swept value points at that value. */
function checkParams(src: SourceDoc, plugin: ModelPlugin, base: Params, axes: readonly SweepAxis[]): Problem[] {
  const paramAxes = axes.filter((a) => a.key !== EXPERIMENT_KEY && !a.override);
  const seen = new Map<string, Problem>();
  for (const point of sweepPoints(paramAxes)) {
    const params = withParams(base, Object.fromEntries(point.map(({ axis, index }) => [axis.key, axis.values[index]])), plugin.nameMaps);
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
      problems.push({
        ...locatedAt(src, ["sweep", axis.key, dup]),
        message: "duplicate sweep value", found: JSON.stringify(axis.values[dup]), hint: "each value may appear once per key",
      });
    }
  }
  return problems;
}

function checkExplain(src: SourceDoc, doc: ScenarioDoc, plugin: ModelPlugin, base: Params, overrides: ParameterOverrides, machine: MachineFile | undefined): Problem[] {
  const requests = doc.report?.explain ?? [];
  if (requests.length > 0 && !plugin.explain) {
    return [{ ...locatedAt(src, ["report", "explain"]), message: `model "${plugin.name}" has no explain hook`, hint: "remove report.explain" }];
  }
  return requests.flatMap((req, i) => {
    const problems: Problem[] = [];
    const e = experimentProblem(src, plugin, ["report", "explain", i, "experiment"], req.experiment);
    if (e) problems.push(e);
    const params = withParams(base, req.params ?? {}, plugin.nameMaps);
    const r = decodeStrict(plugin.paramsSchema, params);
    if (!r.ok) problems.push(...issueProblems({ ...src, value: { model: { params } } }, r.issue, ["model", "params"]).map((p) => ({ ...p, path: `report.explain[${i}].params → ${p.path}` })));
    // The explained run must be possible too (explain runs after the sweep, so found here).
    else if (e === undefined) {
      const pos = src.locate(["report", "explain", i]);
      for (const c of plugin.constraints?.(r.value, overrides, machine, req.experiment) ?? []) {
        problems.push(constraintProblem(c, src.file, `report.explain[${i}].params → model.params.${c.path}`, pos));
      }
    }
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
  const axes = axesOf(Object.keys(raw.sweep ?? {}), sweep.value, scopesOf(undefined));
  if (axes.reduce((n, a) => n * a.values.length, 1) > DEFAULT_MAX_RUNS) return [];
  const experiment = typeof raw.experiment === "string" ? experimentProblem(src, plugin, ["experiment"], raw.experiment) : undefined;
  return [...(experiment ? [experiment] : []), ...checkSweep(src, plugin, axes), ...checkParams(src, plugin, { ...(model.value.params ?? {}) }, axes)];
}

/** Keys (or dotted key segments) that would reach a prototype: rejected anywhere in a document. */
function forbiddenKeyProblems(src: SourceDoc): Problem[] {
  const problems: Problem[] = [];
  const walk = (v: unknown, path: PropertyKey[]) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i]));
    if (v === null || typeof v !== "object") return;
    // Dotted keys of `parameters` are override paths: checkSites reports them with the rest (never set on an object).
    const paths = path.length === 1 && path[0] === "parameters";
    for (const k of Object.keys(v)) {
      const bad = forbiddenSegment(k);
      if (bad !== undefined && !(paths && k.includes("."))) {
        problems.push({
          ...locatedAt(src, [...path, k], true),
          message: `the key segment "${bad}" is not allowed`, found: JSON.stringify(k), hint: `${FORBIDDEN_SEGMENTS.map((k) => `"${k}"`).join(", ")} would reach an object's prototype: they never name a parameter or field`,
        });
      } else walk((v as Record<string, unknown>)[k], [...path, k]);
    }
  };
  walk(src.value, []);
  return problems;
}

/** Sweep points × replications against the ceiling (checked before anything iterates the sweep). */
function runCountProblem(src: SourceDoc, doc: ScenarioDoc, axes: readonly SweepAxis[]): Problem | undefined {
  const runs = axes.reduce((n, a) => n * a.values.length, 1) * doc.replications;
  const ceiling = maxRuns(doc.limits);
  if (runs <= ceiling) return undefined;
  return {
    ...locatedAt(src, ["replications"]),
    message: `the scenario expands to ${runs.toLocaleString("en-US")} runs (sweep points × replications), more than the ceiling`,
    expected: `at most ${ceiling.toLocaleString("en-US")} runs`, found: `${axes.map((a) => a.values.length).join(" × ") || "1"} points × ${doc.replications} replications`,
    hint: `shrink the sweep or replications, or raise the ceiling on purpose with limits.maxRuns (default ${DEFAULT_MAX_RUNS.toLocaleString("en-US")})`,
  };
}

/** Override sites (`parameters` entries, swept override values) and the problems of keys no override may have. */
function overrideSites(doc: ScenarioDoc, axes: readonly SweepAxis[], cliPaths: ReadonlySet<string>): OverrideSite[] {
  const fromFile = Object.entries(doc.parameters ?? {}).map(([path, value]): OverrideSite => ({ path, value, at: cliPaths.has(path) ? "cli" : ["parameters", path] }));
  const swept = axes.filter((a) => a.override).flatMap((a) => a.values.map((value, i): OverrideSite => (
    a.scaled ? { path: a.key, value: { scale: value }, at: ["sweep", a.key, "scale", i] } : { path: a.key, value, at: ["sweep", a.key, i] })));
  return [...fromFile, ...swept];
}

function keyProblems(src: SourceDoc, doc: ScenarioDoc, axes: readonly SweepAxis[], cliPaths: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  for (const a of axes) {
    if (a.override && doc.parameters && Object.hasOwn(doc.parameters, a.key)) {
      const cli = cliPaths.has(a.key);
      problems.push({
        ...(cli ? { file: COMMAND_LINE, path: `--set ${a.key}` } : locatedAt(src, ["parameters", a.key], true)),
        message: "set and swept at once", found: JSON.stringify(a.key), hint: "give it in one place: `parameters` (or --set) for one value, `sweep` for several",
      });
    }
  }
  return problems;
}

/** Every (model parameters, overrides) pair the runs use: the parameter points × the swept override values. */
/** Each point's model parameters and overrides, with the index of its value on every swept key (to locate a problem at it). */
function constraintPoints(paramSweep: ReadonlyArray<SweepPoint>, paramPoints: readonly Params[], overrides: ParameterOverrides, axes: readonly SweepAxis[]): ConstraintPoint[] {
  const indices = (point: SweepPoint) => Object.fromEntries(point.map(({ axis, index }) => [axis.key, index]));
  const swept = [...sweepPoints(axes.filter((a) => a.override))].map((point) => ({
    overrides: { ...overrides, ...Object.fromEntries(point.map(({ axis, index }) => [axis.key, axis.scaled ? { scale: axis.values[index] } : axis.values[index]])) },
    at: indices(point),
  }));
  return paramPoints.flatMap((params, i) => swept.map((o) => ({ params, overrides: o.overrides, sweepIndex: { ...indices(paramSweep[i]!), ...o.at } })));
}

export interface ValidateOptions {
  /** `parameters` keys that came from `--set` (their problems name the command line). */
  readonly cliPaths?: ReadonlySet<string>;
}

/** Validates a parsed document; `seedOverride` replaces the file's seed (`--seed`). */
export function validateDoc(src: SourceDoc, contentHash: string, seedOverride?: string, opts: ValidateOptions = {}): LoadedScenario {
  // The scenario's seed must be non-empty (format.ts); so must one given instead of it.
  if (seedOverride === "") throw new InputError([{ file: COMMAND_LINE, path: "--seed", message: "empty seed", expected: "a non-empty seed", found: '""' }]);
  const forbidden = forbiddenKeyProblems(src);
  if (forbidden.length) throw new InputError(forbidden);
  const decoded = decodeStrict(ScenarioSchema, src.value);
  if (!decoded.ok) throw new InputError([...issueProblems(src, decoded.issue), ...partialModelProblems(src)]);
  const doc = decoded.value;
  const plugin = findPlugin(src, doc.model.name);
  if (!("run" in plugin)) throw new InputError([plugin]);
  const machine = inlineMachine(src, doc);
  if (Array.isArray(machine)) throw new InputError(machine);
  if (machine && !plugin.parameterSpace) {
    throw new InputError([{ ...locatedAt(src, ["machineFile"]), message: `model "${plugin.name}" takes no machine profile`, hint: "remove machineFile" }]);
  }
  const baseParams: Params = Object.assign(Object.create(null) as Params, doc.model.params);
  // Key order comes from the raw document: decoded records do not promise to keep it.
  const rawSweep = ((src.value as { sweep?: Record<string, Scalar[]> }).sweep ?? {}) as Record<string, Scalar[]>;
  const axes = axesOf(Object.keys(rawSweep), doc.sweep ?? {}, scopesOf(machine));
  const tooMany = runCountProblem(src, doc, axes);
  if (tooMany) throw new InputError([tooMany]);
  const cliPaths = opts.cliPaths ?? new Set<string>();
  const overrides: ParameterOverrides = { ...(doc.parameters ?? {}) };
  const paramSweep = [...sweepPoints(axes.filter((a) => a.key !== EXPERIMENT_KEY && !a.override))];
  const paramPoints = paramSweep.map((point) => withParams(baseParams, Object.fromEntries(point.map(({ axis, index }) => [axis.key, axis.values[index]])), plugin.nameMaps));
  const space = machineSpace(src, plugin, paramPoints, machine);
  const experiments = axes.find((a) => a.key === EXPERIMENT_KEY)?.values.map(String) ?? [doc.experiment];
  const configuration = configurationOf(overrides, space);
  const meta: ScenarioMeta = {
    name: doc.name, description: doc.description, model: plugin.name, experiment: doc.experiment, contentHash,
    seed: seedOverride ?? String(doc.seed), sweepKeys: axes.map((a) => a.column), metrics: metricsOf(plugin, experiments),
    figures: doc.outputs?.figures ?? [], claims: doc.claims ?? [],
    ...(configuration.length > 0 ? { configuration } : {}),
  };
  const keys = keyProblems(src, doc, axes, cliPaths);
  // A point whose parameters do not decode adds nothing to the space: no override is called unknown then.
  const everyPointDecodes = paramPoints.every((p) => decodeStrict(plugin.paramsSchema, p).ok);
  const problems = [
    ...[experimentProblem(src, plugin, ["experiment"], doc.experiment) ?? []].flat(),
    ...checkSweep(src, plugin, axes),
    ...keys,
    ...scaleProblems(src, axes),
    ...sweptTraceProblems(src, axes),
    ...explainTraceProblems(src),
    ...(keys.length > 0 ? [] : checkParams(src, plugin, baseParams, axes)),
    ...checkSites(src, plugin, space, overrideSites(doc, axes, cliPaths), machine, everyPointDecodes),
    ...checkConstraints(src, plugin, constraintPoints(paramSweep, paramPoints, overrides, axes), machine, experiments),
    ...checkExplain(src, doc, plugin, baseParams, overrides, machine),
    ...checkReferences(src, meta, plugin, axes, doc.replications),
  ];
  if (problems.length > 0) throw new InputError(problems);
  return { file: src.file, raw: src.value, doc, plugin, baseParams, axes, meta, overrides, space, ...(machine ? { machine } : {}) };
}

/**
 * Reads, parses and validates a scenario file; throws InputError listing every problem.
 * `sets` (`--set path=value`) join the file's `parameters`; they change the content hash.
 */
export async function loadScenario(file: string, seedOverride?: string, sets: ParameterOverrides = {}): Promise<LoadedScenario> {
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
  const tracedHash = traced.text === "" ? sha256(bytes) : sha256(`${sha256(bytes)}\u0000${traced.text}`);
  const src = await withMachineFile(traced.doc);
  // The machine file's content and --set values are part of what was run: a change must not resume old runs.
  const machine = src === traced.doc ? "" : `\nmachineFile ${canonicalJson((src.value as { machineFile: unknown }).machineFile)}`;
  const base = machine === "" ? tracedHash : sha256(`${tracedHash}${machine}`);
  const setKeys = Object.keys(sets);
  if (setKeys.length === 0) return validateDoc(src, base, seedOverride);
  const hash = sha256(`${base}\n--set ${canonicalJson(sets)}`);
  return validateDoc({ ...src, value: withSetParameters(src.value, sets) }, hash, seedOverride, { cliPaths: new Set(setKeys) });
}

/**
 * Loads every file, collecting all files' problems before failing; a stored sensitivity analysis
 * beside a scenario (sensitivity-store.ts) is checked too, so `validate` finds a damaged one
 * before `run` or `figures` would.
 */
export async function loadAll(files: readonly string[], seed?: string, sets: ParameterOverrides = {}): Promise<LoadedScenario[]> {
  const loaded: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    try {
      loaded.push(await loadScenario(f, seed, sets));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  problems.push(...(await storedAnalysisProblems(loaded)));
  if (problems.length) throw new InputError(problems);
  return loaded;
}

/** Reloads each scenario with the `--set` values it uses (see splitSets); unchanged without sets. */
export async function withSets(scenarios: LoadedScenario[], sets: ParameterOverrides | undefined): Promise<LoadedScenario[]> {
  if (sets === undefined || Object.keys(sets).length === 0) return scenarios;
  const per = splitSets(sets, scenarios);
  const out: LoadedScenario[] = [];
  for (const [i, s] of scenarios.entries()) out.push(Object.keys(per[i]!).length === 0 ? s : await loadScenario(s.file, s.meta.seed, per[i]!));
  return out;
}
