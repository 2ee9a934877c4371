/**
 * The Linux scheduler as the model's Linux kernel (kernel.ts) drives it: CFS-like per-CPU run
 * queues with wake-up preemption, try_to_wake_up and reschedule IPIs, idle states chosen by the
 * menu governor (governor.ts) and their exit latency, wake-up placement of unpinned threads,
 * fork balancing, and sched_setaffinity with its migration (queued move or the stopper).
 * Where the kernel version changes a path (2.6.38 on the Phi, 3.19–4.4 on the x64), era.ts says
 * how. The system calls, threads, processes and synchronisation on top of it are kernel.ts's.
 */
import type { InterruptStep } from "../hardware/cpu.js";
import type { BoundCost } from "../hardware/params.js";
import { BaseKernel, type CpuSched, type StepList } from "../kernel/base.js";
import type { Thread } from "../kernel/objects.js";
import type { Gen } from "../kernel/types.js";
import { linuxEra, linuxSetting, type LinuxEra } from "./era.js";
import { forkDomains, findIdlestCpu } from "./fork-balance.js";
import { IdleHistory, chooseState, typicalInterval, type IdleState } from "./governor.js";
import { TASK_NOISE } from "./noise.js";

/** No steps (bare metal's host side of leaving hlt), shared: the IPI fast path must not allocate. */
const NO_STEPS: readonly InterruptStep[] = [];

/** Costs the hot paths draw, each looked up once (LinuxScheduler.hot). */
interface HotCosts {
  readonly schedule: BoundCost;
  readonly contextSwitch: BoundCost;
  readonly ttwu: BoundCost;
  readonly reschedHandler: BoundCost;
  readonly fpuSave: BoundCost;
  readonly fpuRestore: BoundCost;
  readonly irqEntry: BoundCost;
  readonly eoi: BoundCost;
  readonly irqExit: BoundCost;
}

/** Work queued for a CPU's migration stopper: move `child` to `target`, then complete() `waiter`. */
interface StopWork {
  readonly child: Thread;
  readonly target: number;
  readonly waiter: Thread;
}

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

export abstract class LinuxScheduler extends BaseKernel {
  /** Whether deep idle states (core C6) may be chosen; set by the kernel's options. */
  protected abstract readonly deepIdle: boolean;
  /** The idle state the governor chose for each idle CPU, with the next-timer distance it saw. */
  private readonly chosenState: ({ state: IdleState; nextTimer: number } | undefined)[] = [];
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

  // ---- scheduler ---------------------------------------------------------------------------

  protected switchSteps(cpu: number, next: Thread): StepList {
    const list: [string, number][] = [
      ["__schedule: pick_next_task_fair", this.k("sched.schedule", cpu)],
      ["context_switch (same mm: no CR3)", this.k("switch.contextSwitch", cpu)],
      ["FPU state save + restore", this.hw("fpu.save", cpu) + this.hw("fpu.restore", cpu)],
    ];
    if (next.starts === 0 && this.stoppers[cpu] !== next) list.push(["ret_from_fork: schedule_tail", this.k("clone.retFromFork", cpu)]);
    return list;
  }

  protected override switchCycles(cpu: number, next: Thread): number {
    const h = this.hot, rng = this.machine.cpu(cpu).rng;
    let cycles = h.schedule.draw(rng);
    cycles += h.contextSwitch.draw(rng);
    cycles += h.fpuSave.draw(rng) + h.fpuRestore.draw(rng);
    if (next.starts === 0 && this.stoppers[cpu] !== next) cycles += this.k("clone.retFromFork", cpu);
    return cycles;
  }

  /** The costs of the wake-up, IPI and switch paths, looked up once (drawn as this.k / this.hw of the same names). */
  private get hot(): HotCosts {
    return (this.hotCosts ??= {
      schedule: this.costs.bind("sched.schedule"), contextSwitch: this.costs.bind("switch.contextSwitch"), ttwu: this.costs.bind("sched.ttwu"),
      reschedHandler: this.costs.bind(this.era.reschedHandler.cost),
      fpuSave: this.machine.costs.bind("fpu.save"), fpuRestore: this.machine.costs.bind("fpu.restore"),
      irqEntry: this.machine.costs.bind("irq.entry"), eoi: this.machine.costs.bind("apic.eoi"), irqExit: this.machine.costs.bind("irq.exit"),
    });
  }

