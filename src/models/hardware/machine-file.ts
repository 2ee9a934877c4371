/**
 * A user's own machine (scenario `machineFile`, like a SimGrid platform file): a machine profile
 * checked by the same schema as the built-in ones (data/x64.json), plus optional kernel entries
 * for that machine. Kernel entries not given are the x64 files' (the same code paths in cycles);
 * the profile's `machine` name is the override scope of its hardware entries (`mybox.apic.accept`).
 */
import { Schema } from "effect";
import { ParameterFileError, ParameterFileSchema, type ParameterFile } from "./params.js";
import { MACHINES, MachineProfileSchema, cpuCount, interferenceProblem, requiredHardwareParameters } from "./profile.js";

export const MachineFileSchema = Schema.Struct({
  ...MachineProfileSchema.fields,
  /** Kernel name (nautilus, linux) → entries replacing that kernel's x64 entries on this machine. */
  kernels: Schema.optional(Schema.Record(Schema.String, ParameterFileSchema)),
});
export type MachineFile = typeof MachineFileSchema.Type;

/** Checks what the schema cannot: a name that is no built-in machine or scope, and every hardware entry the models need. */
export function machineFileProblems(m: MachineFile): Array<{ path: string; message: string; expected: string; found: string }> {
  const problems = [];
  const reserved = [...MACHINES, "nautilus", "linux", "hvm"];
  if (reserved.includes(m.machine) || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(m.machine)) {
    problems.push({ path: "machine", message: "invalid machine name", expected: `a name of letters, digits, '_' or '-', none of ${reserved.join(", ")} (it is the override scope of this file's entries)`, found: JSON.stringify(m.machine) });
  }
  const missing = requiredHardwareParameters(m.topology).filter((n) => !Object.hasOwn(m.parameters, n));
  if (missing.length > 0) problems.push({ path: "parameters", message: "missing hardware parameter(s)", expected: missing.join(", "), found: "not given" });
  for (const k of Object.keys(m.kernels ?? {})) {
    if (k !== "nautilus" && k !== "linux") problems.push({ path: `kernels.${k}`, message: "unknown kernel", expected: "nautilus or linux", found: JSON.stringify(k) });
  }
  if (cpuCount(m.topology) < 2) problems.push({ path: "topology", message: "too few CPUs", expected: "at least 2 CPUs", found: String(cpuCount(m.topology)) });
  const trace = m.interference === undefined ? null : interferenceProblem(m.interference);
  if (trace !== null) {
    const [where, why] = trace.split(/: (.*)/s) as [string, string];
    problems.push({ path: `interference.${where}`, message: "bad interference trace", expected: "detours in time order, not overlapping, inside the trace's length", found: why });
  }
  return problems;
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
