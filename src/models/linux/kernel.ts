/**
 * Linux (with glibc/NPTL) as the authors' user-space harness exercises it (linux.md): system
 * call entry/exit, glibc's stack cache and mmap, clone/copy_process, fork, exit and join,
 * sched_yield and nanosleep, futexes (sync.ts), exec and wait (process.ts) and noise (noise.ts),
 * on the scheduler of scheduler.ts (CFS-like per-CPU run queues with wake-up preemption,
 * reschedule IPIs, the affinity call with migration) and idle.ts (idle-state exit latency,
 * timers, fork placement).
 */
import x64Data from "./data/x64.json" with { type: "json" };
import phiData from "./data/phi.json" with { type: "json" };
import pathCounts from "./data/path-counts.json" with { type: "json" };
// [host] calibrated from the host measurements (models/host, `hrtsim calibrate`).
import hostData from "../host/data/measurements/calibration/linux.json" with { type: "json" };
import type { Machine } from "../hardware/machine.js";
import type { StepList } from "../kernel/base.js";
import { kernelCosts, kernelData } from "../kernel/costs.js";
import { linuxSetting } from "./era.js";
import type { ParameterFile } from "../hardware/params.js";
import { Thread } from "../kernel/objects.js";
import { LEFT, type HandBack } from "../kernel/callback-rounds.js";
import type { BarrierRef, BarrierRounds, CondVarRef, Gen, MutexRef, ThreadRef, ThreadSpec } from "../kernel/types.js";
import { FutexRounds, type FutexCosts, type FutexRoundOps } from "./futex-rounds.js";
import { LINUX_NOISE_PARAMETERS, TickGrid, linuxNoise } from "./noise.js";
import { PROCESS_PARAMETERS, execProgram, waitProcess } from "./process.js";
import { LinuxScheduler } from "./scheduler.js";
import {
  FutexMutex, GlibcCondVar, PthreadBarrier, barrierWait, condBroadcast, condSignal, condWait, futexLock, futexUnlock, type LinuxOps,
} from "./sync.js";

export const LINUX_PARAMETERS = [
  "syscall.entry", "syscall.exit", "pagefault", "glibc.stackCacheHit", "glibc.mmapStack", "glibc.mprotectGuard",
  "glibc.firstTouchPages", "glibc.threadSetup", "glibc.startThread", "glibc.threadExit", "glibc.join",
  "glibc.stackCacheSlots", "glibc.condBookkeeping", "clone.copyProcess", "clone.wakeUpNewTask", "clone.retFromFork",
  "robustList.body", "sched.setaffinity", "sched.moveQueuedTask", "sched.migrationStop", "sched.ttwu",
  "sched.ipiHandler", "sched.schedule", "switch.contextSwitch", "sched.yieldTask", "futex.waitBody",
  "futex.waitReturn", "futex.wakeBody", "futex.requeueBody", "futex.requeuePerWaiter", "exit.doExit",
  "nanosleep.setup", "nanosleep.timerSlack", "timer.handler", "fork.copyMm", ...PROCESS_PARAMETERS,
  "config.governor", "config.c6", "idle.c1.residency", "idle.c6.residency", "idle.nextTimerHorizon", ...LINUX_NOISE_PARAMETERS,
] as const;

export interface LinuxOptions {
  /** Background noise beyond the tick (kernel threads, daemons, device IRQs); default true. */
  readonly noise?: boolean;
  /** Allow deep idle states (core C6); default: the data file's config.c6. */
  readonly deepIdle?: boolean;
  /** [host] A complete parameter file to use instead of linuxData(machine) (calibration, models/host). */
  readonly parameters?: ParameterFile;
}

const LINUX_FILES = { x64: x64Data, phi: phiData, host: hostData };
/** The built-in machines Linux has a parameter file for. */
export const LINUX_MACHINES = Object.keys(LINUX_FILES) as readonly string[];

/** The complete parameter file for `machine` (the Phi's is derived from x64's and the path counts, see kernel/derive.ts). */
export function linuxData(machine: string): ParameterFile {
  return kernelData("linux", machine, LINUX_FILES, pathCounts);
}

