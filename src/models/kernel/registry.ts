/**
 * The kernel registry: name → how to build the kernel on a machine, its parameter file per
 * machine and the parameter names it requires. `createKernel` builds a machine and a kernel by
 * name in one call; it is the stable entry point for models built on the kernel layer (task
 * runtimes, bulk-synchronous programs). Adding a kernel: one folder plus one entry below.
 */
import { Simulation } from "../../engine/index.js";
import type { NoiseSource } from "../hardware/cpu.js";
import { Machine } from "../hardware/machine.js";
import { describeFile, OverrideError, type ParameterInfo, type ParameterOverrides } from "../hardware/overrides.js";
import { machineFileProblems, type MachineFile, type MachineFileProblem } from "../hardware/machine-file.js";
import { ParameterFileError, type CostTable, type ParameterFile } from "../hardware/params.js";
import { kernelCosts, kernelFileOn } from "./costs.js";
import type { MachineName, MachineProfile } from "../hardware/profile.js";
import { LINUX_MACHINES, LINUX_PARAMETERS, LinuxKernel, linuxData, type LinuxOptions } from "../linux/kernel.js";
import { LINUX_NOISE_PARAMETERS, linuxNoiseProblem } from "../linux/noise.js";
import type { ConstraintProblem } from "../plugin.js";
import { NAUTILUS_MACHINES, NAUTILUS_NOISE_PARAMETERS, NAUTILUS_PARAMETERS, NautilusKernel, nautilusData, nautilusNoiseProblem, type NautilusOptions } from "../nautilus/kernel.js";
import { KERNELS, type Kernel, type KernelName } from "./types.js";

/** Options per kernel, by kernel name. */
export interface KernelOptionsByName {
  readonly nautilus: NautilusOptions;
  readonly linux: LinuxOptions;
}

export interface KernelEntry<K extends KernelName = KernelName> {
  readonly name: K;
  readonly description: string;
  /** Builds the kernel on `machine` (it attaches its noise: create it before using any CPU). */
  create(machine: Machine, options?: KernelOptionsByName[K]): Kernel;
  /** The complete parameter file of this kernel for `machine`. */
  data(machine: string): ParameterFile;
  /** The built-in machines it has a parameter file for. */
  readonly machines: readonly string[];
  /** Names its parameter file must define. */
  readonly parameters: readonly string[];
}

export const KERNEL_REGISTRY: { readonly [K in KernelName]: KernelEntry<K> } = {
  nautilus: {
    name: "nautilus",
    description: "Nautilus Aerokernel, paper-era design (April 2016): ring 0, per-CPU FIFO run queues, polling idle loop",
    create: (machine, options) => new NautilusKernel(machine, options),
    data: nautilusData,
    machines: NAUTILUS_MACHINES,
    parameters: NAUTILUS_PARAMETERS,
  },
  linux: {
    name: "linux",
    description: "Linux 3.x-era kernel with glibc NPTL (pre-2.25): system calls, CFS-like scheduler, futexes, idle states",
    create: (machine, options) => new LinuxKernel(machine, options),
    data: linuxData,
    machines: LINUX_MACHINES,
    parameters: LINUX_PARAMETERS,
  },
};

export function kernelEntry<K extends KernelName>(name: K): KernelEntry<K> {
  const e = KERNEL_REGISTRY[name] as KernelEntry<K> | undefined;
  if (e === undefined) throw new RangeError(`unknown kernel "${String(name)}" (known: ${Object.keys(KERNEL_REGISTRY).join(", ")})`);
  return e;
}

/** Why `kernel` cannot run on the built-in machine `machine` (no parameter file there), or undefined (a schema filter's message). */
export function kernelMachineProblem(kernel: KernelName, machine: string): string | undefined {
  const { machines } = kernelEntry(kernel);
  return machines.includes(machine) ? undefined : `${kernel} runs on ${machines.join(" or ")} (it has no parameter file for ${machine})`;
}

export interface CreateKernelOptions<K extends KernelName> {
  readonly sim: Simulation;
  /** A built-in machine name ("x64", "phi", "host") or a decoded profile. */
  readonly machine: MachineName | MachineProfile;
  readonly kernel: K;
  /** Options of that kernel (e.g. Nautilus kicks, Linux noise). */
  readonly options?: KernelOptionsByName[K];
  /** Prefix of the run's named random streams; default the kernel name. */
  readonly streamPrefix?: string;
  /** Multiplies every time quantity (integer ≥ 1); default 1. */
  readonly costScale?: number;
  /** Record steps for breakdowns (slower); default false. */
  readonly record?: boolean;
  /** Extra per-CPU noise besides the kernel's own (e.g. an application's interference). */
  readonly extraNoise?: (cpu: number, machine: Machine) => NoiseSource[];
  /** User overrides of parameter-file entries by dotted path (`x64.apic.accept`, `linux.config.c6`). */
  readonly overrides?: ParameterOverrides;
}

/**
 * A machine and a kernel booted on it, by name:
 * `const kernel = createKernel({ sim, machine: "x64", kernel: "nautilus" })`; the machine is
 * `kernel.machine`. Threads start with `kernel.boot(...)`; run with `sim.run()`.
 */
