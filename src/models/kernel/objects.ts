/**
 * Kernel objects shared by both kernels: threads, shared words (flags), spinlocks, barriers.
 * They hold state only; the mechanisms acting on them live in BaseKernel and the kernels.
 */
import type { SimEvent } from "../../engine/index.js";
import type { BarrierRef, FlagRef, SpinLockRef, ThreadBody, ThreadRef, ThreadState } from "./types.js";

/** Why a spinning thread stopped spinning. */
export type SpinOutcome = "seen" | "granted" | "preempted";

/** A thread spinning on a CPU (for a flag or a lock); the CPU can preempt it. */
export interface Spinner {
  readonly thread: Thread;
  /** Ends the spin (a process resumes, or a callback-style barrier goes on). */
  wake(outcome: SpinOutcome): void;
  /** Removes the spinner from what it waits on. */
  cancel(): void;
}

export class Thread implements ThreadRef {
  state: ThreadState = "new";
  starts = 0;
  /** What the thread's process waits on while it is off the CPU; dispatch succeeds it. */
  wake: SimEvent<void> | null = null;
  /** Instead of `wake`: what callback-style rounds (callback-rounds.ts) do once dispatched again. */
  dispatched: (() => void) | null = null;
  /** A wake-up that arrived before the thread blocked (kernels decide whether one may be kept). */
  wakePending = false;
  /** Last recorded step of this thread (breakdowns); -1 when not recording. */
  lastStep = -1;
  readonly joiners: Thread[] = [];
  /** Spinlocks held: no preemption meanwhile (spin_lock disables it, as in both kernels). */
  locksHeld = 0;
  /** Set when the exiting thread has woken its joiners; a later joiner must not sleep. */
  exitSignalled = false;
  /** The kernel's own per-thread state (Linux: its task_struct fields), created by the kernel on first use. */
  kernelState: object | null = null;

  /** The name of the event that resumes it after it leaves its CPU (made once: threads block millions of times). */
  get wakeEventName(): string {
    return (this.wakeName ??= `${this.name} wake`);
  }

  private wakeName: string | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Current CPU: where it is bound (Nautilus), or placed then migrated (Linux). */
    public cpu: number,
    readonly body: ThreadBody,
    readonly exited: SimEvent<number>,
  ) {}
}

export class Flag implements FlagRef {
  /** CPU whose cache holds the latest version (−1: memory, nobody yet). */
  writer = -1;
  version = 0;
  writeStep = -1;
  /** Per CPU, the version its cache holds. */
  readonly seen = new Map<number, number>();
  readonly spinners = new Set<Spinner & { pred: (v: number) => boolean }>();

  constructor(
    readonly name: string,
    public value: number,
  ) {}
}

export class SpinLock implements SpinLockRef {
  holder: Thread | null = null;
  /** CPU whose cache owns the lock word. */
  lineOwner = -1;
  /** Spinners in arrival order (use addWaiter / removeWaiter / takeWaiter). */
  readonly waiters: Spinner[] = [];
  /** waiterCpus[i]: the CPU of waiters[i] (a spinning thread stays on its CPU): hand-offs scan it. */
  waiterCpus = new Int32Array(8);
  /** Step that last released it (breakdowns). */
  releaseStep = -1;

  constructor(readonly name: string) {}

  addWaiter(sp: Spinner): void {
    const n = this.waiters.length;
    if (n === this.waiterCpus.length) {
      const grown = new Int32Array(2 * n);
      grown.set(this.waiterCpus);
      this.waiterCpus = grown;
    }
    this.waiterCpus[n] = sp.thread.cpu;
    this.waiters.push(sp);
  }

  /** Removes and returns waiters[i]. */
  takeWaiter(i: number): Spinner {
    const cpus = this.waiterCpus;
    cpus.copyWithin(i, i + 1, this.waiters.length);
    return this.waiters.splice(i, 1)[0]!;
  }

  removeWaiter(sp: Spinner): void {
    const i = this.waiters.indexOf(sp);
    if (i >= 0) this.takeWaiter(i);
  }
}

/**
 * nk_barrier_t of Nautilus b512503 (include/nautilus/barrier.h): a test-and-set lock sharing its
 * cache line with `remaining` and `init_count`; `notify` on the next line.
 */
export class Barrier implements BarrierRef {
  remaining: number;
  /** The lock word; its `lineOwner` is the owner of the line `remaining` lives on too. */
  readonly lock: SpinLock;
  readonly notify: Flag;

  constructor(
    readonly name: string,
    readonly parties: number,
  ) {
    this.remaining = parties;
    this.lock = new SpinLock(`${name}.lock`);
    this.notify = new Flag(`${name}.notify`, 0);
  }
}
