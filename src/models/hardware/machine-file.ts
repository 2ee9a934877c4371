/**
 * A user's own machine (scenario `machineFile`, like a SimGrid platform file): a machine profile
 * checked by the same schema as the built-in ones (data/x64.json), plus optional kernel entries
 * for that machine. Kernel entries not given are the x64 files' (the same code paths in cycles);
 * the profile's `machine` name is the override scope of its hardware entries (`mybox.apic.accept`).
 */
import { Schema } from "effect";
import { CLOCK_GHZ_MAX, CLOCK_GHZ_MIN, MAX_CPUS, MAX_TRACE_CYCLES } from "./bounds.js";
import { describeFile, overriddenValue, valueProblem } from "./overrides.js";
import { ParameterFileError, ParameterFileSchema, TIME_UNITS, type ParameterFile, type Unit } from "./params.js";
import { MACHINES, MachineProfileSchema, cpuCount, detoursFillTrace, interferenceProblem, machineProfile, pathOf, requiredHardwareParameters, type Interference } from "./profile.js";

export const MachineFileSchema = Schema.Struct({
  ...MachineProfileSchema.fields,
  /** Kernel name (nautilus, linux) → entries replacing that kernel's x64 entries on this machine. */
  kernels: Schema.optional(Schema.Record(Schema.String, ParameterFileSchema)),
});
export type MachineFile = typeof MachineFileSchema.Type;

/** A problem with a machine file: `at` locates it in the document, `path` shows it (dotted entry names quoted). */
export interface MachineFileProblem {
  readonly at: ReadonlyArray<string | number>;
  readonly path: string;
  readonly message: string;
  readonly expected: string;
  readonly found: string;
}

const problem = (at: Array<string | number>, message: string, expected: string, found: string): MachineFileProblem => ({ at, path: pathOf(at), message, expected, found });

/** Entry name → unit of a parameter file (describeFile applies the default unit). */
const unitsOf = (scope: string, file: ParameterFile): Map<string, Unit> => new Map(describeFile(scope, file).map((i) => [i.name, i.unit]));

/** Hardware entries a profile may give (any built-in profile's, and the interference replay's factor), with their units. */
function hardwareEntries(): Map<string, Unit> {
  const units = new Map<string, Unit>([["interference.scale", "ratio"]]);
  for (const name of MACHINES) for (const [k, u] of unitsOf(name, machineProfile(name))) units.set(k, u);
  return units;
}

/** Each entry of `file` against `known` (name → unit): unknown names, a unit of another kind, values outside the domain (overrides.ts valueProblem). */
function entryProblems(scope: string, file: ParameterFile, known: ReadonlyMap<string, Unit>, at: readonly string[], what: string): MachineFileProblem[] {
  const problems: MachineFileProblem[] = [];
  for (const info of describeFile(scope, file)) {
    const unit = known.get(info.name);
    if (unit === undefined) {
      problems.push(problem([...at, info.name], `unknown ${what} parameter`, `one of the ${what} parameters (\`hrtsim params\` lists them)`, JSON.stringify(info.name)));
      continue;
    }
    if (unit !== info.unit && !(TIME_UNITS.has(unit) && TIME_UNITS.has(info.unit))) {
      problems.push(problem([...at, info.name, "unit"], "wrong unit", TIME_UNITS.has(unit) ? "a time unit (cycles, ns, us, ms)" : JSON.stringify(unit), JSON.stringify(info.unit)));
      continue;
    }
    const bad = valueProblem(info, info.value);
    if (bad) problems.push(problem([...at, info.name, "value"], bad.message, bad.expected, bad.found));
  }
  return problems;
}

/** Traces whose detours leave no CPU time, or too long to replay (bounds.ts). */
function interferenceLoad(i: Interference, scale: number): MachineFileProblem[] {
  const problems: MachineFileProblem[] = [];
  for (const [t, trace] of i.traces.entries()) {
    const at = ["interference", "traces", t];
    const busy = detoursFillTrace(trace.detours.map(([, d]) => d), trace.length, scale);
    if (trace.length > MAX_TRACE_CYCLES) problems.push(problem([...at, "length"], "trace too long", `at most ${MAX_TRACE_CYCLES.toExponential()} cycles`, String(trace.length)));
    else if (busy !== undefined) {
      problems.push(problem(at, "interference leaves no CPU time", `detours (× interference.scale ${scale}) covering less than the trace's length ${trace.length}`, `detours covering ${busy} cycles`));
    }
  }
  return problems;
}

