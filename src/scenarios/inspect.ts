/**
 * `hrtsim params` / `hrtsim explain`: parameter tables and step breakdowns through the model
 * hooks (`parameters`, `explain`). `explain PRIMITIVE` also resolves which model a primitive
 * belongs to: microbench experiments by name, hvm experiments and the hvm operations listed by
 * the hvm model's EXPLAINABLE (the one model-specific import here). Parameters come from
 * `--set key=value` (dotted keys for nested parameters; values read as YAML scalars or flow
 * collections, so `--set servers=2`, `--set name=linux`, `--set costs={ipi: 900}` all work).
 */
import { parse as parseYaml } from "yaml";
import { deriveSeed } from "../engine/index.js";
import { EXPLAINABLE } from "../models/hvm/explain.js";
import { findModel, listModels, type Breakdown, type ModelPlugin, type ParameterOverrides, type ParameterRow } from "../models/index.js";
import { decodeStrict, forbiddenSegment, withParams, type Params } from "./decode.js";
import { diagnose } from "./execute.js";
import { issueProblems } from "./issues.js";
import { InputError, didYouMean, oneOf, type Problem } from "./problems.js";
import { BUILTIN_SCOPES, checkSites, constraintProblem, isOverrideKey, spaceOf } from "./overrides.js";
import { plainSource } from "./source.js";
import { textTable } from "../reports/text-table.js";

const FLAGS = "<command line>";

function flagProblem(path: string, message: string, extra: Partial<Problem> = {}): Problem {
  return { file: FLAGS, path, message, ...extra };
}

export function requireModel(name: string): ModelPlugin {
  const plugin = findModel(name);
  if (plugin) return plugin;
  const names = listModels().map((m) => m.name);
  throw new InputError([flagProblem("--model", "unknown model", {
    expected: oneOf(names), found: JSON.stringify(name), hint: didYouMean(name, names) ?? "`hrtsim list` shows the models",
  })]);
}

/** `["a.b=1", "c=x"]` → `{ "a.b": 1, c: "x" }` (keys stay dotted; withParams nests them). */
export function parseSets(sets: readonly string[], flag = "--set"): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) {
      problems.push(flagProblem(flag, "expected key=value", { found: JSON.stringify(s), hint: `e.g. ${flag} servers=2 or ${flag} costs.ipi=900` }));
      continue;
    }
    const bad = forbiddenSegment(s.slice(0, eq));
    if (bad !== undefined) {
      problems.push(flagProblem(flag, `the path segment "${bad}" is not allowed`, { found: JSON.stringify(s.slice(0, eq)), hint: "name a parameter (`hrtsim params` lists them)" }));
      continue;
    }
    const text = s.slice(eq + 1);
    try {
      // Warnings (e.g. an unresolved !!tag) would go to stderr raw: the value's checks report it instead.
      out[s.slice(0, eq)] = text === "" ? "" : parseYaml(text, { logLevel: "error" });
    } catch {
      out[s.slice(0, eq)] = text;
    }
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

/**
 * The --set values of `params`/`explain`: model parameters, and parameter-file overrides (keys
 * `<scope>.<name>`), checked as validate checks a scenario (schema, overrides, the model's constraints).
 */
export function decodeSetsWithOverrides<P>(plugin: ModelPlugin<P>, sets: readonly string[], experiment?: string): { params: P; overrides: ParameterOverrides } {
  const all = parseSets(sets);
  const overrides = Object.fromEntries(Object.entries(all).filter(([k]) => isOverrideKey(k, BUILTIN_SCOPES)));
  const modelSets = sets.filter((x) => !isOverrideKey(x.slice(0, x.indexOf("=")), BUILTIN_SCOPES));
  const params = decodeSets(plugin, modelSets);
  const space = spaceOf(plugin, [withParams({}, parseSets(modelSets), plugin.nameMaps)], undefined);
  const sites = Object.entries(overrides).map(([path, value]) => ({ path, value, at: "cli" as const }));
  const problems = checkSites(plainSource(FLAGS, {}), plugin, space, sites);
  if (problems.length > 0) throw new InputError(problems);
  const impossible = plugin.constraints?.(params, overrides, undefined, experiment) ?? [];
  if (impossible.length > 0) throw new InputError(impossible.map((c) => constraintProblem(c, FLAGS, `--set ${c.path}`)));
  return { params, overrides };
}

