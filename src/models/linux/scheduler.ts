/**
 * The Linux scheduler as the model's Linux kernel (kernel.ts) drives it: CFS-like per-CPU run
 * queues with wake-up preemption, try_to_wake_up and reschedule IPIs, wake-up placement of
 * unpinned threads, and sched_setaffinity with its migration (queued move or the stopper).
 * Idle states, timers and fork balancing are idle.ts's. Where the kernel version changes a
 * path (2.6.38 on the Phi, 3.19–4.4 on the x64), era.ts says how. The system calls, threads,
 * processes and synchronisation on top of it are kernel.ts's.
 */
import type { BoundCost } from "../hardware/params.js";
import type { CpuSched, StepList } from "../kernel/base.js";
import type { Thread } from "../kernel/objects.js";
import type { Gen } from "../kernel/types.js";
import { LinuxIdle } from "./idle.js";

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

export abstract class LinuxScheduler extends LinuxIdle {
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
