/**
 * Superstep work from a measured workload kernel (`workload`): `elements` elements of one of
 * the Legion workloads' inner loops per thread and superstep, at the host's measured median
 * cycles per element (legion/data/host-workloads.json, `hrtsim measure-workloads`) × the
 * machine's sourced ratio (legion/data/compute-scale.json), as the legion model converts them.
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { MachineFile } from "../hardware/machine-file.js";
import { computeCosts, computeScaleProblem, hostWorkloads } from "../legion/compute.js";
import type { ConstraintProblem, ParameterRow } from "../plugin.js";
import { MAX_GRAIN, type BspParams } from "./params.js";

type Workload = NonNullable<BspParams["workload"]>;

/** Unscaled machine cycles per element of the kernel (the host's median × the ratio). */
function cyclesPerElement(w: Workload, machine: Machine): number {
  return hostWorkloads().kernels[w.kernel].cyclesPerElement * computeCosts(machine, w.cyclesPerHostTsc).ratio;
}

/** Cycles of one thread's superstep (before costScale), whole cycles. */
export function workloadCycles(w: Workload, machine: Machine): number {
  return Math.round(w.elements * cyclesPerElement(w, machine));
}

/** What makes `workload` impossible to run on this machine; validate (constraints) and the run both ask. */
export function workloadProblems(p: BspParams, machine: Machine): ConstraintProblem[] {
  const w = p.workload;
  if (w === undefined) return [];
  if (p.work !== undefined) {
    return [{ path: "workload", message: "work and workload both give the superstep's work", expected: "one of them: work (cycles or a distribution) or workload (a measured kernel)", found: "both" }];
  }
  const scale = computeScaleProblem(machine.name, w.cyclesPerHostTsc, "workload.cyclesPerHostTsc");
  if (scale !== undefined) return [scale];
  if (workloadCycles(w, machine) <= MAX_GRAIN) return [];
  const per = cyclesPerElement(w, machine);
  return [{
    path: "workload.elements", message: `more work per superstep than the largest grain (${MAX_GRAIN.toExponential()} cycles)`,
    expected: `at most ${Math.floor(MAX_GRAIN / per).toLocaleString("en-US")} elements of ${w.kernel} (${per.toFixed(2)} ${machine.name} cycles each)`, found: String(w.elements),
  }];
}

/** The machine a check or a parameter listing converts on (a user's file, else the built-in profile). */
export function workloadMachine(p: BspParams, file: MachineFile | undefined): Machine {
  return new Machine({ sim: new Simulation(), machine: file ?? p.machine, streamPrefix: "params" });
}

/** The conversion in force, with its sources (the `parameters` hook). */
export function workloadRows(w: Workload, machine: Machine): ParameterRow[] {
  return computeCosts(machine, w.cyclesPerHostTsc).rows().filter((r) => r.name === `compute.${w.kernel}` || r.name.startsWith("compute.cyclesPerHostTsc."));
}
