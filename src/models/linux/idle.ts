/**
 * What the Linux scheduler (scheduler.ts) knows of each CPU and thread besides its run queue:
 * the task state it keeps per thread, the kernel version in force (era.ts), the idle state the
 * menu governor (governor.ts) chooses at each idle entry and its exit latency (with a VM's host
 * side of leaving hlt), the hrtimers the governor sees, and fork balancing, which reads those
 * idle states to place a new task.
 */
import type { InterruptStep } from "../hardware/cpu.js";
import type { BoundCost } from "../hardware/params.js";
import { BaseKernel } from "../kernel/base.js";
import type { Thread } from "../kernel/objects.js";
import { linuxEra, linuxSetting, type LinuxEra } from "./era.js";
import { forkDomains, findIdlestCpu } from "./fork-balance.js";
import { IdleHistory, chooseState, typicalInterval, type IdleState } from "./governor.js";
import { TASK_NOISE } from "./noise.js";

/** No steps (bare metal's host side of leaving hlt), shared: the IPI fast path must not allocate. */
const NO_STEPS: readonly InterruptStep[] = [];

/** What the Linux model keeps per thread (task_struct fields it uses). */
export interface LinuxThreadState {
  /** A forked process (exits through exit_group), not a thread of the harness's process. */
  process: boolean;
  /** Bound to one CPU (cpus_allowed of one CPU); an unpinned thread is placed at each wake-up. */
  pinned: boolean;
  /** Set by sched_setaffinity on a running thread: the stopper moves it to this CPU. */
  migrateTo: number | null;
  /** The thread waiting in sched_setaffinity for that migration to complete. */
  migrationWaiter: Thread | null;
}

/** What the menu governor reads at every idle entry (cycles, unscaled): the horizon, the tick period (Infinity with nohz), menu or not. */
interface GovernorSettings {
  readonly horizon: number;
  readonly tick: number;
  readonly menu: boolean;
}

/** The governor's choice for an idle period, with the next-timer distance it saw. */
interface IdleChoice {
  readonly state: IdleState;
  readonly nextTimer: number;
}

export abstract class LinuxIdle extends BaseKernel {
  /** Whether deep idle states (core C6) may be chosen; set by the kernel's options. */
  protected abstract readonly deepIdle: boolean;
  /** The governor's choice for each idle CPU at its idle entry. */
  private readonly chosenState: (IdleChoice | undefined)[] = [];
  private get idleHistory(): IdleHistory {
    return (this.history ??= new IdleHistory(this.machine.clockGHz * 1e3));
  }
  private history: IdleHistory | undefined;
  /** Armed hrtimers per CPU (absolute expiry times). */
  private readonly timers = new Map<number, number[]>();
  /** The kernel version's variant paths (era.ts). */
  protected get era(): LinuxEra {
    return (this.eraInForce ??= linuxEra(linuxSetting(this.costs, "config.linux2638")));
  }
  private eraInForce: LinuxEra | undefined;

  /** The Linux state of `t` (created on first use: a pinned thread of the harness's process); kept on the thread, read at every step's preemption point. */
  protected task(t: Thread): LinuxThreadState {
    let s = t.kernelState as LinuxThreadState | null;
    if (s === null) {
      s = { process: false, pinned: true, migrateTo: null, migrationWaiter: null };
      t.kernelState = s;
    }
    return s;
  }

  // ---- idle states (governor.ts) ------------------------------------------------------------

  /** The state table in force: C1, plus core C6 when deep idle is allowed (shallow → deep); built once (it depends on parameters only). */
  protected idleStates(): IdleState[] {
    return (this.stateTable ??= this.buildIdleStates());
  }

  private stateTable: IdleState[] | undefined;

