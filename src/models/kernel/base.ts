/**
 * BaseKernel: the scheduling core (scheduler.ts) plus what both kernels share on top of it —
 * shared words, spinlocks, a spinning barrier, TSC delays and stamps. A kernel subclass
 * supplies its own costs and step sequences: context switch, wake-up path, exit, system calls,
 * mutexes and condition variables.
 */
import { Barrier, Flag, SpinLock, Thread, type SpinOutcome, type Spinner } from "./objects.js";
import type { InterruptStep } from "../hardware/cpu.js";
import { LEFT, SPIN_PREEMPTED, type HandBack } from "./callback-rounds.js";
import { NkRounds, type NkRoundOps } from "./nk-rounds.js";
import { SchedulerCore, type StepList } from "./scheduler.js";
import type { KernelOps, SeqCond } from "./toolkit.js";
import type {
  BarrierRef, BarrierRounds, CondVarRef, EventApi, FlagRef, Gen, Kernel, KernelName, MutexRef, SpinLockRef, ThreadRef, ThreadSpec,
} from "./types.js";

export type { CpuSched, StepList } from "./scheduler.js";

export abstract class BaseKernel extends SchedulerCore implements Kernel {
  abstract readonly name: KernelName;
  abstract readonly events: EventApi | undefined;

  // ---- the toolkit (toolkit.ts) --------------------------------------------------------------

  /** Make-ready-or-pend from a thread: the kernel's own wake-up path (its run-queue lock, IPI, kick or poll). */
  protected abstract makeReady(caller: Thread, w: Thread): Gen<void>;

  /** The operations this kernel lends its synchronisation code. */
  protected kernelOps(): KernelOps {
    return {
      steps: (t, l) => this.steps(t, l),
      block: (t) => this.block(t),
      makeReady: (caller, w) => this.makeReady(caller, w),
      cost: (name, cpu) => this.k(name, cpu),
      hw: (name, cpu) => this.hw(name, cpu),
      lineFrom: (owner, cpu) => this.lineFrom(owner, cpu),
    };
  }

  /** An interrupt's path: IRQ entry, the handler's steps, the EOI write, the kernel's exit path (costs drawn in that order). */
  protected irqSteps(cpu: number, vector: string, handler: () => InterruptStep[], exit: () => InterruptStep[]): InterruptStep[] {
    const entry: InterruptStep = { step: `IRQ entry (${vector})`, cycles: this.hw("irq.entry", cpu) };
    const body = handler();
    const eoi: InterruptStep = { step: "EOI write", cycles: this.hw("apic.eoi", cpu) };
    return [entry, ...body, eoi, ...exit()];
  }

  /** The plain interrupt return (iret). */
  protected irqExit(cpu: number): InterruptStep {
    return { step: "IRQ exit", cycles: this.hw("irq.exit", cpu) };
  }

  /** Waiters registered on a condition variable and not yet signalled (both kernels' condvars are SeqConds). */
  registeredWaiters(cv: CondVarRef): number {
    return (cv as SeqCond).unsignalled;
  }

  // ---- shared memory -----------------------------------------------------------------------

  newFlag(name: string, initial = 0): FlagRef {
    return new Flag(name, initial);
  }

  *write(self: ThreadRef, flag: FlagRef, value: number): Gen<void> {
    const t = self as Thread;
    yield* this.steps(t, [[`store ${flag.name}`, this.hw("store", t.cpu)]]);
    this.publish(flag as Flag, value, t.cpu, t.lastStep);
  }

  storeFromHandler(cpu: number, flag: FlagRef, value: number, at: number, step: number): void {
    this.sim.schedule(at - this.sim.now, () => this.publish(flag as Flag, value, cpu, step), undefined, cpu);
  }

