/**
 * The kernel toolkit both kernels build their synchronisation on (and a third kernel would):
 * the operations kernel-side algorithms need from their kernel, and the sequence-number
 * condition variable that glibc's pre-2.25 NPTL and Nautilus's condvar.c (a copy of it) share.
 * Each kernel keeps its own locks and sleep primitive (futexes, spinlocks and wait queues);
 * the bookkeeping that decides who was signalled is written once, here.
 */
import type { StepList } from "./scheduler.js";
import type { Thread } from "./objects.js";
import type { CondVarRef, Gen } from "./types.js";

/** What a kernel lends its synchronisation code (condvars, futexes, wait queues). */
export interface KernelOps {
  steps(t: Thread, l: StepList): Gen<void>;
  /** Sleep until made ready (returns at once if a wake-up is already pending). */
  block(t: Thread): Gen<void>;
  /** Make a blocked thread ready on its CPU (enqueue, then IPI, kick or the target's poll), or leave its wake-up pending if it has not blocked yet. */
  makeReady(caller: Thread, w: Thread): Gen<void>;
  /** A cost of the kernel's parameter file, drawn on `cpu`. */
  cost(name: string, cpu: number): number;
  /** A hardware cost of the machine, drawn on `cpu`. */
  hw(name: string, cpu: number): number;
  /** Cycles to pull a cache line last written by `owner` (−1: nobody) to `cpu`. */
  lineFrom(owner: number, cpu: number): number;
}

/** What a waiter remembers when it registers: the counts it compares on waking. */
export interface CondTicket {
  readonly wakeup: number;
  readonly broadcast: number;
}

/** The sequence numbers of the old glibc condition variable (totalSeq ≥ wakeupSeq ≥ wokenSeq). */
export class SeqCond implements CondVarRef {
  totalSeq = 0;
  wakeupSeq = 0;
  wokenSeq = 0;
  broadcastSeq = 0;

  constructor(readonly name: string) {}

  /** The wait's entry: one more waiter; its ticket. */
  register(): CondTicket {
    this.totalSeq++;
    return { wakeup: this.wakeupSeq, broadcast: this.broadcastSeq };
  }

  /** Waiters registered and not yet signalled. */
  get unsignalled(): number {
    return this.totalSeq - this.wakeupSeq;
  }

  /** A signal: one more waiter may leave. */
  signal(): void {
    this.wakeupSeq++;
  }

  /** A broadcast: every registered waiter may leave. */
  broadcast(): void {
    this.wakeupSeq = this.totalSeq;
    this.wokenSeq = this.totalSeq;
    this.broadcastSeq++;
  }

  /**
   * A waiter re-checks after waking: a broadcast since it registered lets it leave; else it takes
   * a signal not yet taken (wokenSeq++); else it waits again (a spurious wake-up, or another
   * waiter took the signal).
   */
  leave(t: CondTicket): boolean {
    if (this.broadcastSeq !== t.broadcast) return true;
    if (this.wakeupSeq !== t.wakeup && this.wokenSeq !== this.wakeupSeq) {
      this.wokenSeq++;
      return true;
    }
    return false;
  }
}