  private buildIdleStates(): IdleState[] {
    const mean = (name: string, table: "hw" | "kernel") => {
      const d = (table === "hw" ? this.machine.costs : this.costs).distributionOf(name);
      return d.dist.mean * d.toCycles;
    };
    const states: IdleState[] = [{ name: "C1 (hlt)", residency: mean("idle.c1.residency", "kernel"), exitLatency: mean("idle.haltExit", "hw"), exitParameter: "idle.haltExit" }];
    if (this.deepIdle) states.push({ name: "core C6", residency: mean("idle.c6.residency", "kernel"), exitLatency: mean("idle.deepExit", "hw"), exitParameter: "idle.deepExit" });
    return states;
  }

  /** The settings the governor reads at every idle entry, looked up once (they depend on parameters only). */
  private governorSettings(): GovernorSettings {
    const horizon = this.costs.distributionOf("idle.nextTimerHorizon");
    const tick = this.costs.setting("config.nohz") !== 1 ? (this.machine.clockGHz * 1e9) / this.costs.setting("config.hz") : Infinity;
    return { horizon: horizon.dist.mean * horizon.toCycles, tick, menu: this.costs.setting("config.governor") !== 0 };
  }

  private governorConstants: GovernorSettings | undefined;

  /** When `cpu`'s next timer event after `at` fires (unscaled cycles from `at`): an armed hrtimer, the tick, or the horizon. */
  private untilNextTimer(cpu: number, at: number, g: GovernorSettings): number {
    const scale = this.machine.scale;
    let next = g.horizon;
    const armed = this.timers.get(cpu);
    if (armed !== undefined) for (const t of armed) if (t > at) next = Math.min(next, (t - at) / scale);
    return Math.min(next, g.tick);
  }

  /** The menu governor's choice for an idle period entered at `at` on `cpu`. */
  private govern(cpu: number, at: number): IdleChoice {
    const states = this.idleStates();
    const g = (this.governorConstants ??= this.governorSettings());
    const nextTimer = this.untilNextTimer(cpu, at, g);
    if (!g.menu) return { state: states[0]!, nextTimer };
    let predicted = this.idleHistory.corrected(cpu, nextTimer);
    const typical = typicalInterval(this.idleHistory.intervals(cpu), this.machine.clockGHz * 1e3);
    if (typical !== undefined && typical < predicted) predicted = typical;
    return { state: chooseState(states, predicted), nextTimer };
  }

  protected override onIdle(cpu: number): void {
    this.chosenState[cpu] = this.govern(cpu, this.sim.now);
  }

  /** When idle `cpu` last entered idle and the governor's choice then (re-entered after noise, or never ran anything: decided at that entry). */
  private idleEntry(cpu: number): { entered: number; choice: IdleChoice } {
    const cs = this.sched(cpu);
    const entered = Math.max(cs.idleSince, this.machine.cpu(cpu).lastActivityBefore(this.sim.now));
    const chosen = this.chosenState[cpu];
    const choice = entered === cs.idleSince && chosen !== undefined ? chosen : this.govern(cpu, entered);
    return { entered, choice };
  }

  /** Exit latency of the idle state the governor chose when the CPU last went idle (or re-entered idle after noise). */
  protected idleExit(cpu: number): InterruptStep[] {
    const steps: InterruptStep[] = [];
    this.idleExitCycles(cpu, steps);
    return steps;
  }

  /** idleExit's steps appended to `steps` (null: not listed), and their total cycles. */
  protected idleExitCycles(cpu: number, steps: InterruptStep[] | null): number {
    const cs = this.sched(cpu);
    if (cs.current !== null || cs.switching) return 0;
    const now = this.sim.now;
    const { entered, choice } = this.idleEntry(cpu);
    this.idleHistory.record(cpu, (now - entered) / this.machine.scale, choice.nextTimer);
    let cycles = this.exitCost(choice.state).draw(this.machine.cpu(cpu).rng);
    steps?.push({ step: `leave ${choice.state.name}`, cycles });
    for (const h of this.hostWake(cpu, now - entered)) {
      steps?.push(h);
      cycles += h.cycles;
    }
    return cycles;
  }

  /** The exit latency of `state` (drawn as this.hw of its parameter), looked up once. */
  private exitCost(state: IdleState): BoundCost {
    let c = this.exitCosts.get(state.exitParameter);
    if (c === undefined) this.exitCosts.set(state.exitParameter, (c = this.machine.costs.bind(state.exitParameter)));
    return c;
  }

