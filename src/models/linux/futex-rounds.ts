/**
 * Bulk-synchronous rounds (compute, then glibc's futex pthread_barrier_wait) of one thread, run
 * as callbacks. This restates sync.ts — barrierWait with the futexLock, futexUnlock and
 * futexWait it calls — and the scheduler's ttwu and block (same costs, draws, shared-state
 * changes and scheduler actions in the same order), with each action taken at the instant its
 * step ends instead of one engine event later in the resumed process, as NkRounds does for
 * Nautilus (kernel/nk-rounds.ts). A step costs one event instead of two; a sleeper goes on
 * when its context switch in ends (Thread.dispatched), with no dispatch event. The process resumes only where its
 * preemption point would act, or on leaving the last round. test/linux-barrier-rounds.test.ts
 * checks that both paths are the same simulation: change one, change the other.
 */
import type { RandomStream } from "../../engine/index.js";
import type { BoundCost } from "../hardware/params.js";
import { CallbackRounds, START, type RoundOps } from "../kernel/callback-rounds.js";
import type { Thread } from "../kernel/objects.js";
import type { FutexMutex, PthreadBarrier } from "./sync.js";

/** The costs the rounds draw (sync.ts's k.cost and k.hw of the same names), each looked up once. */
export interface FutexCosts {
  readonly syscallEntry: BoundCost;
  readonly syscallExit: BoundCost;
  readonly waitBody: BoundCost;
  readonly waitReturn: BoundCost;
  readonly wakeBody: BoundCost;
  /** Hardware: a locked read-modify-write, and the ICR write of an IPI. */
  readonly atomic: BoundCost;
  readonly icrWrite: BoundCost;
}

/** What the Linux kernel lends the rounds (its protected mechanisms). */
export interface FutexRoundOps extends RoundOps {
  /** The costs, looked up once per kernel. */
  costs(): FutexCosts;
  lineFrom(owner: number, cpu: number): number;
  /** block(t): false if a wake-up was pending, else `resume` runs at its dispatch. */
  blockThen(t: Thread, resume: () => void): boolean;
  ttwuTarget(w: Thread): number;
  ttwuCost(c: number, target: number): number;
  ttwuEnqueue(w: Thread, c: number, target: number): boolean;
  reschedIpi(from: number, to: number, sendStep: number): void;
}

// What to do next (at a step's end, or when the process hands back). Comments: sync.ts's lines.
const LOCK = 1, LOCK_TRIED = 2, LOCK_XCHG = 4, LOCK_XCHGED = 5, ARRIVE = 6, WAIT_EVENT = 7,
  WAKE_ALL = 8, WAKE_NEXT = 9, COUNT_BACK = 10, COUNTED = 11, UNLOCK = 12, UNLOCKED = 13, UNLOCK_WAKE = 14,
  UNLOCK_EXIT = 15, WAIT = 16, WAIT_CHECK = 17, WAIT_RETURN = 18, WAIT_EXIT = 19, TTWU = 20, TTWU_QUEUED = 21,
  LEAVE = 23;
// Step names (the CPU's error messages only: the callbacks run when nothing records steps).
const LOCK_STEP = "pthread_barrier_wait: lll_lock", UNLOCK_STEP = "pthread_barrier_wait: lll_unlock",
  WAIT_STEP = "futex_wait", WAKE_STEP = "futex_wake", TTWU_STEP = "try_to_wake_up", COUNT_STEP = "pthread_barrier_wait: atomic increment of left";

export class FutexRounds extends CallbackRounds<PthreadBarrier, FutexRoundOps> {
  /** The CPUs sync.ts's functions take at their start (`const c = t.cpu`): barrierWait, futexLock, futexUnlock, futexWait. */
  private barrierCpu = 0;
  private lockCpu = 0;
  private unlockCpu = 0;
  private waitCpu = 0;
  /** barrierWait's `event`: the barrier's event word when this thread arrived. */
  private event = 0;
  /** futexWait on the lock (else on the barrier's event), and where to go on after it. */
  private waitOnLock = false;
  private afterWait = 0;
  private afterUnlock = 0;
  /** The thread ttwu wakes, its CPU, the waker's CPU, and where to go on after it. */
  private wakee: Thread | null = null;
  private wakeTarget = 0;
  private wakeCpu = 0;
  private afterTtwu = 0;
  /** The last arriver's FUTEX_WAKE: the sleepers it took and the next one to wake. */
  private sleepers: Thread[] = [];
  private nextSleeper = 0;
  private readonly woken = (): void => this.act(WAIT_RETURN);
  private readonly costs = this.ops.costs();

