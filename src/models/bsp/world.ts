/** The machine + kernel a BSP run uses, with the requested noise. */
import { buildKernelWorld, type KernelWorld } from "../runtime/index.js";
import type { BspParams } from "./params.js";

export function bspWorld(p: BspParams, seed: string): KernelWorld & { readonly threads: number } {
  const world = buildKernelWorld({
    seed, machine: p.machine, kernel: p.kernel, costScale: p.costScale ?? 1,
    linuxNoise: (p.noise ?? "kernel") === "kernel",
    ...(p.kicks === undefined ? {} : { kicks: p.kicks }),
  });
  // No noise at all: replace what the kernel attached (allowed until a CPU is first used).
  if (p.noise === "none") world.machine.attachNoise(() => []);
  const threads = p.threads ?? world.machine.cpuCount;
  if (threads > world.machine.cpuCount) throw new RangeError(`${p.machine} has ${world.machine.cpuCount} CPUs, not ${threads}`);
  return { ...world, threads };
}
