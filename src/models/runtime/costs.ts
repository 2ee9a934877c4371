/**
 * The runtime's own bookkeeping costs: a data file per machine (the Phi's derived from the
 * x64's by the in-order factor, as the kernels' files are), with scenario overrides.
 */
import { Schema } from "effect";
import x64Data from "./data/x64.json" with { type: "json" };
import phiData from "./data/phi.json" with { type: "json" };
import type { Machine } from "../hardware/machine.js";
import type { CostTable, ParameterFile } from "../hardware/params.js";
import { derivedOn, kernelCosts, kernelData } from "../kernel/costs.js";

export const RUNTIME_PARAMETERS = ["queue.push", "queue.pop", "task.dispatch", "event.trigger", "event.perWaiter", "reduce.combine"] as const;
export type RuntimeCostName = (typeof RUNTIME_PARAMETERS)[number];

const Cycles = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));

/** Scenario overrides, in cycles of the modelled machine (unknown names are rejected). */
export const RuntimeCostOverrides = Schema.Struct(
  Object.fromEntries(RUNTIME_PARAMETERS.map((n) => [n, Schema.optional(Cycles)])) as Record<RuntimeCostName, Schema.optional<typeof Cycles>>,
);
export type RuntimeCostOverrides = Partial<Record<RuntimeCostName, number>>;

/** The complete runtime parameter file for `machine`. */
export function runtimeData(machine: string): ParameterFile {
  return kernelData("runtime", machine, { x64: x64Data, phi: phiData });
}

/** The run's runtime cost table: the data file, with any scenario override in its place. */
export function runtimeCosts(machine: Machine, overrides: RuntimeCostOverrides = {}): CostTable {
  const file = derivedOn(machine, runtimeData(machine.name));
  const parameters = { ...file.parameters };
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) parameters[name] = { value, source: `scenario file: model.params.runtime.costs["${name}"] (replaces the data file's value)` };
  }
  return kernelCosts("runtime", machine, { subject: file.subject, parameters }, RUNTIME_PARAMETERS);
}
