/**
 * Superstep work from a measured workload kernel (`workload`): `elements` elements of one of
 * the Legion workloads' inner loops per thread and superstep, at the host's measured median
 * cycles per element (legion/data/host-workloads.json, `hrtsim measure-workloads`) × the
 * machine's sourced ratio (legion/data/compute-scale.json), as the legion model converts them.
 */
import type { Machine } from "../hardware/machine.js";
import { computeCosts, computeRatio, computeScaleProblem, hostWorkloads } from "../legion/compute.js";
import type { ConstraintProblem, ParameterRow } from "../plugin.js";
import { MAX_GRAIN, type BspParams } from "./params.js";

type Workload = NonNullable<BspParams["workload"]>;

/** Unscaled cycles per element of the kernel on `machine` (by name): the host's median × the ratio. */
function cyclesPerElement(w: Workload, machine: string): number {
  return hostWorkloads().kernels[w.kernel].cyclesPerElement * computeRatio(machine, w.cyclesPerHostTsc);
}

/** Cycles of one thread's superstep (before costScale), whole cycles. */
export function workloadCycles(w: Workload, machine: string): number {
  return Math.round(w.elements * cyclesPerElement(w, machine));
}

/** What makes `workload` impossible to run on `machine` (by name); validate (constraints) and the run both ask. */
export function workloadProblems(p: BspParams, machine: string): ConstraintProblem[] {
  const w = p.workload;
  if (w === undefined) return [];
  if (p.work !== undefined) {
    return [{ path: "workload", message: "work and workload both give the superstep's work", expected: "one of them: work (cycles or a distribution) or workload (a measured kernel)", found: "both" }];
  }
  const scale = computeScaleProblem(machine, w.cyclesPerHostTsc, "workload.cyclesPerHostTsc");
  if (scale !== undefined) return [scale];
  if (workloadCycles(w, machine) <= MAX_GRAIN) return [];
  const per = cyclesPerElement(w, machine);
  return [{
    path: "workload.elements", message: `more work per superstep than the largest grain (${MAX_GRAIN.toExponential()} cycles)`,
    expected: `at most ${Math.floor(MAX_GRAIN / per).toLocaleString("en-US")} elements of ${w.kernel} (${per.toFixed(2)} ${machine} cycles each)`, found: String(w.elements),
  }];
}

/** The conversion in force, with its sources (the `parameters` hook). */
export function workloadRows(w: Workload, machine: Machine): ParameterRow[] {
  return computeCosts(machine, w.cyclesPerHostTsc, "model.params.workload.cyclesPerHostTsc").rows().filter((r) => r.name === `compute.${w.kernel}` || r.name.startsWith("compute.cyclesPerHostTsc."));
}