/** One line naming the overrides in force ("" without any): printed above `params` and `explain` output. */
export function overridesLine(overrides: ParameterOverrides): string {
  const entries = Object.entries(overrides);
  return entries.length === 0 ? "" : `overrides: ${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}\n`;
}

export function decodeSets<P>(plugin: ModelPlugin<P>, sets: readonly string[]): P {
  // parseSets rejects path segments that would reach a prototype.
  return decodeFlagParams(plugin, withParams({}, parseSets(sets), plugin.nameMaps), "--set");
}

/** Model parameters given by a flag (`--set`, `--with`), decoded; a problem names the flag and the field. */
export function decodeFlagParams<P>(plugin: ModelPlugin<P>, params: Params, flag: string): P {
  const r = decodeStrict(plugin.paramsSchema, params);
  if (r.ok) return r.value;
  const problems = issueProblems(plainSource(FLAGS, params), r.issue).map((p) => ({
    ...p, path: `${flag} ${p.path}`, ...(p.message === "missing required key" ? { hint: `add ${flag} ${p.path}=…` } : {}),
  }));
  throw new InputError(problems);
}

/** Numbers as the CSVs print them (integers in full, others shortest round-trip). */
function formatNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) >= 1e21 ? BigInt(x).toString() : String(x);
}

/** Terminal width `params` and `explain` fit. */
const TERMINAL_COLUMNS = 100;

/** Rows of a decoded value, nested keys dotted: the fallback for models without a `parameters` hook. */
function flatten(value: unknown, prefix = ""): ParameterRow[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Params).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [{ name: prefix, value: typeof value === "string" ? value : JSON.stringify(value), source: "--set / default" }];
}

/** Float noise from derivations (6249.999999999999) shown as the value it stands for (6250). */
function tidyNumbers(text: string): string {
  return text.replace(/-?\d+\.\d{7,}(e[-+]?\d+)?/gi, (n) => String(Number(Number(n).toPrecision(10))));
}

export interface ParameterInfo {
  readonly name: string;
  readonly value: string;
  /** The value's unit ("cycles", "us"), split off the model's value text; "" if none. */
  readonly unit: string;
  readonly source: string;
}

/** "normal(40, sd 4) cycles" → value "normal(40, sd 4)", unit "cycles". */
function parameterInfo(r: ParameterRow): ParameterInfo {
  // A break opportunity after each comma, so JSON values wrap in their column.
  const value = tidyNumbers(r.value).replace(/,(?=\S)/g, ", ");
  const m = /^(.*[\d)\]])\s+([A-Za-zµ%][\w/µ%]*)$/.exec(value);
  return { name: r.name, value: m ? m[1]! : value, unit: m ? m[2]! : "", source: r.source };
}

export function paramsData(modelName: string, sets: readonly string[]): { model: string; overrides?: ParameterOverrides; parameters: ParameterInfo[]; note?: string } {
  const plugin = requireModel(modelName);
  const { params, overrides } = decodeSetsWithOverrides(plugin, sets);
  const rows = plugin.parameters ? plugin.parameters(params, overrides) : flatten(params);
  const note = plugin.parameters ? undefined : `model "${plugin.name}" has no parameters hook: showing the decoded parameters`;
  return { model: plugin.name, ...(Object.keys(overrides).length > 0 ? { overrides } : {}), parameters: rows.map(parameterInfo), ...(note ? { note } : {}) };
}

export function paramsText(modelName: string, sets: readonly string[]): string {
  const { parameters, note, overrides } = paramsData(modelName, sets);
  const rows = parameters.map((p) => [p.name, p.value, p.unit, p.source]);
  return overridesLine(overrides ?? {}) + textTable(["parameter", "value", "unit", "source"], rows, { maxWidth: TERMINAL_COLUMNS, shrink: [[3, 36], [1, 22], [3, 16]] }) + (note ? `\n(${note})` : "");
}

export function breakdownText(b: Breakdown): string {
  const rows = b.steps.map((s) => [s.step, s.where, formatNumber(s.cost), s.note ?? ""]);
  const table = textTable(["step", "where", `cost (${b.unit})`, "note"], rows, { maxWidth: TERMINAL_COLUMNS, shrink: [[3, 30], [0, 30], [1, 8]] });
  return `${b.title}\n${table}\ntotal: ${formatNumber(b.total)} ${b.unit}`;
}

