/**
 * Combinations of legion parameters a run cannot simulate, as one list of checks that both
 * `validate` (the plug-in's constraints hook) and the run path call, so the rules live once.
 */
import type { MachineFile } from "../hardware/machine-file.js";
import { machineSize } from "../hardware/profile.js";
import { KERNELS } from "../kernel/types.js";
import type { ConstraintProblem } from "../plugin.js";
import { computeScaleProblem } from "./compute.js";
import { coresOf, inHvm, type LegionParams } from "./params.js";

/** The machine a run simulates, by name and CPU count: the HVM runs on x64 whatever the machine file says. */
function machineOf(p: LegionParams, file: MachineFile | undefined): { readonly name: string; readonly cpus: number } {
  return inHvm(p) ? machineSize("x64") : machineSize(p.machine, file);
}

/** placement hvm needs the x64 machine (Palacios on AMD SVM). */
export function placementProblem(p: LegionParams): ConstraintProblem | undefined {
  if (!inHvm(p) || p.machine === "x64") return undefined;
  return { path: "placement", message: "placement hvm needs machine x64 (the Palacios HVM on AMD SVM)", expected: "machine x64 or placement native", found: `machine ${p.machine}` };
}

/** Cores used beyond the machine's CPUs (CPU 0 plus one worker per core). */
export function coresProblem(p: LegionParams, machine: string, cpus: number): ConstraintProblem | undefined {
  const cores = coresOf(p, cpus);
  if (cores <= cpus) return undefined;
  return { path: "cores", message: "more cores than the machine has CPUs", expected: `cores ≤ ${cpus} (${machine} has ${cpus} CPUs)`, found: String(cores) };
}

/** In the HVM the ROS keeps one x64 CPU, so the Nautilus HRT gets at most the others. */
export function hvmCoresProblem(p: LegionParams): ConstraintProblem | undefined {
  const cpus = machineSize("x64").cpus;
  const cores = coresOf(p, cpus);
  if (!inHvm(p) || !(p.kernels ?? KERNELS).includes("nautilus") || cores < cpus) return undefined;
  return { path: "cores", message: `placement hvm with nautilus: the ROS needs one of the ${cpus} CPUs`, expected: `cores ≤ ${cpus - 1}`, found: String(cores) };
}

/** task-launch alternates between the workers on CPU 1 and CPU cores−1, which must differ. */
export function launchProblem(p: LegionParams, cpus: number): ConstraintProblem | undefined {
  const cores = coresOf(p, cpus);
  if (cores >= 3) return undefined;
  return { path: "cores", message: "task-launch needs two workers (on CPU 1 and CPU cores−1)", expected: "cores ≥ 3", found: String(cores) };
}

/** The HVM model runs on its own x64 profile: a machine file would be ignored without a word. */
export function hvmMachineFileProblem(p: LegionParams, file: MachineFile | undefined): ConstraintProblem | undefined {
  if (!inHvm(p) || file === undefined) return undefined;
  return { path: "machineFile", message: "placement hvm runs on the built-in x64 profile (the Palacios HVM model), not a machine file", expected: "no machineFile, or placement native", found: JSON.stringify(file.machine) };
}

/** Every problem of these params (the experiment-specific ones only when `experiment` is given). */
export function legionProblems(p: LegionParams, file: MachineFile | undefined, experiment: string | undefined): ConstraintProblem[] {
  const placement = placementProblem(p) ?? hvmMachineFileProblem(p, file);
  // A wrong placement makes the CPU counts moot; report it alone.
  if (placement) return [placement];
  const m = machineOf(p, file);
  // Only circuit and hpcg boot the HRT on `cores` cores (launchTime); task-launch does not.
  const hrt = experiment !== undefined && experiment !== "task-launch" ? hvmCoresProblem(p) : undefined;
  const launch = experiment === "task-launch" ? launchProblem(p, m.cpus) : undefined;
  const scale = computeScaleProblem(m.name, p.compute?.cyclesPerHostTsc, "compute.cyclesPerHostTsc");
  return [coresProblem(p, m.name, m.cpus), hrt, launch, scale].filter((x): x is ConstraintProblem => x !== undefined);
}
