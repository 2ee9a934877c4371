/** The machine + kernel a BSP run uses, with the requested noise. */
import { failOn, type ConstraintProblem, type UserParameters } from "../plugin.js";
import { buildKernelWorld, type KernelWorld } from "../runtime/index.js";
import type { BspParams } from "./params.js";

export function bspWorld(p: BspParams, seed: string, user: UserParameters = {}): KernelWorld & { readonly threads: number } {
  const world = buildKernelWorld({
    seed, machine: user.machine ?? p.machine, kernel: p.kernel, costScale: p.costScale ?? 1,
    ...(user.overrides ? { overrides: user.overrides } : {}),
    linuxNoise: (p.noise ?? "kernel") === "kernel",
    ...(p.kicks === undefined ? {} : { kicks: p.kicks }),
  });
  // No noise at all: replace what the kernel attached (allowed until a CPU is first used).
  if (p.noise === "none") world.machine.attachNoise(() => []);
  const threads = p.threads ?? world.machine.cpuCount;
  failOn(threadsProblem(p, world.machine.name, world.machine.cpuCount));
  return { ...world, threads };
}

/** More threads than the machine has CPUs (one thread is pinned per CPU): validate and the run both ask. */
export function threadsProblem(p: BspParams, machine: string, cpus: number): ConstraintProblem | undefined {
  if (p.threads === undefined || p.threads <= cpus) return undefined;
  return { path: "threads", message: "more threads than the machine has CPUs (one thread is pinned per CPU)", expected: `threads ≤ ${cpus} (${machine} has ${cpus} CPUs)`, found: String(p.threads) };
}