export class LinuxKernel extends LinuxScheduler {
  readonly name = "linux" as const;
  /** No IPIs or Nemo events from user space. */
  readonly events = undefined;
  /** glibc's cache of stacks of joined threads (count of free cached stacks). */
  private stackCache = 0;
  protected readonly deepIdle: boolean;

  constructor(machine: Machine, options: LinuxOptions = {}) {
    super(machine, kernelCosts("linux", machine, options.parameters ?? linuxData(machine.name), LINUX_PARAMETERS));
    const noise = options.noise ?? true;
    this.deepIdle = options.deepIdle ?? this.costs.setting("config.c6") > 0;
    this.tickGrid = new TickGrid(machine, this.costs);
    machine.attachNoise((cpu, m) => linuxNoise(cpu, m, this.costs, noise, this.tickGrid));
  }

  /** The jiffy grid of every CPU's tick (the noise's ticks and highres=off timer expiries). */
  private readonly tickGrid: TickGrid;

  get configuration(): Readonly<Record<string, number>> {
    const s = (n: string) => this.costs.setting(n);
    return { governor: s("config.governor"), c6: +this.deepIdle, hz: s("config.hz"), nohz: s("config.nohz"), linux2638: linuxSetting(this.costs, "config.linux2638"), highres: linuxSetting(this.costs, "config.highres") };
  }

  /** Operations the futex/condvar code (sync.ts) uses: the toolkit's, with makeReady = try_to_wake_up. */
  readonly ops: LinuxOps = { ...this.kernelOps(), setting: (name) => this.costs.setting(name) };

  // ---- system calls ------------------------------------------------------------------------

  /** A system call: entry, body steps, exit. */
  protected *sys(t: Thread, name: string, body: StepList): Gen<void> {
    yield* this.steps(t, [[`syscall entry (${name})`, this.k("syscall.entry", t.cpu)], ...body, [`syscall exit (${name})`, this.k("syscall.exit", t.cpu)]]);
  }

  *syscall(self: ThreadRef, name: string, body: number): Gen<void> {
    yield* this.sys(self as Thread, name, [[name, body]]);
  }

  // ---- threads -----------------------------------------------------------------------------

  override boot(spec: ThreadSpec): ThreadRef {
    const t = super.boot(spec) as Thread;
    this.task(t).pinned = spec.pinned ?? true;
    return t;
  }

