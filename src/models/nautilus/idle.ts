/**
 * How an idle Nautilus CPU finds new work (HExSA-Lab/nautilus b512503). Every application
 * processor's boot thread ends in idle(): `while (1) { nk_yield(); idle_delay(100); }` on x64,
 * `udelay(1)` (the KNC `delay` instruction, 1100 cycles) on the Phi, plus `sti; hlt` only with
 * HALT_WHILE_IDLE. The boot CPU (0) has no idle thread unless USE_IDLE_THREADS: a thread blocked
 * there spins in nk_schedule()'s `while(!(runme = get_runnable_thread_myq()))` with interrupts
 * off. So a remote wake-up is an enqueue that the target's next poll sees — the poll's phase
 * relative to the enqueue is the wake-up's main jitter — or, halted, the next interrupt.
 */
import type { Simulation } from "../../engine/index.js";
import type { Machine } from "../hardware/machine.js";
import { ParameterFileError, type CostTable } from "../hardware/params.js";
import type { CpuSched } from "../kernel/base.js";

export const IDLE_PARAMETERS = [
  "config.kicks", "config.haltWhileIdle", "config.useIdleThreads", "config.idleDelay", "config.hz",
  "idle.delayIteration", "idle.yieldEmpty", "sched.spinCheck",
] as const;

/** The Kconfig options the model follows (`config.*` entries of the Nautilus data file). */
export interface NautilusConfig {
  /** KICK_SCHEDULE: kick IPI to a remote CPU when a thread becomes ready there. */
  readonly kicks: boolean;
  /** HALT_WHILE_IDLE: idle loops (and CPU 0's nk_schedule loop) halt until an interrupt. */
  readonly haltWhileIdle: boolean;
  /** USE_IDLE_THREADS: CPU 0 gets an idle thread too (it polls like the others). */
  readonly useIdleThreads: boolean;
  /** The idle loop's delay argument (x64: idle_delay iterations; Phi: cycles of `delay`). */
  readonly idleDelay: number;
  /** Tick rate (HZ). */
  readonly hz: number;
}

function flag(costs: CostTable, name: string): boolean {
  const v = costs.setting(name);
  if (v !== 0 && v !== 1) throw new ParameterFileError(`${costs.label}: "${name}" is a flag: 0 or 1, not ${v}`);
  return v === 1;
}

/** Reads the options in force; `kicks` (the kernel option) overrides config.kicks when given. */
export function readConfig(costs: CostTable, kicks?: boolean): NautilusConfig {
  const idleDelay = costs.setting("config.idleDelay");
  const hz = costs.setting("config.hz");
  if (!(idleDelay >= 0)) throw new ParameterFileError(`${costs.label}: "config.idleDelay" must be ≥ 0, not ${idleDelay}`);
  if (!(hz > 0)) throw new ParameterFileError(`${costs.label}: "config.hz" must be > 0, not ${hz}`);
  return {
    kicks: kicks ?? flag(costs, "config.kicks"),
    haltWhileIdle: flag(costs, "config.haltWhileIdle"),
    useIdleThreads: flag(costs, "config.useIdleThreads"),
    idleDelay,
    hz,
  };
}

/** The tick period in unscaled cycles. */
export function tickPeriod(machine: Machine, costs: CostTable): number {
  return Math.round((machine.clockGHz * 1e9) / costs.setting("config.hz"));
}

/** What the idle mechanism needs from the kernel. */
export interface IdleHost {
  readonly sim: Simulation;
  readonly machine: Machine;
  readonly costs: CostTable;
  sched(cpu: number): CpuSched;
  reschedule(cpu: number, prevStep: number): void;
}

type Step = [string, number];

export class IdleLoops {
  /** CPUs with a poll (or halt wake-up) already scheduled to pick up their queue. */
  private readonly pending = new Set<number>();
  /** CPUs whose next switch starts from a poll that found the queue (halted: woke at a tick). */
  private readonly pickup = new Map<number, { readonly halted: boolean }>();

  constructor(
    private readonly host: IdleHost,
    private readonly config: NautilusConfig,
    /** Per CPU, the phase of its tick in unscaled cycles (set when its noise is created). */
    private readonly tickPhases: ReadonlyMap<number, number>,
  ) {}

