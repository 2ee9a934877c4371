/**
 * A machine profile and a Linux parameter file whose every time cost is zero (settings such as
 * rates and counts kept): a kernel whose primitives all cost nothing, for "only the compute
 * critical path remains" tests.
 */
import type { ParameterFile } from "../../src/models/hardware/params.js";
import { machineProfile, type MachineName, type MachineProfile } from "../../src/models/hardware/profile.js";
import { linuxData } from "../../src/models/linux/kernel.js";
import { RUNTIME_PARAMETERS, type RuntimeCostOverrides } from "../../src/models/runtime/index.js";

const TIME = new Set([undefined, "cycles", "ns", "us", "ms"]);

function zeroed<T extends { readonly parameters: ParameterFile["parameters"] }>(file: T): T {
  const parameters = Object.fromEntries(Object.entries(file.parameters).map(([name, e]) => [name, TIME.has(e.unit) ? { ...e, value: 0 } : e]));
  return { ...file, parameters };
}

export function zeroMachine(name: MachineName): MachineProfile {
  return zeroed(machineProfile(name));
}

export function zeroLinux(machine: MachineName): ParameterFile {
  return zeroed(linuxData(machine));
}

export const ZERO_RUNTIME: RuntimeCostOverrides = Object.fromEntries(RUNTIME_PARAMETERS.map((n) => [n, 0]));