  /** Makes a store by `cpu` visible; spinners elsewhere see it one line transfer later. */
  protected publish(f: Flag, value: number, cpu: number, step: number): void {
    f.value = value;
    f.version++;
    f.writer = cpu;
    f.writeStep = step;
    f.seen.clear();
    f.seen.set(cpu, f.version);
    for (const sp of f.spinners) {
      if (!sp.pred(value)) continue;
      const to = sp.thread.cpu;
      const sentAt = this.sim.now;
      const at = this.machine.cpu(to).freeAt(sentAt + this.machine.lineTransfer(cpu, to));
      this.sim.schedule(at - sentAt, () => {
        if (!f.spinners.has(sp) || !sp.pred(f.value)) return;
        f.spinners.delete(sp);
        f.seen.set(to, f.version);
        const rec = this.machine.recorder;
        if (rec !== null) sp.thread.lastStep = rec.record(to, `see ${f.name} (line cpu${cpu}→cpu${to})`, sentAt, this.sim.now, step, 0);
        const cs = this.sched(to);
        if (cs.spinner === sp) cs.spinner = null;
        sp.wake("seen");
      }, undefined, to);
    }
  }

  *spinUntil(self: ThreadRef, flag: FlagRef, pred: (v: number) => boolean): Gen<number> {
    const t = self as Thread;
    const f = flag as Flag;
    for (;;) {
      if (pred(f.value)) {
        const cached = f.seen.get(t.cpu) === f.version || f.writer < 0;
        const cost = cached ? this.hw("cacheLine.sameCpu", t.cpu) : this.machine.lineTransfer(f.writer, t.cpu);
        f.seen.set(t.cpu, f.version);
        yield* this.step(t, `load ${f.name}`, cost);
        return this.sim.now;
      }
      f.seen.set(t.cpu, f.version);
      const ev = this.sim.event<SpinOutcome>(`${t.name} spins on ${f.name}`);
      const sp = { thread: t, wake: (o: SpinOutcome) => void ev.succeed(o), pred, cancel: () => void f.spinners.delete(sp) };
      f.spinners.add(sp);
      this.sched(t.cpu).spinner = sp;
      const outcome: SpinOutcome = yield ev;
      if (outcome === "seen") return this.sim.now;
      yield t.wake!; // preempted while spinning: wait to run again, then look again
    }
  }

  // ---- spinlocks and barriers ----------------------------------------------------------------

  newSpinLock(name: string): SpinLockRef {
    return new SpinLock(name);
  }

  *spinLock(self: ThreadRef, lock: SpinLockRef): Gen<void> {
    yield* this.acquire(self as Thread, lock as SpinLock, "spin_lock", []);
  }

  *spinUnlock(self: ThreadRef, lock: SpinLockRef): Gen<void> {
    yield* this.release(self as Thread, lock as SpinLock, "spin_unlock", []);
  }

  /** xchg loop: free → one atomic (plus the line if another CPU owns it); held → spin. */
  protected *acquire(t: Thread, lock: SpinLock, label: string, before: StepList, preemptOff = true): Gen<void> {
    if (before.length > 0) yield* this.steps(t, before);
    for (;;) {
      if (lock.holder === null) {
        const cost = this.hw("atomic", t.cpu) + this.lineFrom(lock.lineOwner, t.cpu);
        lock.holder = t;
        lock.lineOwner = t.cpu;
        if (preemptOff) t.locksHeld++;
        yield* this.step(t, `${label} ${lock.name}`, cost);
        return;
      }
      const ev = this.sim.event<SpinOutcome>(`${t.name} spins on ${lock.name}`);
      const sp: Spinner = {
        thread: t, wake: (o) => void ev.succeed(o),
        cancel: () => lock.removeWaiter(sp),
      };
      lock.addWaiter(sp);
      this.sched(t.cpu).spinner = sp;
      const outcome: SpinOutcome = yield ev;
      if (outcome === "granted") {
        if (preemptOff) t.locksHeld++;
        return;
      }
      yield t.wake!;
    }
  }

  /** Unlock store (the lock passes on at once), then `after` outside the critical section. */
  protected *release(t: Thread, lock: SpinLock, label: string, after: StepList): Gen<void> {
    if (lock.holder !== t) throw new Error(`${t.name} released ${lock.name} held by ${lock.holder?.name ?? "nobody"}`);
    t.locksHeld--;
    this.handOff(lock, t.cpu, t.lastStep);
    yield* this.steps(t, [[`${label} ${lock.name}`, this.hw("store", t.cpu)], ...after]);
  }