  /** Application processors always run idle() in their boot thread; CPU 0 only with USE_IDLE_THREADS. */
  hasIdleThread(cpu: number): boolean {
    return cpu !== 0 || this.config.useIdleThreads;
  }

  /** Unscaled mean cycles of a parameter (no rounding: idle_delay's iteration may be 1.5 cycles). */
  private mean(name: string): number {
    const d = this.host.costs.distributionOf(name);
    return d.dist.mean * d.toCycles;
  }

  /** One iteration of the CPU's wait loop, in unscaled cycles. */
  pollPeriod(cpu: number): number {
    if (!this.hasIdleThread(cpu)) return Math.max(1, Math.round(this.mean("sched.spinCheck")));
    return Math.max(1, Math.round(this.mean("idle.yieldEmpty") + this.config.idleDelay * this.mean("idle.delayIteration")));
  }

  private idle(cpu: number): boolean {
    const cs = this.host.sched(cpu);
    return cs.current === null && !cs.switching;
  }

  /** A thread was enqueued on `target`'s run queue: if it idles, its wait loop will find it. */
  enqueued(target: number, prevStep: number): void {
    if (!this.idle(target) || this.pending.has(target)) return;
    const { sim, machine } = this.host;
    const halted = this.config.haltWhileIdle;
    const wait = halted ? this.untilNextTick(target) : machine.cpu(target).rng.integer(0, this.pollPeriod(target) - 1) * machine.scale;
    this.pending.add(target);
    sim.schedule(wait, () => {
      this.pending.delete(target);
      if (!this.idle(target) || this.host.sched(target).queue.length === 0) return; // a kick got there first
      this.pickup.set(target, { halted });
      this.host.reschedule(target, prevStep);
    }, undefined, target);
  }

  /** Halted CPUs wake at their next timer tick (the tick's handler runs first). */
  private untilNextTick(cpu: number): number {
    const { sim, machine, costs } = this.host;
    machine.cpu(cpu); // creates the CPU's noise, which fixes its tick phase
    const period = tickPeriod(machine, costs), phase = this.tickPhases.get(cpu) ?? 0, scale = machine.scale;
    const k = Math.max(0, Math.ceil((sim.now / scale - phase) / period));
    return (phase + k * period) * scale - sim.now;
  }

  /** A halted CPU taking an interrupt first leaves C1. */
  haltExit(cpu: number): { step: string; cycles: number }[] {
    if (!this.config.haltWhileIdle || !this.idle(cpu)) return [];
    return [{ step: "leave C1 (hlt)", cycles: this.host.machine.draw("idle.haltExit", cpu) }];
  }

  /** Steps of the poll that found the queue, before the switch (none for a switch made otherwise). */
  pickupSteps(cpu: number): Step[] {
    const how = this.pickup.get(cpu);
    if (how === undefined) return [];
    this.pickup.delete(cpu);
    const { machine, costs } = this.host;
    const rng = machine.cpu(cpu).rng;
    const cs = this.host.sched(cpu);
    const owner = cs.rqLineOwner;
    const line = owner < 0 || owner === cpu ? 0 : machine.lineTransfer(owner, cpu);
    cs.rqLineOwner = cpu;
    const steps: Step[] = how.halted ? [["leave C1 (hlt), woken by the timer tick", machine.draw("idle.haltExit", cpu)]] : [];
    const lockAndTake = machine.draw("atomic", cpu) + costs.draw("rq.op", rng) + machine.draw("store", cpu);
    if (this.hasIdleThread(cpu)) {
      steps.push(
        [`idle loop: nk_yield sees the run queue non-empty (line cpu${owner}→cpu${cpu})`, costs.draw("irq.disableSave", rng) + line],
        ["get_runnable_thread: lock, dequeue, requeue the idle thread, unlock", lockAndTake + costs.draw("rq.op", rng)],
      );
    } else {
      steps.push(
        [`nk_schedule loop (IRQs off) sees the run queue non-empty (line cpu${owner}→cpu${cpu})`, line],
        ["get_runnable_thread: lock, dequeue, unlock", lockAndTake],
      );
    }
    return steps;
  }
}