/**
 * Checks what the schema cannot: a name that is no built-in machine or scope, every hardware
 * entry the models need and no unknown one, each entry's value in its domain (as an override's),
 * a plausible clock and CPU count, interference that leaves CPU time, and kernel entries that
 * replace entries of `kernels.base(kernel)` (the kernel's file the machine's entries apply to).
 */
export function machineFileProblems(m: MachineFile, kernels: { readonly names: readonly string[]; base(kernel: string): ParameterFile }): MachineFileProblem[] {
  const problems: MachineFileProblem[] = [];
  const reserved = [...MACHINES, "nautilus", "linux", "hvm"];
  if (reserved.includes(m.machine) || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(m.machine)) {
    problems.push(problem(["machine"], "invalid machine name", `a name of letters, digits, '_' or '-', none of ${reserved.join(", ")} (it is the override scope of this file's entries)`, JSON.stringify(m.machine)));
  }
  const clock = m.clockGHz.value;
  if (!(clock >= CLOCK_GHZ_MIN && clock <= CLOCK_GHZ_MAX)) problems.push(problem(["clockGHz", "value"], "implausible clock rate", `a clock in [${CLOCK_GHZ_MIN}, ${CLOCK_GHZ_MAX}] GHz`, String(clock)));
  const missing = requiredHardwareParameters(m.topology).filter((n) => !Object.hasOwn(m.parameters, n));
  if (missing.length > 0) problems.push(problem(["parameters"], "missing hardware parameter(s)", missing.join(", "), "not given"));
  problems.push(...entryProblems(m.machine, m, hardwareEntries(), ["parameters"], "hardware"));
  for (const [k, own] of Object.entries(m.kernels ?? {})) {
    if (!kernels.names.includes(k)) problems.push(problem(["kernels", k], "unknown kernel", kernels.names.join(" or "), JSON.stringify(k)));
    else problems.push(...entryProblems(k, own, unitsOf(k, kernels.base(k)), ["kernels", k, "parameters"], k));
  }
  const cpus = cpuCount(m.topology);
  if (cpus < 2 || cpus > MAX_CPUS) problems.push(problem(["topology"], cpus < 2 ? "too few CPUs" : "too many CPUs", `from 2 to ${MAX_CPUS} CPUs`, String(cpus)));
  const trace = m.interference === undefined ? null : interferenceProblem(m.interference);
  if (trace !== null) {
    problems.push(problem(["interference", ...trace.at], "bad interference trace", "detours in time order, not overlapping, inside the trace's length", trace.reason));
  } else problems.push(...interferenceScaleProblems(m));
  return problems;
}

/**
 * The machine's interference with `interference.scale` at the file's value, or overridden by
 * `value` (an override's, as a scenario, sweep or --set gives it): detours that would leave no
 * CPU time. A machine without interference has none.
 */
export function interferenceScaleProblems(m: MachineFile, value?: unknown): MachineFileProblem[] {
  if (m.interference === undefined) return [];
  const entry = m.parameters["interference.scale"];
  const scale = entry === undefined ? 1 : value === undefined ? entry.value : overriddenValue(entry, value);
  return typeof scale === "number" ? interferenceLoad(m.interference, scale) : [];
}

/** A kernel's file on a user machine: the base file with the machine file's entries for that kernel in place. */
export function withMachineEntries(base: ParameterFile, m: { readonly kernels?: MachineFile["kernels"]; readonly machine: string } | undefined, kernel: string): ParameterFile {
  const own = m?.kernels?.[kernel];
  if (own === undefined) return base;
  for (const k of Object.keys(own.parameters)) {
    if (!Object.hasOwn(base.parameters, k)) throw new ParameterFileError(`machine file ${m!.machine}: kernels.${kernel}.parameters."${k}" is not a ${kernel} parameter`);
  }
  return { subject: own.subject, parameters: { ...base.parameters, ...own.parameters } };
}