export function createKernel<K extends KernelName>(o: CreateKernelOptions<K>): Kernel {
  const entry = kernelEntry(o.kernel);
  const machine = new Machine({
    sim: o.sim, machine: o.machine, streamPrefix: o.streamPrefix ?? o.kernel, costScale: o.costScale ?? 1, record: o.record ?? false,
    ...(o.overrides ? { overrides: o.overrides } : {}),
  });
  const kernel = entry.create(machine, o.options);
  if (o.extraNoise !== undefined) machine.addNoise(o.extraNoise);
  return kernel;
}

/**
 * Every parameter-file entry runs of `kernels` on `machine` use, as override paths
 * (`<machine>.*`, `<kernel>.*`): a plug-in's `parameterSpace`. The kernel files are those a run
 * loads for the machine's name (a user's machine profile has none of its own: x64's, then its
 * entries), as everywhere below.
 */
export function kernelParameterSpace(machine: MachineName | MachineProfile, kernels: readonly KernelName[]): ParameterInfo[] {
  const m = new Machine({ sim: new Simulation(), machine, streamPrefix: "params" });
  return [...describeFile(m.name, m.profile), ...kernels.flatMap((k) => describeFile(k, kernelFileOn(k, m, kernelEntry(k).data(m.name))))];
}

/**
 * Everything wrong with a user's machine file (hardware/machine-file.ts `machineFileProblems`,
 * its kernel entries checked against the kernels' files), then anything building the machine
 * and its kernels' files would still refuse (a ParameterFileError), so `validate` finds it, not a run.
 */
export function userMachineProblems(m: MachineFile): MachineFileProblem[] {
  const problems = machineFileProblems(m, { names: KERNELS, base: (k) => kernelEntry(k as KernelName).data(m.machine) });
  if (problems.length > 0) return problems;
  try {
    kernelParameterSpace(m, KERNELS);
  } catch (e) {
    if (!(e instanceof ParameterFileError)) throw e;
    return [{ at: [], path: "", message: "the models cannot load this machine file", expected: "a machine file the models can load", found: e.message }];
  }
  return [];
}

/** The cost table a `kernel` built on `machine` uses (as the kernel builds it: its file for the machine's name, with the machine's overrides). */
export function kernelCostTable(kernel: KernelName, machine: Machine): CostTable {
  const entry = kernelEntry(kernel);
  return kernelCosts(kernel, machine, entry.data(machine.name), entry.parameters);
}

/**
 * What the kernels' parameters in force make impossible to run, for the plug-ins' constraints
 * hooks (so `validate` finds it, not a run): noise leaving threads no CPU time on `machine`, with
 * `overrides` and a machine file's entries (on the kernel files a run loads for it) — each
 * kernel's own (Linux's with `linuxBackground` beyond the tick; Nautilus's tick) plus the
 * machine's SMIs (unless `smis` is false: a model that replays kernel noise alone), or the SMIs
 * alone when `kernels` is empty (a run whose kernel noise is off).
 * Built-in files need no check. Reported at the first overridden entry of that noise, else the
 * first override, else the machine file.
 */
export function kernelConfigProblems(machine: MachineName | MachineProfile, kernels: readonly KernelName[], overrides: ParameterOverrides, linuxBackground = true, smis = true): ConstraintProblem[] {
  const overridden = Object.keys(overrides);
  if (overridden.length === 0 && typeof machine === "string") return [];
  type Found = { who: string; problem: string; keys: string[] };
  let found: Found[];
  try {
    const m = new Machine({ sim: new Simulation(), machine, streamPrefix: "params", overrides });
    const smi = smis ? m.smiShare() : 0;
    const smiKeys = [`${m.name}.smi.rate`, `${m.name}.smi.duration`];
    const checks = kernels.length === 0
      ? [{ who: "SMI", problem: smi < 1 ? undefined : `SMIs would take ${Math.round(smi * 100)}% of every CPU (rate × mean drawn duration): no cycle would be left for threads; lower the machine's smi.rate or smi.duration`, keys: smiKeys }]
      : kernels.map((k) => k === "linux"
        ? { who: "Linux", problem: linuxNoiseProblem(m, kernelCostTable("linux", m), linuxBackground, 0, smi), keys: [...LINUX_NOISE_PARAMETERS.map((n) => `linux.${n}`), ...smiKeys] }
        : { who: "Nautilus", problem: nautilusNoiseProblem(m, kernelCostTable("nautilus", m), smi), keys: [...NAUTILUS_NOISE_PARAMETERS.kernel.map((n) => `nautilus.${n}`), ...NAUTILUS_NOISE_PARAMETERS.hardware.map((n) => `${m.name}.${n}`), ...smiKeys] });
    found = checks.filter((c): c is Found => c.problem !== undefined);
  } catch (e) {
    // An input its file refuses: validate reports it at the override or the machine file (scenarios' checkSites, machine-load).
    if (e instanceof OverrideError || e instanceof ParameterFileError) return [];
    throw e;
  }
  return found.map(({ who, problem, keys }) => ({
    path: overridden.find((k) => keys.includes(k)) ?? overridden[0] ?? "machineFile",
    message: `${who} noise leaves threads no CPU time`, expected: "noise taking less than 100% of every CPU", found: problem,
  }));
}