  protected act(what: number): void {
    const { ops, b, thread: t } = this;
    const C = this.costs;
    const m: FutexMutex = b.lock;
    switch (what) {
      case START:
        this.step(this.r.name, this.r.work(this.round), LOCK);
        return;
      case LOCK: // barrierWait → futexLock(normal) → atomicOn: cmpxchg
        this.barrierCpu = t.cpu;
        this.step(LOCK_STEP, C.atomic.draw(this.rng(t.cpu)) + ops.lineFrom(m.lineOwner, t.cpu), LOCK_TRIED);
        return;
      case LOCK_TRIED:
        m.lineOwner = t.cpu;
        if (m.word === 0) {
          m.word = 1;
          this.act(ARRIVE);
        } else {
          // __lll_lock_wait: xchg at once unless the cmpxchg saw 2, else sleep first
          this.lockCpu = t.cpu;
          if (m.word === 2) this.wait(true, this.lockCpu, LOCK_XCHG);
          else this.act(LOCK_XCHG);
        }
        return;
      case LOCK_XCHG: // atomicOn: xchg to 2
        this.step(LOCK_STEP, C.atomic.draw(this.rng(t.cpu)) + ops.lineFrom(m.lineOwner, t.cpu), LOCK_XCHGED);
        return;
      case LOCK_XCHGED: { // free: taken; else sleep while it stays 2, then xchg again
        m.lineOwner = t.cpu;
        const old = m.word;
        m.word = 2;
        if (old === 0) this.act(ARRIVE);
        else this.wait(true, this.lockCpu, LOCK_XCHG);
        return;
      }
      case ARRIVE: { // --left: the last arriver wakes all with one FUTEX_WAKE; the others unlock and sleep
        if (--b.left === 0) {
          b.event++;
          const c = this.barrierCpu;
          this.step(WAKE_STEP, C.syscallEntry.draw(this.rng(c)) + C.wakeBody.draw(this.rng(c)), WAKE_ALL);
        } else {
          this.event = b.event;
          this.unlock(WAIT_EVENT);
        }
        return;
      }
      case WAIT_EVENT: // while (b.event === event) futexWait
        if (b.event === this.event) this.wait(false, this.barrierCpu, WAIT_EVENT);
        else this.act(COUNT_BACK);
        return;
      case WAKE_ALL:
        this.sleepers = b.eventQueue.splice(0);
        this.nextSleeper = 0;
        this.act(WAKE_NEXT);
        return;
      case WAKE_NEXT:
        if (this.nextSleeper < this.sleepers.length) this.ttwu(this.sleepers[this.nextSleeper++]!, WAKE_NEXT);
        else {
          this.sleepers = [];
          this.step(WAKE_STEP, C.syscallExit.draw(this.rng(this.barrierCpu)), COUNT_BACK);
        }
        return;
      case COUNT_BACK: // the atomic increment of left on its line; the last out unlocks
        this.step(COUNT_STEP, C.atomic.draw(this.rng(t.cpu)) + ops.lineFrom(b.leftLineOwner, t.cpu), COUNTED);
        return;
      case COUNTED:
        b.leftLineOwner = t.cpu;
        if (++b.left === b.parties) this.unlock(LEAVE);
        else this.act(LEAVE);
        return;
      case UNLOCK: // futexUnlock → atomicOn: xchg to 0
        this.step(UNLOCK_STEP, C.atomic.draw(this.rng(t.cpu)) + ops.lineFrom(m.lineOwner, t.cpu), UNLOCKED);
        return;
      case UNLOCKED: {
        m.lineOwner = t.cpu;
        const old = m.word;
        m.word = 0;
        if (old !== 2) {
          this.act(this.afterUnlock);
          return;
        }
        const c = (this.unlockCpu = t.cpu);
        this.step(WAKE_STEP, C.syscallEntry.draw(this.rng(c)) + C.wakeBody.draw(this.rng(c)), UNLOCK_WAKE);
        return;
      }
      case UNLOCK_WAKE: { // wakeLockWaiter
        const w = m.queue.shift();
        if (w !== undefined) this.ttwu(w, UNLOCK_EXIT);
        else this.act(UNLOCK_EXIT);
        return;
      }
      case UNLOCK_EXIT:
        this.step(WAKE_STEP, C.syscallExit.draw(this.rng(this.unlockCpu)), this.afterUnlock);
        return;
      case WAIT: { // futexWait: entry and the kernel's compare
        const c = this.waitCpu;
        this.step(WAIT_STEP, C.syscallEntry.draw(this.rng(c)) + C.waitBody.draw(this.rng(c)), WAIT_CHECK);
        return;
      }
      case WAIT_CHECK: {
        if (!(this.waitOnLock ? m.word === 2 : b.event === this.event)) {
          this.act(WAIT_EXIT);
          return;
        }
        (this.waitOnLock ? m.queue : b.eventQueue).push(t);
        if (!ops.blockThen(t, this.woken)) this.act(WAIT_RETURN);
        return;
      }
      case WAIT_RETURN: // the return path and the syscall exit, back to back
        this.step(WAIT_STEP, C.waitReturn.draw(this.rng(this.waitCpu)) + C.syscallExit.draw(this.rng(this.waitCpu)), this.afterWait);
        return;
      case WAIT_EXIT:
        this.step(WAIT_STEP, C.syscallExit.draw(this.rng(this.waitCpu)), this.afterWait);
        return;
      case TTWU: { // the scheduler's ttwu: its step (with the ICR write for another CPU), then enqueue and the IPI
        const c = (this.wakeCpu = t.cpu);
        const target = (this.wakeTarget = ops.ttwuTarget(this.wakee!));
        const cost = ops.ttwuCost(c, target);
        this.step(TTWU_STEP, target === c ? cost : cost + C.icrWrite.draw(this.rng(c)), TTWU_QUEUED);
        return;
      }
      case TTWU_QUEUED: {
        const c = this.wakeCpu;
        if (ops.ttwuEnqueue(this.wakee!, c, this.wakeTarget)) ops.reschedIpi(c, this.wakeTarget, t.lastStep);
        this.wakee = null;
        this.act(this.afterTtwu);
        return;
      }
      case LEAVE:
        this.leave();
        return;
    }
  }

  /** The stream costs are drawn from on `cpu` (sync.ts's k.cost and k.hw draw there). */
  private rng(cpu: number): RandomStream {
    return this.ops.machine.cpu(cpu).rng;
  }

  private wait(onLock: boolean, cpu: number, then: number): void {
    this.waitOnLock = onLock;
    this.waitCpu = cpu;
    this.afterWait = then;
    this.act(WAIT);
  }

  private unlock(then: number): void {
    this.afterUnlock = then;
    this.act(UNLOCK);
  }

  private ttwu(w: Thread, then: number): void {
    this.wakee = w;
    this.afterTtwu = then;
    this.act(TTWU);
  }
}