export function explainBreakdowns(modelName: string, experiment: string, sets: readonly string[], seed: string): Breakdown[] {
  const plugin = requireModel(modelName);
  const names = plugin.experiments.map((e) => e.name);
  if (!names.includes(experiment)) {
    throw new InputError([flagProblem("EXPERIMENT", `not an experiment of model "${plugin.name}"`, {
      expected: oneOf(names), found: JSON.stringify(experiment), ...(didYouMean(experiment, names) ? { hint: didYouMean(experiment, names)! } : {}),
    })]);
  }
  if (!plugin.explain) throw new InputError([flagProblem("--model", `model "${plugin.name}" has no explain hook`)]);
  const { params, overrides } = decodeSetsWithOverrides(plugin, sets, experiment);
  try {
    return plugin.explain({ params, experiment, seed: deriveSeed(seed, "explain", 0), limits: {}, overrides });
  } catch (e) {
    throw new InputError([flagProblem("", `could not explain: ${diagnose(e)}`)]);
  }
}

export interface ExplainRequest {
  readonly primitive: string;
  /** --model, if given; otherwise resolved from the primitive's name. */
  readonly model?: string;
  /** --set values, with --machine/--kernel already folded in. */
  readonly sets: readonly string[];
  readonly kernelGiven: boolean;
  readonly seed: string;
}

/**
 * `explain PRIMITIVE`: a microbench experiment, or an hvm experiment or operation name (which
 * the hvm explain hook resolves); the model is inferred from the name unless given.
 */
export function explainPrimitiveText(r: ExplainRequest): string {
  const breakdowns = explainPrimitive(r);
  const overrides = Object.fromEntries(Object.entries(parseSets(r.sets)).filter(([k]) => isOverrideKey(k, BUILTIN_SCOPES)));
  return overridesLine(overrides) + breakdowns.map(breakdownText).join("\n\n");
}

/** The breakdowns `explain` prints (also its --json output). */
export function explainPrimitive(r: ExplainRequest): Breakdown[] {
  const microbench = requireModel("microbench").experiments.map((e) => e.name);
  const hvm = requireModel("hvm");
  const hvmNames = [...new Set([...hvm.experiments.map((e) => e.name), ...EXPLAINABLE])];
  const name = r.primitive;
  const model = r.model ?? (microbench.includes(name) ? "microbench" : hvmNames.includes(name) ? "hvm" : undefined);
  const fail = (path: string, message: string, extra: Partial<Problem> = {}) => new InputError([flagProblem(path, message, extra)]);
  if (model === undefined) {
    throw fail("PRIMITIVE", "not a primitive hrtsim can explain", {
      expected: `a microbench experiment (${oneOf(microbench)}) or an hvm operation (${oneOf(hvmNames)})`,
      found: JSON.stringify(name), hint: didYouMean(name, [...microbench, ...hvmNames]) ?? "`hrtsim list` shows the models",
    });
  }
  if (model === "microbench" && microbench.includes(name)) {
    const given = new Set(r.sets.map((x) => x.slice(0, x.indexOf("="))));
    const missing = ["machine", "kernel"].filter((k) => !given.has(k));
    if (missing.length > 0) throw fail(missing.map((m) => `--${m}`).join(", "), "required to explain a microbench primitive", { expected: "--machine x64|phi --kernel nautilus|linux", hint: `e.g. hrtsim explain ${name} --machine x64 --kernel linux` });
  }
  if (model === "hvm" && r.kernelGiven) throw fail("--kernel", "the hvm model has no kernel choice (ROS = Linux, HRT = Nautilus)");
  if (model !== "hvm" || hvm.experiments.some((e) => e.name === name)) return explainBreakdowns(model, name, r.sets, r.seed);
  if (!hvmNames.includes(name)) {
    throw fail("PRIMITIVE", `not an operation of model "hvm"`, { expected: oneOf(hvmNames), found: JSON.stringify(name), ...(didYouMean(name, hvmNames) ? { hint: didYouMean(name, hvmNames)! } : {}) });
  }
  // An hvm operation that is not an experiment name: the hvm explain hook resolves it.
  const { params, overrides } = decodeSetsWithOverrides(hvm, r.sets);
  return hvm.explain!({ params, experiment: name, seed: deriveSeed(r.seed, "explain", 0), limits: {}, overrides });
}