  /**
   * pthread_create as benchmark.c calls it (spec.affinity): with a CPU-affinity attribute, glibc
   * starts the child "stopped" (it waits on pd->lock) and sets its affinity before releasing it;
   * with NULL attributes the child starts at once where fork balancing put it, and the caller's
   * pthread_setaffinity_np then migrates it (the stopper if it runs; the caller sleeps meanwhile).
   */
  *threadCreate(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef> {
    const t = self as Thread;
    const c = t.cpu;
    const stopped = (spec.affinity ?? "attribute") === "attribute";
    if (this.stackCache > 0) {
      this.stackCache--;
      yield* this.steps(t, [["glibc: stack from the stack cache", this.k("glibc.stackCacheHit", c)]]);
    } else {
      yield* this.sys(t, "mmap stack", [["mmap: new VMA", this.k("glibc.mmapStack", c)]]);
      yield* this.sys(t, "mprotect guard", [["mprotect: split VMA for guard page", this.k("glibc.mprotectGuard", c)]]);
      const pages = this.costs.setting("glibc.firstTouchPages");
      yield* this.steps(t, [[`page faults: first touch of descriptor/TLS (${pages})`, pages * this.k("pagefault", c)]]);
    }
    yield* this.steps(t, [
      ["glibc: thread descriptor + TLS setup", this.k("glibc.threadSetup", c)],
      ...(stopped ? [["lll_lock(pd->lock) for stopped start", this.hw("atomic", c)] as const] : []),
    ]);
    let startLock: FutexMutex | null = null;
    if (stopped) {
      startLock = new FutexMutex(`${spec.name}.pd->lock`);
      startLock.word = 1;
      startLock.lineOwner = c;
    }
    const placed = this.placeNewTask(t);
    const child = this.spawn({ ...spec, cpu: placed, body: (me) => this.childStart(me as Thread, spec, startLock) });
    yield* this.steps(t, [
      ["syscall entry (clone)", this.k("syscall.entry", c)],
      ["copy_process", this.k("clone.copyProcess", c)],
      [`wake_up_new_task → cpu${placed}`, this.k("clone.wakeUpNewTask", c) + this.lineFrom(this.sched(placed).rqLineOwner, c)],
    ]);
    this.enqueue(child, c);
    if (placed !== c) {
      yield* this.steps(t, [["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]]);
      this.reschedIpi(c, placed, t.lastStep);
    }
    yield* this.steps(t, [["syscall exit (clone)", this.k("syscall.exit", c)]]);
    // Stopped start: glibc's sched_setaffinity inside pthread_create; else the harness's
    // pthread_setaffinity_np right after it returns. Either way the same system call.
    yield* this.setAffinity(t, child, spec.cpu);
    if (startLock !== null) yield* futexUnlock(this.ops, t, startLock, "lll_unlock(pd->lock)");
    return child;
  }

  /** The child's side of pthread_create up to the user's function. */
  private *childStart(me: Thread, spec: ThreadSpec, startLock: FutexMutex | null): Gen<unknown> {
    yield* this.steps(me, [
      ["return to user (clone)", this.k("syscall.exit", me.cpu)],
      ["glibc start_thread prologue", this.k("glibc.startThread", me.cpu)],
    ]);
    yield* this.sys(me, "set_robust_list", [["set_robust_list", this.k("robustList.body", me.cpu)]]);
    if (startLock !== null) {
      yield* futexLock(this.ops, me, startLock, "normal", "lll_lock(pd->lock): wait for the creator");
      yield* futexUnlock(this.ops, me, startLock, "lll_unlock(pd->lock)");
    }
    return yield* spec.body(me);
  }

  protected *exitSteps(t: Thread): Gen<void> {
    const c = t.cpu;
    const process = this.task(t).process;
    if (process) {
      // exit_group of a process: do_exit plus the address space and files (the parent reaps it).
      yield* this.steps(t, [["syscall entry (exit_group)", this.k("syscall.entry", c)], ["do_exit", this.k("exit.doExit", c)], ["exit_mmap, files, signal the parent", this.k("proc.exit", c)]]);
    } else {
      yield* this.steps(t, [["glibc: thread exit (TLS destructors, freeres)", this.k("glibc.threadExit", c)]]);
      yield* this.steps(t, [["syscall entry (exit)", this.k("syscall.entry", c)], ["do_exit", this.k("exit.doExit", c)]]);
    }
    for (const j of this.takeJoiners(t)) {
      yield* this.steps(t, [[process ? "wake the parent in wait4" : "futex wake (clear_child_tid)", this.k("futex.wakeBody", c)]]);
      yield* this.ttwu(t, j);
    }
  }

  *threadJoin(self: ThreadRef, target: ThreadRef): Gen<void> {
    const t = self as Thread;
    const other = target as Thread;
    const c = t.cpu;
    if (!other.exitSignalled) {
      yield* this.steps(t, [["syscall entry (futex wait on tid)", this.k("syscall.entry", c)], ["futex_wait: compare tid", this.k("futex.waitBody", c)]]);
      // The kernel compares the tid word: if clear_child_tid already ran, do not sleep.
      if (!other.exitSignalled) {
        other.joiners.push(t);
        yield* this.block(t);
        yield* this.steps(t, [["futex_wait return", this.k("futex.waitReturn", c)]]);
      }
      yield* this.steps(t, [["syscall exit", this.k("syscall.exit", c)]]);
    }
    yield* this.steps(t, [["glibc: pthread_join, stack to cache", this.k("glibc.join", c)]]);
    this.stackCache = Math.min(this.stackCache + 1, this.costs.setting("glibc.stackCacheSlots"));
  }

  *yield(self: ThreadRef): Gen<void> {
    const t = self as Thread;
    const c = t.cpu;
    yield* this.steps(t, [["syscall entry (sched_yield)", this.k("syscall.entry", c)], ["yield_task_fair", this.k("sched.yieldTask", c)]]);
    if (this.sched(c).queue.length > 0) yield this.offCpu(t, "ready", true);
    else yield* this.steps(t, [["__schedule: picks the same task", this.k("sched.schedule", c)]]);
    yield* this.steps(t, [["syscall exit (sched_yield)", this.k("syscall.exit", c)]]);
  }

  /** fork(): a new process (copy of the address space), placed by fork balancing on spec.cpu. */
  *fork(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef> {
    const t = self as Thread;
    const c = t.cpu;
    const child = this.spawn({ ...spec, body: (me) => this.forkChild(me as Thread, spec) });
    this.task(child).process = true;
    yield* this.steps(t, [
      ["syscall entry (fork)", this.k("syscall.entry", c)],
      ["copy_process", this.k("clone.copyProcess", c)],
      ["copy_mm: page tables, COW", this.k("fork.copyMm", c)],
      ["wake_up_new_task", this.k("clone.wakeUpNewTask", c)],
    ]);
    this.enqueue(child, c);
    if (child.cpu !== c) {
      yield* this.steps(t, [["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]]);
      this.reschedIpi(c, child.cpu, t.lastStep);
    }
    yield* this.steps(t, [["syscall exit (fork)", this.k("syscall.exit", c)]]);
    return child;
  }

  private *forkChild(me: Thread, spec: ThreadSpec): Gen<unknown> {
    yield* this.steps(me, [["return to user (fork child)", this.k("syscall.exit", me.cpu)]]);
    return yield* spec.body(me);
  }

  /** execve of a small program and its start-up up to main() (process.ts). */
  execProgram(self: ThreadRef): Gen<void> {
    return execProgram(this.ops, self as Thread);
  }

  /** wait4 for a forked child process (process.ts). */
  waitProcess(self: ThreadRef, child: ThreadRef): Gen<void> {
    return waitProcess(this.ops, self as Thread, child as Thread);
  }

  /**
   * nanosleep (usleep): block; the hrtimer interrupt wakes the thread on its CPU. The timer is
   * armed with the thread's slack and, on a CPU with nothing else to do, fires at its hard
   * expiry: the deadline plus the slack; with high-resolution timers off (config.highres 0),
   * at the first tick from then on (timerExpiry).
   */
  *sleep(self: ThreadRef, cycles: number): Gen<void> {
    const t = self as Thread;
    const c = t.cpu;
    yield* this.steps(t, [["syscall entry (nanosleep)", this.k("syscall.entry", c)], ["hrtimer_start", this.k("nanosleep.setup", c)]]);
    const expiry = this.timerExpiry(this.sim.now + cycles + this.k("nanosleep.timerSlack", c));
    this.armTimer(c, expiry);
    this.sim.schedule(expiry - this.sim.now, () => {
      this.disarmTimer(c, expiry);
      this.machine.cpu(t.cpu).interrupt("timer", [
        ...this.idleExit(t.cpu),
        ...this.irqSteps(t.cpu, "timer", () => [{ step: "hrtimer handler: wake sleeper", cycles: this.k("timer.handler", t.cpu) + this.k("sched.ttwu", t.cpu) }], () => [this.irqExit(t.cpu)]),
      ], () => { this.enqueue(t, t.cpu); this.afterInterrupt(t.cpu, -1); });
    }, undefined, c);
    yield* this.block(t);
    yield* this.steps(t, [["syscall exit (nanosleep)", this.k("syscall.exit", t.cpu)]]);
  }

  /**
   * When an hrtimer expiring at `at` fires. With highres=off (config.highres 0; the MPSS uOS's
   * command line) hrtimers are run from the tick (2.6.38 hrtimer_run_queues, from
   * run_local_timers), and an idle tickless CPU programs its next tick for the jiffy of its
   * next timer (tick_nohz_stop_sched_tick, get_next_timer_interrupt rounding the hrtimer up):
   * the first tick at or after `at`, on the jiffy grid the noise's ticks run on (TickGrid).
   */
  private timerExpiry(at: number): number {
    if (linuxSetting(this.costs, "config.highres") !== 0) return at;
    return this.tickGrid.firstTickFrom(at);
  }

  // ---- pthread mutexes, condition variables and barriers (futex based; sync.ts) -------------

  override newBarrier(name: string, parties: number): BarrierRef {
    return new PthreadBarrier(name, parties);
  }

  /** glibc's barrier re-arms itself: the last thread out restores `left` and unlocks. */
  override get barrierReusable(): boolean {
    return true;
  }

  override barrierWait(self: ThreadRef, b: BarrierRef): Gen<void> {
    return barrierWait(this.ops, self as Thread, b as PthreadBarrier);
  }

  /**
   * Rounds of `compute` then barrierWait. With no recorder, they run as callbacks
   * (futex-rounds.ts: the same protocol and order of actions, fewer events); the process takes
   * over only to pass a preemption point that would act.
   */
  override *computeBarrierRounds(self: ThreadRef, r: BarrierRounds): Gen<void> {
    const t = self as Thread;
    if (r.count < 1) return;
    const first = r.barrier(1);
    if (this.machine.recorder !== null || !(first instanceof PthreadBarrier)) return yield* super.computeBarrierRounds(self, r);
    this.assertCurrent(t);
    const rounds = new FutexRounds(this.futexRoundOps, t, r, first);
    for (;;) {
      const done = this.sim.event<HandBack>("futex barrier rounds");
      rounds.resume(done);
      if ((yield done) === LEFT) return;
      yield* this.preemptionPoint(t);
    }
  }

  /** The rounds' costs, looked up at the first rounds (a missing parameter fails where sync.ts's lookup would). */
  private get futexCosts(): FutexCosts {
    return (this.boundFutexCosts ??= {
      syscallEntry: this.costs.bind("syscall.entry"), syscallExit: this.costs.bind("syscall.exit"),
      waitBody: this.costs.bind("futex.waitBody"), waitReturn: this.costs.bind("futex.waitReturn"), wakeBody: this.costs.bind("futex.wakeBody"),
      atomic: this.machine.costs.bind("atomic"), icrWrite: this.machine.costs.bind("apic.icrWrite"),
    });
  }

  private boundFutexCosts: FutexCosts | undefined;

  private readonly futexRoundOps: FutexRoundOps = {
    machine: this.machine,
    costs: () => this.futexCosts,
    lineFrom: (owner, cpu) => this.lineFrom(owner, cpu),
    preemptionPointActs: (t) => this.preemptionPending(t),
    blockThen: (t, resume) => this.blockThen(t, resume),
    ttwuTarget: (w) => this.ttwuTarget(w),
    ttwuCost: (c, target) => this.ttwuCost(c, target),
    ttwuEnqueue: (w, c, target) => this.ttwuEnqueue(w, c, target),
    reschedIpi: (from, to, step) => this.reschedIpi(from, to, step),
  };

  newMutex(name: string): MutexRef {
    return new FutexMutex(name);
  }

  mutexLock(self: ThreadRef, m: MutexRef): Gen<void> {
    return futexLock(this.ops, self as Thread, m as FutexMutex, "normal", "pthread_mutex_lock");
  }

  mutexUnlock(self: ThreadRef, m: MutexRef): Gen<void> {
    return futexUnlock(this.ops, self as Thread, m as FutexMutex, "pthread_mutex_unlock");
  }

  newCondVar(name: string): CondVarRef {
    return new GlibcCondVar(name);
  }

  condWait(self: ThreadRef, cv: CondVarRef, m: MutexRef): Gen<void> {
    return condWait(this.ops, self as Thread, cv as GlibcCondVar, m as FutexMutex);
  }

  condSignal(self: ThreadRef, cv: CondVarRef): Gen<void> {
    return condSignal(this.ops, self as Thread, cv as GlibcCondVar);
  }

  condBroadcast(self: ThreadRef, cv: CondVarRef): Gen<void> {
    return condBroadcast(this.ops, self as Thread, cv as GlibcCondVar);
  }
}
