/**
 * A simulation, a machine and a booted kernel, built the way the microbench plug-in builds
 * them (kernel/README.md): the one way runtime users obtain a kernel.
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { ParameterOverrides } from "../hardware/overrides.js";
import type { ParameterFile } from "../hardware/params.js";
import type { MachineName, MachineProfile } from "../hardware/profile.js";
import type { Kernel, KernelName } from "../kernel/types.js";
import { LinuxKernel } from "../linux/kernel.js";
import { NautilusKernel } from "../nautilus/kernel.js";

export interface KernelWorldOptions {
  readonly seed: string;
  readonly machine: MachineName | MachineProfile;
  readonly kernel: KernelName;
  /** Integer multiplier of every time quantity (metamorphic tests). */
  readonly costScale?: number;
  /** Record steps for critical-path breakdowns. */
  readonly record?: boolean;
  /** Nautilus: kick IPIs to remote CPUs (default: the kernel's default). */
  readonly kicks?: boolean;
  /** Linux: daemon/kernel-thread/device noise besides the tick (default true). */
  readonly linuxNoise?: boolean;
  /** Linux: allow deep idle states (default: the data file). */
  readonly deepIdle?: boolean;
  /** Linux: a complete parameter file instead of the data file (tests, calibration). */
  readonly linuxParameters?: ParameterFile;
  /** User overrides of parameter-file entries by dotted path (scenario `parameters`, `--set`). */
  readonly overrides?: ParameterOverrides;
}

export interface KernelWorld {
  readonly sim: Simulation;
  readonly machine: Machine;
  readonly kernel: Kernel;
}

export function buildKernelWorld(o: KernelWorldOptions): KernelWorld {
  const sim = new Simulation({ seed: o.seed });
  const machine = new Machine({ sim, machine: o.machine, streamPrefix: o.kernel, costScale: o.costScale ?? 1, record: o.record ?? false,
    ...(o.overrides ? { overrides: o.overrides } : {}),
  });
  const kernel: Kernel = o.kernel === "nautilus"
    ? new NautilusKernel(machine, o.kicks === undefined ? {} : { kicks: o.kicks })
    : new LinuxKernel(machine, {
      noise: o.linuxNoise ?? true,
      ...(o.deepIdle === undefined ? {} : { deepIdle: o.deepIdle }),
      ...(o.linuxParameters === undefined ? {} : { parameters: o.linuxParameters }),
    });
  return { sim, machine, kernel };
}
