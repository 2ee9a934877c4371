/**
 * A node's noise from the kernel models' own noise sources: boot the kernel on a modeled
 * machine, take the NoiseSource list it attaches to a CPU, and draw that CPU's interfering
 * activity for a window of simulated time into a detour trace (the same merge and
 * serialisation the CPU timeline does: one handler at a time, in arrival order). A rank is
 * always busy (computing or polling for messages), so "only while busy" sources fire too.
 */
import { Simulation } from "../../engine/index.js";
import type { NoiseSource } from "../hardware/cpu.js";
import { Machine, type MachineOptions } from "../hardware/machine.js";
import type { MachineName } from "../hardware/profile.js";
import type { KernelName } from "../kernel/types.js";
import { LinuxKernel } from "../linux/kernel.js";
import { LINUX_NOISE_PARAMETERS } from "../linux/noise.js";
import { NAUTILUS_NOISE_PARAMETERS, NautilusKernel } from "../nautilus/kernel.js";
import type { ParameterRow, UserParameters } from "../plugin.js";
import type { DetourTrace } from "./detours.js";

/** A Machine that hands out the noise sources its kernel attaches. */
class NoiseProbe extends Machine {
  private sourcesFor: ((cpu: number, machine: Machine) => NoiseSource[]) | undefined;

  constructor(options: MachineOptions) {
    super(options);
  }

  override attachNoise(noiseFor: (cpu: number, machine: Machine) => NoiseSource[]): void {
    super.attachNoise(noiseFor);
    this.sourcesFor = noiseFor;
  }

  sources(cpu: number): NoiseSource[] {
    return this.sourcesFor?.(cpu, this) ?? [];
  }
}

export interface KernelNoiseSpec {
  readonly kernel: KernelName;
  readonly machine: MachineName;
  /** Distinct CPUs sampled (ranks replay them round-robin). */
  readonly traces: number;
  /** Length of each trace in ns. */
  readonly windowNs: number;
  /** Linux: kernel threads and daemons besides the tick (default true). */
  readonly background: boolean;
  /**
   * Sample at most the machine's CPUs 1.. (per-node sampling's pool, which only measures netNoise:
   * POOL_DEFAULTS.traces on the built-in machines, fewer on a small machine file) instead of
   * failing when `traces` does not fit.
   */
  readonly fitMachine?: boolean;
}

/** A modeled machine booted with a kernel: the noise sources the kernel attaches to each CPU. */
export interface KernelNoiseProbe {
  readonly cpuCount: number;
  readonly nsPerCycle: number;
  sources(cpu: number): NoiseSource[];
  /** The noise parameters in force (overrides applied), by override path, with their sources. */
  parameterRows(): ParameterRow[];
}

/**
 * The parameter-file entries a kernel's noise reads, by scope: the at-scale model's whole
 * parameter space (other kernel costs do not reach it, so they are not overridable there).
 */
export const NOISE_PARAMETERS: Readonly<Record<KernelName, { readonly kernel: readonly string[]; readonly hardware: readonly string[] }>> = {
  // Not config.nohz (a rank never idles), noise.tick.indirectShare (a detour here is the whole
  // duration), noise.deviceIrq.* (CPU 0's; ranks take CPUs 1..).
  linux: { kernel: LINUX_NOISE_PARAMETERS.filter((n) => n !== "config.nohz" && n !== "noise.tick.indirectShare" && !n.startsWith("noise.deviceIrq.")), hardware: [] },
  nautilus: NAUTILUS_NOISE_PARAMETERS,
};

/** Whether a parameter (scope, name) is one `kernel`'s noise reads on `machine`. */
export function isNoiseParameter(kernel: KernelName, machine: string, scope: string, name: string): boolean {
  const used = NOISE_PARAMETERS[kernel];
  return (scope === kernel && used.kernel.includes(name)) || (scope === machine && used.hardware.includes(name));
}

/**
 * Boots `kernel` on a modeled `machine` (its own simulation, seeded with `seed`; the user's
 * overrides and machine file applied) to read its noise sources.
 */
export function probeKernelNoise(kernel: KernelName, machineName: MachineName, background: boolean, seed: string, user: UserParameters = {}): KernelNoiseProbe {
  const sim = new Simulation({ seed });
  const machine = new NoiseProbe({
    sim, machine: user.machine ?? machineName, streamPrefix: `atscale-${kernel}`, ...(user.overrides ? { overrides: user.overrides } : {}),
  });
  const k = kernel === "nautilus" ? new NautilusKernel(machine) : new LinuxKernel(machine, { noise: background });
  return {
    cpuCount: machine.cpuCount, nsPerCycle: 1 / machine.clockGHz, sources: (cpu) => machine.sources(cpu),
    parameterRows: () => [...k.costs.rows(`${kernel}.`), ...machine.costs.rows(`${machine.name}.`)]
      .filter((r) => { const dot = r.name.indexOf("."); return isNoiseParameter(kernel, machine.name, r.name.slice(0, dot), r.name.slice(dot + 1)); }),
  };
}

/** Why a pool of `traces` sampled CPUs does not fit a machine of `cpuCount` CPUs (CPU 0 is not sampled), or undefined. */
export function poolProblem(traces: number, machine: string, cpuCount: number): string | undefined {
  return traces >= cpuCount ? `at most ${cpuCount - 1} noise traces: ${machine} has ${cpuCount} CPUs and the pool samples CPUs 1..` : undefined;
}

/** One trace per CPU 1..traces (CPU 0 takes Linux's device interrupts; a rank runs elsewhere). */
export function kernelNoiseTraces(spec: KernelNoiseSpec, seed: string, user: UserParameters = {}): DetourTrace[] {
  const machine = probeKernelNoise(spec.kernel, spec.machine, spec.background, seed, user);
  // A machine has at least 2 CPUs (machine files are held to it), so a fitted pool has one trace or more.
  const traces = spec.fitMachine === true ? Math.min(spec.traces, machine.cpuCount - 1) : spec.traces;
  const problem = poolProblem(traces, user.machine?.machine ?? spec.machine, machine.cpuCount); // the constraints hook's check
  if (problem !== undefined) throw new RangeError(`noise.traces: expected ${problem}, got ${traces}`);
  const nsPerCycle = machine.nsPerCycle;
  const window = spec.windowNs / nsPerCycle;
  const out: DetourTrace[] = [];
  for (let cpu = 1; cpu <= traces; cpu++) {
    const sources = machine.sources(cpu);
    const next = sources.map((s) => s.nextArrival());
    const starts: number[] = [];
    const durations: number[] = [];
    let prevEnd = -Infinity;
    for (;;) {
      let k = -1;
      let best = Infinity;
      for (let i = 0; i < next.length; i++) if (next[i]! < best) { best = next[i]!; k = i; }
      if (k < 0 || best >= window) break;
      const cycles = sources[k]!.duration();
      next[k] = sources[k]!.nextArrival();
      const start = Math.max(best, prevEnd);
      if (start >= window) break;
      prevEnd = start + cycles;
      starts.push(start * nsPerCycle);
      durations.push(cycles * nsPerCycle);
    }
    const lastEnd = starts.length === 0 ? 0 : starts[starts.length - 1]! + durations[durations.length - 1]!;
    out.push({ starts: Float64Array.from(starts), durations: Float64Array.from(durations), span: Math.max(spec.windowNs, lastEnd) });
  }
  return out;
}
