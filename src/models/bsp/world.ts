/** The machine + kernel a BSP run uses, with the requested noise. */
import type { UserParameters } from "../plugin.js";
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
  if (threads > world.machine.cpuCount) throw new RangeError(`${p.machine} has ${world.machine.cpuCount} CPUs, not ${threads}`);
  return { ...world, threads };
}
