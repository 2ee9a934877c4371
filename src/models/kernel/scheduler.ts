/**
 * The scheduling core both kernels share: per-CPU run queues and dispatch, thread processes,
 * work steps (with breakdown recording) and preemption points. BaseKernel (base.ts) adds shared
 * memory, spinlocks, barriers and time; the kernels add their own costs and step sequences.
 */
import type { SimEvent, Simulation } from "../../engine/index.js";
import type { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import { Thread, type Spinner } from "./objects.js";
import type { Gen, ThreadRef, ThreadSpec } from "./types.js";

export type StepList = ReadonlyArray<readonly [string, number]>;

/** Scheduler state of one CPU. */
export interface CpuSched {
  current: Thread | null;
  readonly queue: Thread[];
  /** Set by an interrupt that made a thread ready; honoured at the next preemption point. */
  needResched: boolean;
  spinner: Spinner | null;
  /** A context switch is being executed (the CPU is between threads). */
  switching: boolean;
  idleSince: number;
  /** CPU whose cache owns this run queue's lock word. */
  rqLineOwner: number;
}

export abstract class SchedulerCore {
  readonly sim: Simulation;
  /** The threads the workload created (kernel daemons, e.g. Linux's migration stoppers, are not listed). */
  readonly threads: Thread[] = [];
  /** Test hook: called whenever a CPU switches to a thread (or to idle: null). */
  onDispatch: ((cpu: number, t: Thread | null) => void) | null = null;
  private readonly scheds: CpuSched[] = [];

  constructor(
    readonly machine: Machine,
    readonly costs: CostTable,
  ) {
    this.sim = machine.sim;
  }

  // ---- costs -------------------------------------------------------------------------------

  /** A kernel cost drawn on `cpu`'s stream. */
  protected k(name: string, cpu: number): number {
    return this.costs.draw(name, this.machine.cpu(cpu).rng);
  }

  /** A hardware cost drawn on `cpu`'s stream. */
  protected hw(name: string, cpu: number): number {
    return this.machine.draw(name, cpu);
  }

  /** Taking a lock word or queue whose line another CPU owns costs a line transfer. */
  protected lineFrom(owner: number, cpu: number): number {
    return owner < 0 || owner === cpu ? 0 : this.machine.lineTransfer(owner, cpu);
  }

  sched(cpu: number): CpuSched {
    let s = this.scheds[cpu];
    if (s === undefined) {
      this.machine.cpu(cpu); // validates the index
      s = { current: null, queue: [], needResched: false, spinner: null, switching: false, idleSince: 0, rqLineOwner: cpu };
      this.scheds[cpu] = s;
    }
    return s;
  }

  // ---- work --------------------------------------------------------------------------------

  /**
   * Runs `list` callback-style on `cpu` as preemptible work; one segment when not recording,
   * one per step when recording (same completion time: filling is additive).
   */
  protected runSteps(cpu: number, list: StepList, prevStep: number, done: (lastStep: number) => void): void {
    const c = this.machine.cpu(cpu);
    const rec = this.machine.recorder;
    if (rec === null) {
      let sum = 0;
      for (const s of list) sum += s[1];
      if (sum <= 0) done(prevStep);
      else c.exec(sum, list[0]![0], () => done(prevStep));
      return;
    }
    let i = 0;
    let last = prevStep;
    const next = (): void => {
      while (i < list.length && list[i]![1] <= 0) i++;
      if (i >= list.length) return done(last);
      const [name, cycles] = list[i++]!;
      const start = this.sim.now;
      c.exec(cycles, name, () => {
        const stolen = this.sim.now - start - cycles;
        const note = stolen > 0 ? `incl. ${stolen} cycles taken by ${c.reservationsIn(start, this.sim.now).join(", ")}` : undefined;
        last = rec.record(cpu, name, start, this.sim.now, last, stolen, note);
        next();
      });
    };
    next();
  }

  /** The calling thread executes `list` on its CPU, then passes a preemption point. */
  protected *steps(t: Thread, list: StepList): Gen<void> {
    this.assertCurrent(t);
    const ev = this.sim.event<number>("steps");
    this.runSteps(t.cpu, list, t.lastStep, (last) => ev.succeed(last));
    t.lastStep = yield ev;
    if (this.preemptionDue(t)) yield* this.preemptionPoint(t);
  }

  /** The calling thread executes one step (no step list to build: the hot path of compute and spin). */
  protected *step(t: Thread, name: string, cycles: number): Gen<void> {
    this.assertCurrent(t);
    if (this.machine.recorder !== null || cycles <= 0) return yield* this.steps(t, [[name, cycles]]);
    const ev = this.sim.event<number>("steps");
    const prev = t.lastStep;
    this.machine.cpu(t.cpu).exec(cycles, name, () => ev.succeed(prev));
    t.lastStep = yield ev;
    if (this.preemptionDue(t)) yield* this.preemptionPoint(t);
  }

  /** Whether preemptionPoint could do anything (saves entering it after every step). */
  protected preemptionDue(t: Thread): boolean {
    return t.locksHeld === 0 && (this.hasPreemptionHook || this.sched(t.cpu).needResched);
  }

  /** Kernels overriding atPreemptionPoint set this, so that steps enter preemptionPoint. */
  protected get hasPreemptionHook(): boolean {
    return false;
  }

  /** Where a pending reschedule takes effect (not while the thread holds a spinlock). */
  protected *preemptionPoint(t: Thread): Gen<void> {
    if (t.locksHeld > 0) return;
    const hook = this.atPreemptionPoint(t);
    if (hook !== null) yield* hook;
    const cs = this.sched(t.cpu);
    if (cs.needResched) {
      cs.needResched = false;
      if (cs.queue.length > 0) yield this.offCpu(t, "ready", true);
    }
  }

  /** Kernel hook run when `cpu` goes idle (e.g. Linux's cpuidle governor choosing a state). */
  protected onIdle(_cpu: number): void {}

  /** Kernel hook run at every preemption point (e.g. Linux migrating a running thread). */
  protected atPreemptionPoint(_t: Thread): Gen<void> | null {
    return null;
  }

  protected assertCurrent(t: Thread): void {
    const cur = this.sched(t.cpu).current;
    if (cur !== t) throw new Error(`${t.name} ran on cpu${t.cpu} while ${cur === null ? "no thread" : cur.name} owned it`);
  }

  // ---- threads and dispatch ----------------------------------------------------------------

  /**
   * Creates a thread and its process; it runs its body once first dispatched. A daemon (a kernel
   * thread looping forever) is no deadlock when it waits at the end, and is not one of `threads`.
   */
  protected spawn(spec: ThreadSpec, options: { readonly daemon?: boolean } = {}): Thread {
    const t = new Thread(options.daemon === true ? -1 : this.threads.length, spec.name, spec.cpu, spec.body, this.sim.event<number>(`${spec.name} exited`));
    this.sched(spec.cpu);
    if (options.daemon !== true) this.threads.push(t);
    t.wake = this.sim.event(`${t.name} first dispatch`);
    this.sim.process(t.name, this.threadMain(t), options);
    return t;
  }

  private *threadMain(t: Thread): Gen<void> {
    yield t.wake!;
    t.starts++;
    yield* t.body(t);
    yield* this.exitSteps(t);
    const cs = this.sched(t.cpu);
    this.assertCurrent(t);
    t.state = "exited";
    cs.current = null;
    t.exited.succeed(this.sim.now);
    this.reschedule(t.cpu, t.lastStep);
  }

  boot(spec: ThreadSpec): ThreadRef {
    const t = this.spawn(spec);
    const cs = this.sched(spec.cpu);
    if (cs.current !== null) throw new Error(`boot: cpu${spec.cpu} already runs ${cs.current.name}`);
    cs.current = t;
    t.state = "running";
    this.machine.cpu(spec.cpu).setBusy(true);
    this.onDispatch?.(spec.cpu, t);
    t.wake!.succeed();
    return t;
  }

  /** Takes the calling thread off its CPU; returns the event that resumes it. */
  protected offCpu(t: Thread, state: "ready" | "blocked", requeue: boolean): SimEvent<void> {
    return this.leaveCpu(t, state, requeue, true)!;
  }

  /** offCpu; without `withEvent` no wake event is made (its id is still taken, so later events are numbered alike). */
  private leaveCpu(t: Thread, state: "ready" | "blocked", requeue: boolean, withEvent: boolean): SimEvent<void> | null {
    this.assertCurrent(t);
    const cs = this.sched(t.cpu);
    t.state = state;
    cs.current = null;
    let ev: SimEvent<void> | null = null;
    if (withEvent) ev = this.sim.event(t.wakeEventName);
    else this.sim.newId();
    t.wake = ev;
    if (requeue) cs.queue.push(t);
    this.reschedule(t.cpu, t.lastStep);
    return ev;
  }

  /**
   * Make-ready-or-pend: a blocked (or new) thread joins `cs`'s run queue; one that has not
   * blocked yet keeps the wake-up pending, so its coming block returns at once (no lost wake-up).
   */
  protected readyOrPend(w: Thread, cs: CpuSched): void {
    if (w.state === "blocked" || w.state === "new") {
      w.state = "ready";
      cs.queue.push(w);
    } else w.wakePending = true;
  }

  /** Blocks the calling thread until a wake-up dispatches it again. */
  protected *block(t: Thread): Gen<void> {
    const ev = this.blockNow(t);
    if (ev !== null) yield ev;
  }

  /** block's action: null if a wake-up was pending (go on), else the event that resumes it. */
  protected blockNow(t: Thread): SimEvent<void> | null {
    return this.takePendingWake(t) ? null : this.offCpu(t, "blocked", false);
  }

  /** Whether a wake-up was pending (no lost wake-up: the coming block returns at once); clears it. */
  private takePendingWake(t: Thread): boolean {
    if (!t.wakePending) return false;
    t.wakePending = false;
    return true;
  }

  /**
   * blockNow for callback-style rounds: false if a wake-up was pending (go on now); else the
   * thread leaves its CPU and `resume` runs when it is dispatched again (no wake event is made).
   */
  protected blockThen(t: Thread, resume: () => void): boolean {
    if (this.takePendingWake(t)) return false;
    this.leaveCpu(t, "blocked", false, false);
    t.dispatched = resume;
    return true;
  }

  /** Policy: which ready thread runs next (FIFO by default). */
  protected pickNext(cs: CpuSched, _cpu: number): Thread | undefined {
    return cs.queue.shift();
  }

  /** If `cpu` has no current thread, switches to the next ready one (or goes idle). */
  reschedule(cpu: number, prevStep: number): void {
    const cs = this.sched(cpu);
    if (cs.current !== null || cs.switching) return;
    const c = this.machine.cpu(cpu);
    const next = this.pickNext(cs, cpu);
    if (next === undefined) {
      c.setBusy(false);
      cs.idleSince = this.sim.now;
      this.onDispatch?.(cpu, null);
      this.onIdle(cpu);
      return;
    }
    cs.current = next;
    cs.switching = true;
    next.state = "running";
    c.setBusy(true);
    this.onDispatch?.(cpu, next);
    if (this.machine.recorder === null) {
      // runSteps without a recorder, with no step list built and one completion callback per CPU.
      const cycles = this.switchCycles(cpu, next);
      this.switchPrevStep[cpu] = prevStep;
      // The switch's thread is cs.current: nothing replaces it before it runs (leaving needs assertCurrent).
      const done = (this.switchEnds[cpu] ??= () => this.switchedIn(cpu, cs.current!, this.switchPrevStep[cpu]!));
      if (cycles <= 0) done();
      else c.exec(cycles, "context switch", done);
      return;
    }
    this.runSteps(cpu, this.switchSteps(cpu, next), prevStep, (last) => this.switchedIn(cpu, next, last));
  }

  /** The context switch to `next` on `cpu` is done: it runs (its process, or its callbacks, go on). */
  private switchedIn(cpu: number, next: Thread, last: number): void {
    this.sched(cpu).switching = false;
    next.lastStep = last;
    const resume = next.dispatched;
    if (resume === null) next.wake!.succeed();
    else {
      next.dispatched = null;
      resume();
    }
  }

  private readonly switchPrevStep: number[] = [];
  private readonly switchEnds: (() => void)[] = [];

  /** The cycles of switchSteps(cpu, next), drawn in the same order (kernels may sum without building the list). */
  protected switchCycles(cpu: number, next: Thread): number {
    let sum = 0;
    for (const s of this.switchSteps(cpu, next)) sum += s[1];
    return sum;
  }

  /** Preempts a thread spinning on `cpu` if others are ready (interrupt-return reschedule). */
  protected preemptSpinner(cpu: number): boolean {
    const cs = this.sched(cpu);
    const sp = cs.spinner;
    if (sp === null || cs.queue.length === 0 || cs.current !== sp.thread || sp.thread.locksHeld > 0) return false;
    sp.cancel();
    cs.spinner = null;
    this.offCpu(sp.thread, "ready", true);
    sp.wake("preempted");
    return true;
  }

  /** At interrupt return: switch if the CPU idles, else mark for the next preemption point. */
  protected afterInterrupt(cpu: number, lastStep: number): void {
    const cs = this.sched(cpu);
    if (cs.queue.length === 0) return;
    cs.rqLineOwner = cpu;
    if (cs.current === null) this.reschedule(cpu, lastStep);
    else if (!this.preemptSpinner(cpu)) cs.needResched = true;
  }

  /** The exiting thread takes its joiners; from now on joiners must not block. */
  protected takeJoiners(t: Thread): Thread[] {
    t.exitSignalled = true;
    return t.joiners.splice(0);
  }

  /** Steps of a context switch on `cpu` to `next` (kernel-specific). */
  protected abstract switchSteps(cpu: number, next: Thread): StepList;
  /** What a thread executes after its body returns, including waking joiners. */
  protected abstract exitSteps(t: Thread): Gen<void>;
}
