/**
 * Linux background noise as cycle-stealing activity per CPU, each drawn from the CPU's own
 * stream `linux/noise/cpu<i>`: the periodic tick (on one jiffy grid for all CPUs, TickGrid; with config.nohz only while the CPU runs a thread;
 * its indirect share is paid by the work it interrupts, Tsafrir's split),
 * kernel threads (kworkers, RCU, ksoftirqd, vmstat...), user daemons, and device interrupts
 * (routed to CPU 0). These are what give Linux its variance; rates and durations are
 * parameters with their sources in linux/data/<machine>.json.
 */
import type { NoiseSource } from "../hardware/cpu.js";
import type { Machine } from "../hardware/machine.js";
import { PeriodicNoise, PoissonNoise } from "../hardware/noise.js";
import type { CostTable } from "../hardware/params.js";
import { ModelRunError } from "../plugin.js";

export const LINUX_NOISE_PARAMETERS = [
  "config.hz", "config.nohz", "noise.tick.duration", "noise.tick.indirectShare", "noise.kthread.rate", "noise.kthread.duration",
  "noise.daemon.rate", "noise.daemon.duration", "noise.deviceIrq.rate", "noise.deviceIrq.duration",
] as const;

/** Noise sources that are tasks (runnable on the CPU, counted by load balancing); the tick and IRQs are not. */
export const TASK_NOISE: ReadonlySet<string> = new Set(["kernel thread", "daemon"]);

/**
 * The jiffy grid every CPU's tick runs on: one period (the clock over config.hz, whole cycles)
 * and one phase for the whole machine. Linux aligns each CPU's tick to the last jiffy update
 * (tick_init_jiffy_update): 3.x tick_setup_sched_timer offsets it per CPU only with the
 * skew_tick boot option (default 0, since 3.4), and 2.6.38 with highres=off programs every CPU's
 * event device for the same jiffies (tick_nohz_switch_to_nohz). Where the grid lies relative to
 * the run's start is drawn once, on stream `linux/tick`: a whole number of cycles in [0, period).
 */
export class TickGrid {
  /** Period and phase in unscaled cycles. */
  readonly period: number;
  readonly phase: number;

  constructor(machine: Machine, costs: CostTable) {
    this.period = tickPeriod(machine, costs);
    this.phase = machine.sim.streams.get("linux/tick").integer(0, this.period - 1);
    this.scale = machine.scale;
  }

  private readonly scale: number;

  /** The first tick at or after `at` (scaled cycles, as every time). */
  firstTickFrom(at: number): number {
    const period = this.period * this.scale, phase = this.phase * this.scale;
    return phase + Math.ceil((at - phase) / period) * period;
  }
}

export function linuxNoise(cpu: number, machine: Machine, costs: CostTable, enabled: boolean, grid: TickGrid): NoiseSource[] {
  const rng = machine.sim.streams.get(`linux/noise/cpu${cpu}`);
  const hz = machine.clockGHz * 1e9;
  const tick = new PeriodicNoise("timer tick", grid.period, grid.phase, machine.scale,
    () => costs.draw("noise.tick.duration", rng), costs.setting("config.nohz") === 1, costs.setting("noise.tick.indirectShare"));
  const problem = linuxNoiseProblem(machine, costs, enabled, cpu);
  if (problem !== undefined) throw new ModelRunError("model", problem);
  if (!enabled) return [tick];
  const gap = (rate: number) => (rate > 0 ? hz / rate : Infinity);
  const sources: NoiseSource[] = [
    tick,
    new PoissonNoise("kernel thread", gap(costs.setting("noise.kthread.rate")), rng, machine.scale, () => costs.draw("noise.kthread.duration", rng), false),
    new PoissonNoise("daemon", gap(costs.setting("noise.daemon.rate")), rng, machine.scale, () => costs.draw("noise.daemon.duration", rng), false),
  ];
  if (cpu === 0) {
    sources.push(new PoissonNoise("device interrupt", gap(costs.setting("noise.deviceIrq.rate")), rng, machine.scale, () => costs.draw("noise.deviceIrq.duration", rng), false));
  }
  return sources;
}

/** The tick's period in (unscaled) cycles: the clock over config.hz, whole cycles. */
function tickPeriod(machine: Machine, costs: CostTable): number {
  return Math.round((machine.clockGHz * 1e9) / costs.setting("config.hz"));
}

/**
 * Why Linux noise would leave threads no cycle on `cpu` (a run would never end: it would fill
 * memory), or undefined: its mean share of the CPU, rate × mean drawn duration (draws below 0
 * count as 0) summed over the tick and, with `background`, kernel threads, daemons and (CPU 0,
 * the busiest) device interrupts, must stay below 1. The run
 * and `validate` (the plug-ins' constraints hooks, kernel/registry.ts) ask.
 */
export function linuxNoiseProblem(machine: Machine, costs: CostTable, background: boolean, cpu = 0, smiShare = 0): string | undefined {
  // A draw's mean: a duration reaching below 0 is clamped to 0, which raises its mean.
  const mean = (name: string) => costs.meanDrawCycles(name) / machine.scale;
  const others = !background ? 0 : costs.setting("noise.kthread.rate") * mean("noise.kthread.duration")
    + costs.setting("noise.daemon.rate") * mean("noise.daemon.duration")
    + (cpu === 0 ? costs.setting("noise.deviceIrq.rate") * mean("noise.deviceIrq.duration") : 0);
  const share = mean("noise.tick.duration") / tickPeriod(machine, costs) + others / (machine.clockGHz * 1e9) + smiShare;
  if (share < 1) return undefined;
  const what = (!background ? "the tick" : `tick + kernel threads + daemons${cpu === 0 ? " + device interrupts" : ""}`) + (smiShare > 0 ? " + SMIs" : "");
  return `Linux noise would take ${Math.round(share * 100)}% of CPU ${cpu} (${what}: rate × mean drawn duration): no cycle would be left for threads; lower config.hz, noise.*.rate or noise.*.duration${smiShare > 0 ? ", or the machine's smi.rate or smi.duration" : ""}`;
}