  /**
   * Releases `lock` from `cpu`. The spinners re-issue their xchg all the time (test-and-set), so
   * the lock goes to the request the line's home serves next, not to a race that starts at the
   * release: one spinner wins, with odds ∝ 1/(mean line transfer from the releaser) — nearer
   * spinners retry more often (NUMA-unfair) — and pays one line transfer + its xchg. Two draws
   * per hand-off whatever the number of spinners (a race of all spinners drew one each: O(P²)
   * per convoy, and made a hand-off faster the more threads spin, unlike a test-and-set lock).
   */
  protected handOff(lock: SpinLock, cpu: number, step: number): void {
    lock.holder = null;
    lock.lineOwner = cpu;
    lock.releaseStep = step;
    const n = lock.waiters.length;
    if (n === 0) return;
    let best = 0;
    if (n > 1) {
      const rate = this.machine.transferRates(cpu);
      const cpus = lock.waiterCpus;
      let total = 0;
      for (let i = 0; i < n; i++) total += rate[cpus[i]!]!;
      let u = this.machine.cpu(cpu).rng.uniform() * total;
      for (; best < n - 1; best++) {
        u -= rate[cpus[best]!]!;
        if (u < 0) break;
      }
    }
    const winner = lock.takeWaiter(best);
    const to = winner.thread.cpu;
    lock.holder = winner.thread;
    lock.lineOwner = to;
    const from = this.sim.now;
    const at = this.machine.cpu(to).freeAt(from + this.machine.lineTransfer(cpu, to) + this.hw("atomic", to));
    this.sim.schedule(at - from, () => {
      const rec = this.machine.recorder;
      if (rec !== null) winner.thread.lastStep = rec.record(to, `acquire ${lock.name} on release (line cpu${cpu}→cpu${to} + xchg)`, from, this.sim.now, step, 0);
      const cs = this.sched(to);
      if (cs.spinner === winner) cs.spinner = null;
      winner.wake("granted");
    }, undefined, to);
  }

  newBarrier(name: string, parties: number): BarrierRef {
    return new Barrier(name, parties);
  }

  /** nk_barrier_t cannot be reused: `notify` is set once and never reset (see barrierWait). */
  get barrierReusable(): boolean {
    return false;
  }

  /**
   * nk_barrier_wait of Nautilus b512503 (src/nautilus/barrier.c): take the test-and-set lock
   * (bspin_lock: no preemption or interrupt masking) and decrement `remaining` on its line; the
   * last arriver sets `notify` 0→1 with a cmpxchg and keeps the lock, the others unlock and spin
   * on `notify`; then each counts back with an atomic increment of `remaining`, and the one that
   * restores the count unlocks. Nothing resets `notify`, so a second use of the same barrier
   * does not wait: the era's callers re-initialise it before each use (src/test/benchmark.c).
   */
  *barrierWait(self: ThreadRef, ref: BarrierRef): Gen<void> {
    const t = self as Thread;
    const b = ref as Barrier;
    yield* this.acquire(t, b.lock, "bspin_lock (xchg loop)", [], false);
    // --remaining: an ordinary decrement on the line the xchg just brought in.
    if (--b.remaining === 0) {
      const f = b.notify;
      yield* this.step(t, `atomic_cmpswap ${f.name} 0→1 (lock kept)`, this.hw("atomic", t.cpu) + this.lineFrom(f.writer, t.cpu));
      if (f.value === 0) this.publish(f, 1, t.cpu, t.lastStep);
    } else {
      yield* this.storeUnlock(t, b.lock, "bspin_unlock");
      yield* this.spinUntil(t, b.notify, (v) => v === 1);
    }
    const cost = this.hw("atomic", t.cpu) + this.lineFrom(b.lock.lineOwner, t.cpu);
    b.lock.lineOwner = t.cpu;
    const lastOut = ++b.remaining === b.parties;
    yield* this.step(t, `atomic_inc_val ${b.name}.remaining`, cost);
    if (lastOut) yield* this.storeUnlock(t, b.lock, "bspin_unlock (last out)");
  }

