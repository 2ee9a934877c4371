/**
 * Kernel parameter files derived from another machine's. A derived file (`derivedFrom`) lists
 * only what differs on its machine; every other parameter is the base machine's. A time cost
 * (code path) with path counts (path-counts.ts) gets the mean Σ count × the machine's cost per
 * event, keeping the base entry's shape and relative spread; a time cost without counts is the
 * base value in cycles × the machine's factor (the same code on a slower core, one ratio for
 * every path); dimensionless settings (rates, counts) are copied. Each derived row's source
 * says how it was obtained, so `hrtsim params` shows the derivation.
 */
import { Schema } from "effect";
import { distribution, type DistributionSpec } from "../../engine/index.js";
import { ParamEntrySchema, ParameterFileError, type ParamEntry, type ParameterFile, type Unit } from "../hardware/params.js";
import { MACHINES, machineProfile, type MachineName } from "../hardware/profile.js";
import { countedCycles, countedText, eventCosts, type PathCountFile } from "./path-counts.js";

const DerivedParameterFileSchema = Schema.Struct({
  subject: Schema.String,
  derivedFrom: Schema.Struct({
    /** The machine whose file of the same kernel supplies every parameter not listed here. */
    machine: Schema.Literals(MACHINES),
    /** A dimensionless (ratio) parameter of this machine's hardware profile scaling time costs. */
    factor: Schema.String,
    /** Why time costs without path counts take the factor (shown in each such entry's source). */
    why: Schema.optional(Schema.String.check(Schema.isMinLength(12))),
  }),
  /**
   * Entries of this machine's kernel that the base machine's file has not (an option or a path
   * only this machine's kernel has, e.g. the Phi's 2.6.38 uOS): taken as written. Any other key
   * the base lacks is an error (a misspelt name would otherwise be ignored).
   */
  machineOnly: Schema.optional(Schema.Array(Schema.String)),
  parameters: Schema.Record(Schema.String, ParamEntrySchema),
});
export type DerivedParameterFile = typeof DerivedParameterFileSchema.Type;

const TIME_TO_CYCLES: Partial<Record<Unit, number>> = { cycles: 1, ns: 1, us: 1e3, ms: 1e6 };

export function isDerivedFile(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && "derivedFrom" in raw;
}

/**
 * Multiplies every location and scale parameter of a distribution by `f` (shapes unchanged);
 * `tidy` post-processes each product (e.g. rounding away float noise). `f` = 0 gives the
 * constant 0, whatever the distribution: a lognormal, gamma or pareto has no zero scale, and
 * `{ scale: 0 }` on one (a cost switched off) was refused.
 */
