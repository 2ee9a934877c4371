/**
 * Loading a kernel's parameter file for a machine: schema check (a derived file is completed
 * from its base machine's file first, see derive.ts), then the names the kernel needs must
 * all be present. Kernels pass their own data files (imported as JSON modules).
 */
import type { Machine } from "../hardware/machine.js";
import { CostTable, ParameterFileError, decodeParameterFile, type ParameterFile } from "../hardware/params.js";
import { withMachineEntries, type MachineFile } from "../hardware/machine-file.js";
import { applyOverrides } from "../hardware/overrides.js";
import { MACHINES, type MachineName } from "../hardware/profile.js";
import { deriveParameterFile, isDerivedFile } from "./derive.js";

const decoded = new WeakMap<object, ParameterFile>();

/** A kernel's data files by machine, as imported ([host] only Linux has one for the measured host). */
export type KernelDataFiles = Readonly<Record<"x64", unknown> & Partial<Record<MachineName, unknown>>>;

function isMachine(name: string): name is MachineName {
  return (MACHINES as readonly string[]).includes(name);
}

/**
 * The complete, validated parameter file of `kernel` on `machine` (decoded and, for a derived
 * file, completed once per data object).
 */
export function kernelData(kernel: string, machine: string, files: KernelDataFiles): ParameterFile {
  const name = isMachine(machine) ? machine : "x64";
  const raw = files[name];
  const label = `${kernel}/data/${name}.json`;
  if (raw === undefined) throw new ParameterFileError(`${kernel} has no parameter file for machine "${name}"`); // [host]
  const cached = typeof raw === "object" && raw !== null ? decoded.get(raw) : undefined;
  if (cached !== undefined) return cached;
  let file: ParameterFile;
  if (isDerivedFile(raw)) {
    const from = (raw as { derivedFrom?: { machine?: unknown } }).derivedFrom?.machine;
    if (from === name) throw new ParameterFileError(`parameter file ${label}: derives from its own machine`);
    // An unknown base machine is reported by the derived file's schema check.
    const base = typeof from === "string" && isMachine(from) ? kernelData(kernel, from, files) : { subject: "", parameters: {} };
    file = deriveParameterFile(raw, label, name, base);
  } else file = decodeParameterFile(raw, label);
  if (typeof raw === "object" && raw !== null) decoded.set(raw, file);
  return file;
}

/** A kernel's file as in force on `machine`: a user machine file's entries for it, then the `<kernel>.*` overrides. */
export function kernelFileOn(kernel: string, machine: Machine, file: ParameterFile): ParameterFile {
  const label = `${kernel}/data/${machine.name}.json`;
  return applyOverrides(withMachineEntries(file, machine.profile as MachineFile, kernel), kernel, machine.overrides, label);
}

/** Builds the run's cost table (with its scale) from a kernel's complete file and the machine's `<kernel>.*` overrides. */
export function kernelCosts(kernel: string, machine: Machine, file: ParameterFile, required: readonly string[]): CostTable {
  const label = `${kernel}/data/${machine.name}.json`;
  const table = new CostTable(`${kernel} on ${machine.name} (${label})`, [{ file: kernelFileOn(kernel, machine, file), label }], machine.clockGHz, machine.scale);
  table.requireAll(required);
  return table;
}
