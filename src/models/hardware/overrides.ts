/**
 * User overrides of parameter-file entries, by dotted path `<scope>.<entry name>`: the scope is
 * the machine profile's name (`x64`, `phi`, a user profile's name), a kernel (`nautilus`,
 * `linux`) or `hvm`; entry names may contain dots (`x64.apic.accept`, `nautilus.config.kicks`).
 *
 * An override value is a number, a distribution spec (engine/distributions) or `{ scale: f }`,
 * which multiplies the file's value (every location and scale parameter of a distribution) by f.
 * Checking a value needs only the entry it overrides, so a scenario is checked before any run.
 */
import { distribution, type DistributionSpec } from "../../engine/index.js";
import { scaleSpec } from "../kernel/derive.js";
import { CLOCK_GHZ_MAX, MAX_COST_CYCLES, MAX_COUNT, MAX_RATE, MAX_RATIO, MIN_TIMER_HZ, maxTime } from "./bounds.js";
import { TIME_UNITS, type ParamEntry, type ParamRange, type ParameterFile, type Unit } from "./params.js";

/** Path → value, as written (checked by `checkOverride` against the entry it names). */
export type ParameterOverrides = Readonly<Record<string, unknown>>;

/** Segments that must never become object keys (prototype pollution). */
export const RESERVED_SEGMENTS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** Everything a user needs to know to override one entry (and sensitivity, to vary it). */
export interface ParameterInfo {
  readonly path: string;
  readonly scope: string;
  readonly name: string;
  readonly unit: Unit;
  /** "flag": a 0/1 option (unit flag); "number": a plain number; "distribution": a distribution spec. */
  readonly kind: "flag" | "number" | "distribution";
  readonly value: unknown;
  readonly source: string;
  readonly range?: ParamRange;
  readonly meaning?: string;
  /** The value must be above 0 (the entry's `positive`). */
  readonly positive?: true;
}


export function describeFile(scope: string, file: ParameterFile): ParameterInfo[] {
  return Object.entries(file.parameters).map(([name, e]) => ({
    path: `${scope}.${name}`, scope, name, unit: e.unit ?? "cycles",
    kind: e.unit === "flag" ? "flag" : typeof e.value === "number" ? "number" : "distribution",
    value: e.value, source: e.source,
    ...(e.range ? { range: e.range } : {}), ...(e.meaning ? { meaning: e.meaning } : {}), ...(e.positive ? { positive: true as const } : {}),
  }));
}

/** The overrides of one scope, keyed by entry name. */
export function overridesOf(scope: string, overrides: ParameterOverrides | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (overrides === undefined) return out;
  for (const [path, value] of Object.entries(overrides)) if (path.startsWith(scope + ".")) out.set(path.slice(scope.length + 1), value);
  return out;
}

function isScale(v: unknown): v is { scale: number } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "scale" in v;
}

/** The domain of a plain value in `unit` (not its plausible range: a what-if may leave that), with the bounds of bounds.ts. */
function domainProblem(unit: Unit, x: number): string | undefined {
  if (unit === "probability") return x >= 0 && x <= 1 ? undefined : "a probability in [0, 1]";
  if (unit === "count") return Number.isInteger(x) && x >= 0 && x <= MAX_COUNT ? undefined : `a whole number in [0, ${MAX_COUNT}]`;
  if (unit === "hz") return x >= MIN_TIMER_HZ && x <= MAX_RATE ? undefined : `a timer frequency in [${MIN_TIMER_HZ}, ${big(MAX_RATE)}] (hz)`;
  const max = TIME_UNITS.has(unit) ? maxTime(unit) : unit === "per-second" ? MAX_RATE : unit === "ratio" ? MAX_RATIO : Infinity;
  if (x >= 0 && x <= max) return undefined;
  if (max === Infinity) return `a value ≥ 0 (${unit})`;
  return `a value in [0, ${big(max)}] (${TIME_UNITS.has(unit) ? timeBound(unit) : unit})`;
}

const big = (x: number): string => (x >= 1e6 ? x.toExponential() : String(x));
const timeBound = (unit: Unit): string => `${unit}; at most ${big(MAX_COST_CYCLES)} cycles at ${CLOCK_GHZ_MAX} GHz`;

export interface OverrideProblem {
  readonly message: string;
  readonly expected: string;
  readonly found: string;
}