  /**
   * Rounds of `compute` then barrierWait (bulk-synchronous supersteps). With no recorder and
   * nk_barrier_t, the rounds run as callbacks (nk-rounds.ts: same protocol, same order of
   * actions, half the events); the process takes over to pass a due preemption point or to wait
   * after a preempted spin, as barrierWait's own steps and spins would.
   */
  *computeBarrierRounds(self: ThreadRef, r: BarrierRounds): Gen<void> {
    const t = self as Thread;
    if (r.count < 1) return;
    const first = r.barrier(1);
    if (this.machine.recorder !== null || !(first instanceof Barrier)) {
      for (let round = 1, b = first; ; b = r.barrier(round)) {
        yield* this.compute(self, r.name, r.work(round));
        yield* this.barrierWait(self, b);
        r.left(round);
        if (++round > r.count) return;
      }
    }
    this.assertCurrent(t);
    const rounds = new NkRounds(this.roundOps, t, r, first);
    for (;;) {
      const done = this.sim.event<HandBack>("nk_barrier_wait rounds");
      rounds.resume(done);
      const back: HandBack = yield done;
      if (back === LEFT) return;
      if (back === SPIN_PREEMPTED) yield t.wake!;
      else if (this.preemptionDue(t)) yield* this.preemptionPoint(t);
    }
  }

  private readonly roundOps: NkRoundOps = {
    machine: this.machine,
    hw: (name, cpu) => this.hw(name, cpu),
    lineFrom: (owner, cpu) => this.lineFrom(owner, cpu),
    handOff: (lock, cpu, step) => this.handOff(lock, cpu, step),
    publish: (f, value, cpu, step) => this.publish(f, value, cpu, step),
    preemptionPointActs: (t) => this.preemptionDue(t),
    setSpinner: (cpu, sp) => void (this.sched(cpu).spinner = sp),
  };

  /** __sync_lock_release: a plain store of 0, whoever holds the lock (the last leaver frees the last arriver's). */
  private *storeUnlock(t: Thread, lock: SpinLock, label: string): Gen<void> {
    this.handOff(lock, t.cpu, t.lastStep);
    yield* this.step(t, `${label} ${lock.name}`, this.hw("store", t.cpu));
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Busy-waits on the TSC until a deadline: interrupts do not extend it unless still running then. */
  *delay(self: ThreadRef, cycles: number): Gen<void> {
    const t = self as Thread;
    this.assertCurrent(t);
    const start = this.sim.now;
    if (cycles > 0) yield cycles;
    const free = this.machine.cpu(t.cpu).freeAt(this.sim.now);
    if (free > this.sim.now) yield free - this.sim.now;
    const rec = this.machine.recorder;
    if (rec !== null) t.lastStep = rec.record(t.cpu, "delay loop (TSC deadline)", start, this.sim.now, t.lastStep, 0);
  }

  /** Work the thread executes: reservations (interrupts, noise) on its CPU push its end back. */
  compute(self: ThreadRef, name: string, cycles: number): Gen<void> {
    return this.step(self as Thread, name, cycles);
  }

  *stamp(self: ThreadRef): Gen<number> {
    const t = self as Thread;
    yield* this.steps(t, [["rdtsc", this.hw("rdtsc", t.cpu)]]);
    return this.sim.now;
  }

  // ---- kernel-specific ----------------------------------------------------------------------

  abstract threadCreate(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef>;
  abstract threadJoin(self: ThreadRef, t: ThreadRef): Gen<void>;
  abstract yield(self: ThreadRef): Gen<void>;
  abstract fork(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef>;
  abstract newMutex(name: string): MutexRef;
  abstract mutexLock(self: ThreadRef, m: MutexRef): Gen<void>;
  abstract mutexUnlock(self: ThreadRef, m: MutexRef): Gen<void>;
  abstract newCondVar(name: string): CondVarRef;
  /** Wake-ups lost to a modeled condvar race so far: none unless a kernel models one (Nautilus). */
  get lostWakeups(): number {
    return 0;
  }
  abstract condWait(self: ThreadRef, cv: CondVarRef, m: MutexRef): Gen<void>;
  abstract condSignal(self: ThreadRef, cv: CondVarRef): Gen<void>;
  abstract condBroadcast(self: ThreadRef, cv: CondVarRef): Gen<void>;
  abstract sleep(self: ThreadRef, cycles: number): Gen<void>;
  abstract syscall(self: ThreadRef, name: string, body: number): Gen<void>;
}
