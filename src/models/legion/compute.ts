/**
 * Per-element compute cost of each workload kernel on a modelled machine: the host's measured
 * TSC cycles per element (data/host-workloads.json, from workloads.c) × the machine's sourced
 * cycles-per-host-TSC-cycle ratio (data/compute-scale.json).
 */
import hostData from "./data/host-workloads.json" with { type: "json" };
import scaleData from "./data/compute-scale.json" with { type: "json" };
import type { Machine } from "../hardware/machine.js";
import { CostTable, decodeParameterFile } from "../hardware/params.js";
import type { ConstraintProblem, ParameterRow } from "../plugin.js";
import { WORKLOAD_KERNELS, decodeWorkloadMeasurements, type WorkloadKernel, type WorkloadMeasurements } from "./measurements.js";

const HOST_LABEL = "legion/data/host-workloads.json";
const SCALE_LABEL = "legion/data/compute-scale.json";

let host: WorkloadMeasurements | undefined;
/** The checked-in host measurements, decoded once. */
export function hostWorkloads(): WorkloadMeasurements {
  return (host ??= decodeWorkloadMeasurements(hostData, HOST_LABEL));
}

const scaleFile = decodeParameterFile(scaleData, SCALE_LABEL);
/** Its entries are unitless ratios, so no clock converts them. */
const scaleTable = new CostTable(`legion compute scale (${SCALE_LABEL})`, [{ file: scaleFile, label: SCALE_LABEL }], 1, 1);

export interface ComputeCosts {
  /** Machine cycles per element of each kernel (fractional; tasks round their total). */
  readonly perElement: Readonly<Record<WorkloadKernel, number>>;
  readonly ratio: number;
  rows(): ParameterRow[];
}

/**
 * The ratio is kept per machine name, so a machine file of another name has none: the scenario
 * must give it (at `path`). Validate (the plug-ins' constraints hooks) and the run both ask.
 */
export function computeScaleProblem(machine: string, ratioOverride: number | undefined, path: string): ConstraintProblem | undefined {
  if (ratioOverride !== undefined || scaleTable.has(`cyclesPerHostTsc.${machine}`)) return undefined;
  const known = Object.keys(scaleFile.parameters).map((k) => k.replace("cyclesPerHostTsc.", "")).join(", ");
  return {
    path,
    message: `${SCALE_LABEL} has no ratio for machine "${machine}" (only for ${known}), so the measured inner loops cannot be converted to its cycles`,
    expected: "a ratio > 0: the machine's core cycles per host TSC cycle of the same loop",
    found: "none given",
  };
}

/** Core cycles of `machine` (by name) per host TSC cycle of a measured loop; `ratioOverride` (a scenario what-if) replaces the file's. */
export function computeRatio(machine: string, ratioOverride?: number): number {
  return ratioOverride ?? scaleTable.setting(`cyclesPerHostTsc.${machine}`);
}

/** `ratioOverride` replaces the data file's ratio (a scenario what-if, given at `overridePath`). */
export function computeCosts(machine: Machine, ratioOverride?: number, overridePath = "model.params.compute.cyclesPerHostTsc"): ComputeCosts {
  const name = `cyclesPerHostTsc.${machine.name}`;
  const ratio = computeRatio(machine.name, ratioOverride);
  const h = hostWorkloads();
  const perElement = Object.fromEntries(WORKLOAD_KERNELS.map((k) => [k, h.kernels[k].cyclesPerElement * ratio * machine.scale])) as Record<WorkloadKernel, number>;
  const src = h.source;
  return {
    perElement, ratio,
    rows: () => [
      { name: `compute.${name}`, value: String(ratio), source: ratioOverride === undefined ? scaleTable.rows().find((r) => r.name === name)!.source : `scenario file: ${overridePath}` },
      ...WORKLOAD_KERNELS.map((k) => ({
        name: `compute.${k}`,
        value: `${perElement[k].toFixed(2)} cycles per ${h.kernels[k].unit}`,
        source: `host measurement ${h.kernels[k].cyclesPerElement.toFixed(3)} TSC cycles per ${h.kernels[k].unit} (median of ${h.kernels[k].repCycles.length} reps; ${src.cpu}, ${src.date}, ${src.command}) × ${ratio}`,
      })),
    ],
  };
}