  private hotCosts: HotCosts | undefined;

  /**
   * select_task_rq at a wake-up: a pinned thread goes to its CPU; an unpinned one to its previous
   * CPU if that idles, else to an idle CPU sharing its last-level cache (select_idle_sibling; the
   * waker's CPU is not chosen because wake_affine finds it loaded), else stays.
   */
  protected selectWakeCpu(w: Thread): number {
    if (this.task(w).pinned || this.idleCpu(w.cpu)) return w.cpu;
    const t = this.machine.profile.topology;
    const llc = t.kind === "ring" ? t.threadsPerCore : t.cpusPerModule * t.modulesPerDie;
    const base = Math.floor(w.cpu / llc) * llc;
    for (let i = base; i < base + llc; i++) if (this.idleCpu(i)) return i;
    return w.cpu;
  }

  private idleCpu(cpu: number): boolean {
    const cs = this.sched(cpu);
    return cs.current === null && !cs.switching && cs.queue.length === 0;
  }

  /** Make-ready-or-pend of the toolkit: try_to_wake_up. */
  protected makeReady(caller: Thread, w: Thread): Gen<void> {
    return this.ttwu(caller, w);
  }

  /**
   * try_to_wake_up from a thread: enqueue on the wakee's CPU, preempt or IPI it. The futex
   * barrier's callback rounds (futex-rounds.ts) run the same parts in the same order.
   */
  protected *ttwu(caller: Thread, w: Thread): Gen<void> {
    const c = caller.cpu;
    const target = this.ttwuTarget(w);
    const list: [string, number][] = [[`try_to_wake_up ${w.name} (rq of cpu${target})`, this.ttwuCost(c, target)]];
    if (target !== c) list.push(["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]);
    yield* this.steps(caller, list);
    if (this.ttwuEnqueue(w, c, target)) this.reschedIpi(c, target, caller.lastStep);
  }

  /** ttwu, part 1: the wakee's CPU (select_task_rq if it sleeps). */
  protected ttwuTarget(w: Thread): number {
    if (w.state === "blocked") w.cpu = this.selectWakeCpu(w);
    return w.cpu;
  }

  /** ttwu, part 2: the waker's cost on `c` (taking the target's run-queue lock). */
  protected ttwuCost(c: number, target: number): number {
    return this.hot.ttwu.draw(this.machine.cpu(c).rng) + this.lineFrom(this.sched(target).rqLineOwner, c);
  }

  /** ttwu, part 3 (after its step): enqueue; false if no IPI is needed (a wake-up on the waker's own CPU). */
  protected ttwuEnqueue(w: Thread, c: number, target: number): boolean {
    this.enqueue(w, c);
    if (target !== c) return true;
    this.sched(c).needResched = true; // wake-up preemption of the waker, at its next preemption point
    return false;
  }

  protected enqueue(w: Thread, from: number): void {
    const cs = this.sched(w.cpu);
    cs.rqLineOwner = from;
    this.readyOrPend(w, cs);
  }

  /** Reschedule IPI: the target leaves its idle state, runs scheduler_ipi, then schedules. */
  protected reschedIpi(from: number, to: number, sendStep: number): void {
    if (this.machine.recorder === null) {
      // Nothing recorded: the same draws, reservation and events as deliverIpi below, without
      // building step lists (per target, one arrival and one end callback, made once).
      this.sim.callAt(this.machine.ipiLatency(from, to), (this.ipiArrivals[to] ??= () => this.reschedArrives(to)), to);
      return;
    }
    this.machine.deliverIpi(from, to, "reschedule", () => [
      ...this.idleExit(to),
      ...this.irqSteps(to, "reschedule", () => [{ step: this.era.reschedHandler.step, cycles: this.k(this.era.reschedHandler.cost, to) }], () => [this.irqExit(to)]),
    ], (_end, last) => this.afterInterrupt(to, last), sendStep);
  }

  /** A reschedule IPI reaches `to` (no recorder): idle exit, IRQ entry, handler, EOI, exit, as reschedIpi's step list draws them. */
  private reschedArrives(to: number): void {
    const h = this.hot, rng = this.machine.cpu(to).rng;
    let cycles = this.idleExitCycles(to, null);
    cycles += h.irqEntry.draw(rng);
    cycles += h.reschedHandler.draw(rng);
    cycles += h.eoi.draw(rng);
    cycles += h.irqExit.draw(rng);
    this.machine.cpu(to).interruptCycles("IPI reschedule", cycles, (this.ipiEnds[to] ??= () => this.afterInterrupt(to, -1)));
  }

  private readonly ipiArrivals: (() => void)[] = [];
  private readonly ipiEnds: (() => void)[] = [];

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
  private govern(cpu: number, at: number): { state: IdleState; nextTimer: number } {
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
  private idleEntry(cpu: number): { entered: number; choice: { state: IdleState; nextTimer: number } } {
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
  private idleExitCycles(cpu: number, steps: InterruptStep[] | null): number {
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

  // ---- affinity and migration ---------------------------------------------------------------

  /** sched_setaffinity(child): move it if it is queued elsewhere, stop-migrate it if it runs. */
  protected *setAffinity(t: Thread, child: Thread, target: number): Gen<void> {
    const c = t.cpu;
    yield* this.steps(t, [["syscall entry (sched_setaffinity)", this.k("syscall.entry", c)], ["sched_setaffinity: cpumask, __set_cpus_allowed_ptr", this.k("sched.setaffinity", c)]]);
    const from = child.cpu;
    if (from !== target && (child.state === "ready" || child.state === "running") && this.era.stopperMovesQueued) {
      yield* this.stopOneCpu(t, child, target);
    } else if (from !== target && child.state === "ready") {
      this.dequeue(child);
      yield* this.steps(t, [[`move_queued_task cpu${from}→cpu${target}`, this.k("sched.moveQueuedTask", c) + this.lineFrom(this.sched(from).rqLineOwner, c) + this.lineFrom(this.sched(target).rqLineOwner, c)]]);
      yield* this.activateOn(t, child, target);
    } else if (from !== target && child.state === "running") {
      // Running elsewhere: the migration stopper on its CPU moves it; we wait for completion.
      this.task(child).migrateTo = target;
      this.task(child).migrationWaiter = t;
      yield* this.steps(t, [["stop_one_cpu: queue stopper work, write ICR", this.hw("apic.icrWrite", c)]]);
      yield* this.block(t);
    } else child.cpu = target; // sleeping or new: the next wake-up goes to the new CPU
    yield* this.steps(t, [["syscall exit (sched_setaffinity)", this.k("syscall.exit", c)]]);
  }

  /**
   * 2.6.38 set_cpus_allowed_ptr for a queued or running task: stop_one_cpu(cpu_of(rq),
   * migration_cpu_stop): queue the work, wake the CPU's stopper thread (try_to_wake_up: it
   * preempts whatever runs there), wait_for_completion.
   */
  private *stopOneCpu(t: Thread, child: Thread, target: number): Gen<void> {
    const from = child.cpu;
    (this.stopWork[from] ??= []).push({ child, target, waiter: t });
    yield* this.ttwu(t, this.stopperOf(from));
    yield* this.block(t);
  }

  /** migration/N: a kernel thread of the stop class, created on first use, run before any other queued thread (pickNext). */
  private stopperOf(cpu: number): Thread {
    return (this.stoppers[cpu] ??= this.spawn({ name: `migration/${cpu}`, cpu, body: (me) => this.stopperMain(me as Thread) }, { daemon: true }));
  }

  private readonly stoppers: (Thread | undefined)[] = [];
  private readonly stopWork: StopWork[][] = [];

  private *stopperMain(me: Thread): Gen<unknown> {
    for (;;) {
      const work = this.stopWork[me.cpu]!;
      while (work.length > 0) yield* this.migrationCpuStop(me, work.shift()!);
      yield* this.block(me);
    }
  }

  /** Takes queued `child` off its CPU's run queue (deactivate_task). */
  private dequeue(child: Thread): void {
    const q = this.sched(child.cpu).queue;
    q.splice(q.indexOf(child), 1);
  }

  /** The rest of a queued task's move, by `mover`: set_task_cpu, activate it on `target`, and the reschedule IPI there. */
  private *activateOn(mover: Thread, child: Thread, target: number): Gen<void> {
    const c = mover.cpu;
    child.state = "blocked";
    child.cpu = target;
    this.enqueue(child, c);
    yield* this.steps(mover, [["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]]);
    this.reschedIpi(c, target, mover.lastStep);
  }

  /** 2.6.38 migration_cpu_stop → __migrate_task, then cpu_stop_signal_done → complete(). */
  private *migrationCpuStop(me: Thread, { child, target, waiter }: StopWork): Gen<void> {
    const c = me.cpu;
    yield* this.steps(me, [["migration stopper: migration_cpu_stop, __migrate_task (double_rq_lock)", this.k("sched.migrationStop", c) + this.lineFrom(this.sched(target).rqLineOwner, c)]]);
    if (child.cpu === c && child.state === "ready") {
      // p->se.on_rq (queued, or preempted by this stopper): deactivate, set_task_cpu, activate, check_preempt_curr.
      this.dequeue(child);
      yield* this.activateOn(me, child, target);
    } else if (child.state === "blocked") child.cpu = target; // off the run queue: the next wake-up places it within the new mask
    yield* this.ttwu(me, waiter);
  }

  /** The stop class runs before the fair class: a queued stopper is picked first. */
  protected override pickNext(cs: CpuSched, cpu: number): Thread | undefined {
    const stopper = this.stoppers[cpu];
    if (stopper !== undefined && stopper.state === "ready") {
      const i = cs.queue.indexOf(stopper);
      if (i >= 0) return cs.queue.splice(i, 1)[0];
    }
    return cs.queue.shift();
  }

  protected override get hasPreemptionHook(): boolean {
    return true;
  }

  protected override atPreemptionPoint(t: Thread): Gen<void> | null {
    return this.task(t).migrateTo !== null ? this.migrateSelf(t) : null;
  }

  /** Whether preemptionPoint(t) would act now (migrate, reschedule or clear a pending reschedule). */
  protected preemptionPending(t: Thread): boolean {
    return t.locksHeld === 0 && (this.task(t).migrateTo !== null || this.sched(t.cpu).needResched);
  }

  /** The stopper preempts `t` on its CPU, moves it to the new CPU and completes the waiter. */
  private *migrateSelf(t: Thread): Gen<void> {
    const state = this.task(t);
    const target = state.migrateTo!;
    const waiter = state.migrationWaiter!;
    state.migrateTo = null;
    state.migrationWaiter = null;
    const from = t.cpu;
    const ev = this.offCpu(t, "blocked", false);
    // The stopper is the highest-priority kernel thread: nothing else runs on `from` meanwhile.
    const stop = [{ step: "migration stopper: migration_cpu_stop", cycles: this.k("sched.migrationStop", from) }];
    let last = -1;
    last = this.machine.cpu(from).interrupt("migration stopper", stop, () => {
      t.cpu = target;
      this.enqueue(t, from);
      this.reschedIpi(from, target, last);
      // complete(): wake the thread waiting in sched_setaffinity.
      this.enqueue(waiter, from);
      if (waiter.cpu !== from) this.reschedIpi(from, waiter.cpu, last);
      else this.afterInterrupt(from, last);
    }, t.lastStep).lastStep;
    yield ev;
  }
}
