/**
 * Loading a kernel's parameter file for a machine: schema check, then the names the kernel
 * needs must all be present. Kernels pass their own data files (imported as JSON modules).
 */
import type { Machine } from "../hardware/machine.js";
import { CostTable, decodeParameterFile, type ParameterFile } from "../hardware/params.js";

const decoded = new WeakMap<object, ParameterFile>();

/** Decodes once per data object; builds the run's table (with its scale) each time. */
export function kernelCosts(kernel: string, machine: Machine, raw: unknown, required: readonly string[]): CostTable {
  const label = `${kernel}/data/${machine.name}.json`;
  let file = typeof raw === "object" && raw !== null ? decoded.get(raw) : undefined;
  if (file === undefined) {
    file = decodeParameterFile(raw, label);
    if (typeof raw === "object" && raw !== null) decoded.set(raw, file);
  }
  const table = new CostTable(`${kernel} on ${machine.name} (${label})`, [{ file, label }], machine.clockGHz, machine.scale);
  table.requireAll(required);
  return table;
}