export function scaleSpec(spec: DistributionSpec, f: number, tidy: (x: number) => number = (x) => x): DistributionSpec {
  if (f === 0) return 0;
  const m = (x: number) => tidy(x * f);
  if (typeof spec === "number") return m(spec);
  const s = (x: number | undefined) => (x === undefined ? undefined : m(x));
  switch (spec.dist) {
    case "constant": return { ...spec, value: m(spec.value) };
    case "uniform": return { ...spec, min: m(spec.min), max: m(spec.max) };
    case "exponential": return { ...spec, mean: m(spec.mean) };
    case "normal": return dropUndefined({ ...spec, mean: m(spec.mean), sd: m(spec.sd), min: s(spec.min), max: s(spec.max) });
    case "lognormal": return spec.median !== undefined ? { ...spec, median: m(spec.median) } : { ...spec, mu: spec.mu! + Math.log(f) };
    case "gamma": return { ...spec, scale: m(spec.scale) };
    case "pareto": return { ...spec, scale: m(spec.scale) };
    case "empirical": return "samples" in spec ? { ...spec, samples: spec.samples.map(m) } : { ...spec, quantiles: spec.quantiles.map(([p, v]) => [p, m(v)] as const) };
    case "mixture": return { ...spec, components: spec.components.map((c) => ({ ...c, of: scaleSpec(c.of, f, tidy) })) };
    case "shifted": return { ...spec, shift: m(spec.shift), of: scaleSpec(spec.of, f, tidy) };
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The machine-profile factor a derived file names (must be a plain number in unit "ratio"). */
function factorOf(hardware: Readonly<Record<string, ParamEntry>>, machine: MachineName, name: string, label: string): { value: number; source: string } {
  const e = hardware[name];
  if (e === undefined || typeof e.value !== "number" || e.unit !== "ratio" || !(e.value > 0)) {
    throw new ParameterFileError(`${label}: derivedFrom.factor "${name}" must be a positive plain number with unit "ratio" in hardware/data/${machine}.json`);
  }
  return { value: e.value, source: e.source };
}

/**
 * Completes a derived file for `machine` from `base` (the same kernel's file for the base
 * machine, already decoded): listed parameters as written, the others derived — from `counts`
 * where the kernel has them, else by the factor. `hardware` is the machine profile's entries
 * in force (a run's overrides of `phi.event.*` or the factor reach the kernel's costs this way).
 */
export function deriveParameterFile(
  raw: unknown, label: string, machine: MachineName, base: ParameterFile,
  counts?: PathCountFile, hardware: Readonly<Record<string, ParamEntry>> = machineProfile(machine).parameters,
): ParameterFile {
  let file: DerivedParameterFile;
  try {
    file = Schema.decodeUnknownSync(DerivedParameterFileSchema, { onExcessProperty: "error" })(raw);
  } catch (e) {
    throw new ParameterFileError(`parameter file ${label}: ${(e as Error).message}`);
  }
  const from = file.derivedFrom.machine;
  const factor = factorOf(hardware, machine, file.derivedFrom.factor, label);
  const perEvent = counts === undefined ? undefined : eventCosts(hardware, `hardware/data/${machine}.json`);
  const baseClock = machineProfile(from).clockGHz.value;
  const name = `${machine}.${file.derivedFrom.factor}`;
  const parameters: Record<string, ParameterFile["parameters"][string]> = {};
  for (const [key, e] of Object.entries(base.parameters)) {
    const own = file.parameters[key];
    if (own !== undefined) {
      parameters[key] = own;
      continue;
    }
    const unit = e.unit ?? "cycles";
    const toCycles = TIME_TO_CYCLES[unit];
    if (toCycles === undefined) {
      parameters[key] = { ...e, source: `same as ${from}: ${e.source}` };
      continue;
    }
    const perUnit = unit === "cycles" ? 1 : toCycles * baseClock;
    const path = counts?.paths[key];
    if (path !== undefined && perEvent !== undefined) {
      parameters[key] = countedEntry(e, perUnit, countedCycles(path, perEvent), `derived from path counts: ${countedText(path, perEvent, machine)} (mean; shape and relative spread as ${from}'s). Path: ${path.path}. ${from}: ${e.source}`);
      continue;
    }
    const noCount = counts !== undefined ? `, no path count: ${counts.uncounted[key] ?? "none given"}` : file.derivedFrom.why !== undefined ? `, ${file.derivedFrom.why}` : "";
    const why = unit === "cycles"
      ? `${from} value × ${name} (${factor.value})${noCount}`
      : `${from} value converted to cycles at ${from}'s ${baseClock} GHz, × ${name} (${factor.value})${noCount}`;
    const f = perUnit * factor.value;
    // A plain number's range is in its unit (scaled with it); a distribution's is in factors (kept).
    const range = e.range === undefined ? undefined : typeof e.value === "number" ? { ...e.range, low: e.range.low * f, high: e.range.high * f } : e.range;
    parameters[key] = { value: scaleSpec(e.value as DistributionSpec, f) as never, source: `derived: ${why}. ${from}: ${e.source}`, ...(range ? { range } : {}) };
  }
  for (const key of [...Object.keys(counts?.paths ?? {}), ...Object.keys(counts?.uncounted ?? {})]) {
    const e = base.parameters[key];
    if (e === undefined || TIME_TO_CYCLES[e.unit ?? "cycles"] === undefined) throw new ParameterFileError(`path counts for ${label}: "${key}" is not a time cost of the ${from} file`);
  }
  const only = new Set(file.machineOnly ?? []);
  for (const key of Object.keys(file.parameters)) {
    if (key in base.parameters) continue;
    if (!only.has(key)) throw new ParameterFileError(`parameter file ${label}: "${key}" is not a parameter of the ${from} file it derives from (list it in machineOnly if only this machine's kernel has it)`);
    parameters[key] = file.parameters[key]!;
  }
  for (const key of only) {
    if (file.parameters[key] === undefined) throw new ParameterFileError(`parameter file ${label}: machineOnly names "${key}", which the file does not define`);
    if (key in base.parameters) throw new ParameterFileError(`parameter file ${label}: machineOnly names "${key}", which the ${from} file has too`);
  }
  return { subject: file.subject, parameters };
}

/**
 * A time entry whose mean is `cycles`: the base value (in its unit, `perUnit` cycles each)
 * rescaled, so a distribution keeps its shape; a plain number's range scales with it, a
 * distribution's range (factors) is kept.
 */
function countedEntry(e: ParamEntry, perUnit: number, cycles: number, source: string): ParamEntry {
  const baseMean = distribution(e.value as DistributionSpec, source).mean * perUnit;
  // Six significant digits: the mean stays Σ count × cost to 1e-6 without float noise in `params`.
  const tidy = (x: number) => Number(x.toPrecision(6));
  const value = baseMean > 0 ? scaleSpec(e.value as DistributionSpec, (perUnit * cycles) / baseMean, tidy) : tidy(cycles);
  const f = baseMean > 0 ? cycles / baseMean : 1;
  const range = e.range === undefined ? undefined : typeof e.value === "number" ? { ...e.range, low: tidy(e.range.low * perUnit * f), high: tidy(e.range.high * perUnit * f) } : e.range;
  return { value: value as never, source, ...(range ? { range } : {}) };
}
