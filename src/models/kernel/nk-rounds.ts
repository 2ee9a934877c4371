/**
 * Bulk-synchronous rounds (compute, then nk_barrier_wait of Nautilus b512503) of one thread,
 * run as callbacks: the protocol of BaseKernel.barrierWait — same costs, draws and shared-state
 * changes in the same order — with each action taken at the instant its step ends instead of
 * one engine event later in the resumed process. Every thread's actions shift alike, so their
 * order is kept; a step costs one event instead of two, and the process resumes only to pass a
 * due preemption point, after a preempted spin, or on leaving the last round.
 */
import { CallbackRounds, SPIN_PREEMPTED, START, type RoundOps } from "./callback-rounds.js";
import { Barrier, Flag, SpinLock, type SpinOutcome, type Spinner } from "./objects.js";

/** What the kernel lends the rounds (its protected mechanisms). */
export interface NkRoundOps extends RoundOps {
  hw(name: string, cpu: number): number;
  lineFrom(owner: number, cpu: number): number;
  handOff(lock: SpinLock, cpu: number, step: number): void;
  publish(f: Flag, value: number, cpu: number, step: number): void;
  setSpinner(cpu: number, sp: Spinner): void;
}

// What to do next (at a step's end, or when the process hands back).
const LOCK = 1, ARRIVE = 2, NOTIFY = 3, SPIN = 4, COUNT_BACK = 5, LAST_UNLOCK = 6, LEAVE = 7;

export class NkRounds extends CallbackRounds<Barrier, NkRoundOps> implements Spinner {
  private waitingOnLock = false;
  readonly pred = (v: number): boolean => v === 1;

  /** Spinner: granted the lock, saw notify, or preempted while spinning. */
  wake(o: SpinOutcome): void {
    if (o === "preempted") {
      this.next = this.waitingOnLock ? LOCK : SPIN; // spin again once running
      this.done!.succeed(SPIN_PREEMPTED);
    } else this.act(o === "granted" ? ARRIVE : COUNT_BACK);
  }

  cancel(): void {
    if (this.waitingOnLock) this.b.lock.removeWaiter(this);
    else this.b.notify.spinners.delete(this);
  }

  protected act(what: number): void {
    const { ops, b, thread: t } = this;
    const c = t.cpu;
    switch (what) {
      case START:
        this.step(this.r.name, this.r.work(this.round), LOCK);
        return;
      case LOCK: { // bspin_lock: the xchg loop
        const lock = b.lock;
        if (lock.holder === null) {
          const cost = ops.hw("atomic", c) + ops.lineFrom(lock.lineOwner, c);
          lock.holder = t;
          lock.lineOwner = c;
          this.step("bspin_lock (xchg loop)", cost, ARRIVE);
        } else {
          this.waitingOnLock = true;
          lock.addWaiter(this);
          ops.setSpinner(c, this);
        }
        return;
      }
      case ARRIVE: // --remaining under the lock: the last arriver sets notify and keeps the lock
        this.waitingOnLock = false;
        if (--b.remaining === 0) {
          this.step("atomic_cmpswap notify 0→1 (lock kept)", ops.hw("atomic", c) + ops.lineFrom(b.notify.writer, c), NOTIFY);
        } else {
          ops.handOff(b.lock, c, t.lastStep);
          this.step("bspin_unlock", ops.hw("store", c), SPIN);
        }
        return;
      case NOTIFY:
        if (b.notify.value === 0) ops.publish(b.notify, 1, c, t.lastStep);
        this.act(COUNT_BACK);
        return;
      case SPIN: { // spinUntil(notify = 1)
        const f = b.notify;
        if (f.value === 1) {
          const cached = f.seen.get(c) === f.version || f.writer < 0;
          const cost = cached ? ops.hw("cacheLine.sameCpu", c) : ops.machine.lineTransfer(f.writer, c);
          f.seen.set(c, f.version);
          this.step("load notify", cost, COUNT_BACK);
        } else {
          f.seen.set(c, f.version);
          f.spinners.add(this);
          ops.setSpinner(c, this);
        }
        return;
      }
      case COUNT_BACK: { // atomic_inc_val of remaining; the one restoring the count unlocks
        const cost = ops.hw("atomic", c) + ops.lineFrom(b.lock.lineOwner, c);
        b.lock.lineOwner = c;
        this.step("atomic_inc_val remaining", cost, ++b.remaining === b.parties ? LAST_UNLOCK : LEAVE);
        return;
      }
      case LAST_UNLOCK:
        ops.handOff(b.lock, c, t.lastStep);
        this.step("bspin_unlock (last out)", ops.hw("store", c), LEAVE);
        return;
      case LEAVE:
        this.leave();
        return;
    }
  }
}