/** Why `value` cannot override `info`, or undefined if it can: a scale factor is checked with the value it makes. */
export function checkOverride(info: ParameterInfo, value: unknown): OverrideProblem | undefined {
  if (!isScale(value) || info.kind === "flag") return valueProblem(info, value);
  const found = JSON.stringify(value);
  if (!TIME_UNITS.has(info.unit)) return { message: "only time costs can be scaled", expected: `a plain ${info.unit} value`, found };
  if (!(typeof value.scale === "number" && Number.isFinite(value.scale) && value.scale >= 0)) return { message: "invalid scale factor", expected: "{ scale: f } with f ≥ 0", found };
  const scaled = valueProblem(info, scaleSpec(info.value as DistributionSpec, value.scale));
  return scaled && { ...scaled, message: `${scaled.message} once scaled`, found: `${found}, making ${scaled.found}` };
}

/**
 * Why `value` cannot be the value of `info`'s entry (as an override or in a machine file), or
 * undefined: its type for the entry's kind and unit, and its domain (a time ≥ 0 and at most
 * MAX_COST_CYCLES, a probability in [0, 1], ...). A distribution's mean is held to the same bounds.
 */
export function valueProblem(info: ParameterInfo, value: unknown): OverrideProblem | undefined {
  const found = typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value); // NaN and Infinity are not null
  const bad = (message: string, expected: string): OverrideProblem => ({ message, expected, found });
  if (info.kind === "flag") {
    return value === 0 || value === 1 || typeof value === "boolean" ? undefined : bad("invalid value for an on/off option", "0, 1, true or false");
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return bad("invalid value", "a finite number");
    const d = info.positive && !(value > 0) ? `a value > 0 (${info.unit}: other costs are derived with it)` : domainProblem(info.unit, value);
    return d === undefined ? undefined : bad("value out of range", d);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && "dist" in value) {
    if (!TIME_UNITS.has(info.unit)) return bad("wrong type", `a plain ${info.unit} value (only time costs take distributions)`);
    let mean: number;
    try {
      mean = distribution(value as DistributionSpec, info.path).mean;
    } catch (e) {
      return bad("invalid distribution", (e as Error).message);
    }
    return mean >= 0 && mean <= maxTime(info.unit) ? undefined : bad("value out of range", `a distribution with mean in [0, ${big(maxTime(info.unit))}] (${timeBound(info.unit)})`);
  }
  return bad("wrong type", TIME_UNITS.has(info.unit) ? "a number, a distribution spec { dist: … } or { scale: f }" : `a number (${info.unit})`);
}

/** The value in force once `value` overrides `entry`'s file value. */
export function overriddenValue(entry: ParamEntry, value: unknown): number | DistributionSpec {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (isScale(value)) return scaleSpec(entry.value as DistributionSpec, value.scale);
  return value as number | DistributionSpec;
}

/**
 * The entry `name` of `file` (override scope `scope`) and why `value` cannot override it
 * (checkOverride; undefined if it can), or undefined when the file has no such entry.
 */
export function checkEntryOverride(file: ParameterFile, scope: string, name: string, value: unknown): { readonly entry: ParamEntry; readonly problem: OverrideProblem | undefined } | undefined {
  const entry = Object.hasOwn(file.parameters, name) ? file.parameters[name] : undefined;
  if (entry === undefined) return undefined;
  return { entry, problem: checkOverride(describeFile(scope, { subject: "", parameters: { [name]: entry } })[0]!, value) };
}

/** An override a parameter file refuses (validate reports it at the override first; this guards plumbing). */
export class OverrideError extends Error {
  override readonly name = "OverrideError";
}

/**
 * `file` with the overrides of `scope` applied; each overridden entry's source says so and keeps
 * the file's value and source. An override naming no entry of the file is an error (a typo must
 * not pass silently); callers check paths beforehand, so this only guards plumbing.
 */
export function applyOverrides(file: ParameterFile, scope: string, overrides: ParameterOverrides | undefined, label: string): ParameterFile {
  const mine = overridesOf(scope, overrides);
  if (mine.size === 0) return file;
  const parameters: Record<string, ParamEntry> = { ...file.parameters };
  for (const [name, value] of mine) {
    const checked = checkEntryOverride(file, scope, name, value);
    if (checked === undefined) throw new OverrideError(`${label}: override "${scope}.${name}" names no parameter of this file`);
    const { entry: e, problem } = checked;
    if (problem) throw new OverrideError(`${label}: override "${scope}.${name}": ${problem.message}, expected ${problem.expected}, found ${problem.found}`);
    parameters[name] = {
      ...e, value: overriddenValue(e, value) as ParamEntry["value"],
      source: `override ${scope}.${name} = ${JSON.stringify(value)} (file value ${JSON.stringify(e.value)}: ${e.source})`,
    };
  }
  return { subject: file.subject, parameters };
}