  private readonly exitCosts = new Map<string, BoundCost>();

  /** vm.haltPollWindow's mean cycles, or Infinity on bare metal (no host side), looked up once. */
  private get haltPollWindow(): number {
    const hwCosts = this.machine.costs;
    return (this.pollWindow ??= hwCosts.has("vm.haltPollWindow") ? hwCosts.meanCycles("vm.haltPollWindow") : Infinity);
  }

  private pollWindow: number | undefined;

  /**
   * [VM guest] The host side of leaving hlt. KVM polls a halted vCPU for up to the halt-poll
   * window (kvm_vcpu_block); a wake-up within it resumes the polling vCPU thread (part of
   * idle.haltExit). Past it the vCPU thread sleeps on the host, and the wake-up is a trip
   * through the host scheduler: the waker's try_to_wake_up of the vCPU thread, the host's
   * reschedule IPI and handler, __schedule and the switch to the vCPU thread, then VM entry.
   * The host runs the same Linux on the same CPU, so those steps take this machine's costs;
   * only the window and the world switch are VM parameters. Bare metal has neither: no steps.
   */
  private hostWake(cpu: number, idleFor: number): readonly InterruptStep[] {
    if (idleFor <= this.haltPollWindow) return NO_STEPS;
    return [
      { step: "host: try_to_wake_up of the vCPU thread (halt polling had given up)", cycles: this.k("sched.ttwu", cpu) },
      { step: "host: reschedule IPI, scheduler_ipi, EOI, IRQ exit", cycles: this.hw("irq.entry", cpu) + this.k("sched.ipiHandler", cpu) + this.hw("apic.eoi", cpu) + this.hw("irq.exit", cpu) },
      { step: "host: __schedule + context switch to the vCPU thread", cycles: this.k("sched.schedule", cpu) + this.k("switch.contextSwitch", cpu) },
      { step: "host: VM entry (world switch)", cycles: this.hw("vm.worldSwitch", cpu) },
    ];
  }

  /** An hrtimer armed on `cpu` for time `at` (the governor sees it as the next timer). */
  protected armTimer(cpu: number, at: number): void {
    const list = this.timers.get(cpu);
    if (list === undefined) this.timers.set(cpu, [at]);
    else list.push(at);
  }

  protected disarmTimer(cpu: number, at: number): void {
    const list = this.timers.get(cpu);
    const i = list?.indexOf(at) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /**
   * wake_up_new_task's CPU: the child inherits the parent's mask (sched_fork), so a pinned
   * parent's child is queued on the parent's CPU; otherwise fork balancing (fork-balance.ts)
   * over runnable tasks (counting the kernel threads and daemons the noise model runs) and, on
   * idle CPUs, the governor's chosen state and when they went idle.
   */
  protected placeNewTask(parent: Thread): number {
    if (this.task(parent).pinned) return parent.cpu;
    this.forkLevels ??= forkDomains(this.machine.profile.topology, this.machine.cpuCount);
    const loads = (this.forkLoads ??= new Int32Array(this.machine.cpuCount));
    loads.fill(-1); // each CPU's load is looked at once per placement
    return findIdlestCpu(this.forkLevels, parent.cpu, {
      load: (cpu) => {
        if (loads[cpu]! >= 0) return loads[cpu]!;
        const cs = this.sched(cpu);
        const running = cs.current !== null || cs.switching ? 1 : 0;
        const noise = running === 0 ? this.machine.cpu(cpu).activityNow() : null;
        return (loads[cpu] = cs.queue.length + running + (noise !== null && TASK_NOISE.has(noise) ? 1 : 0));
      },
      idle: (cpu) => {
        const { entered, choice } = this.idleEntry(cpu);
        return { exitLatency: choice.state.exitLatency, idleSince: entered };
      },
    }, this.era.idlestCpu);
  }
  private forkLevels: ReturnType<typeof forkDomains> | undefined;
  private forkLoads: Int32Array | undefined;
}
