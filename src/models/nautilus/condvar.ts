/**
 * Nautilus condition variables (condvar.c): the old glibc sequence-number algorithm on top of
 * a spinlock and a wait queue. The wake happens with the cv lock held; broadcast wakes waiters
 * serially (one remote run-queue lock and one kick per waiter, no broadcast IPI). The race of
 * the design is kept: a signal between the waiter dropping the cv lock and joining the wait
 * queue finds nobody to wake and is lost.
 */
import { SpinLock, type Thread } from "../kernel/objects.js";
import { SeqCond, type CondTicket, type KernelOps } from "../kernel/toolkit.js";
import type { Gen } from "../kernel/types.js";

/**
 * The note a model adds to a deadlock when its Nautilus condvars lost `lost` wake-ups to the
 * modeled race above (a result of the paper-era design, not a fault): `setting` is the model
 * option that uses condvars, `who` the waiter, `avoid` the option that does not use them. With
 * no wake-up lost the race does not explain the deadlock: no note.
 */
export function condvarRaceHint(lost: number, setting: string, who: string, avoid?: string): string {
  if (!(lost > 0)) return "";
  return `\n(With Nautilus${setting ? ` and ${setting}` : ""}, ${who} can miss its wake-up in the paper-era condvar's known race — see nautilus.md, condvar${avoid ? `; ${avoid}` : ""}. This run lost ${lost} wake-up${lost === 1 ? "" : "s"} to it.)`;
}

export class NautilusCondVar extends SeqCond {
  readonly lock: SpinLock;
  /** The per-condvar wait queue and its lock. */
  readonly waitQueue: Thread[] = [];
  readonly waitQueueLock: SpinLock;
  waiters = 0;
  /**
   * Wake-ups lost to the race (the kernel's lostWakeups sums them for deadlock notes): a signal that found the wait queue empty, and
   * each waiter a broadcast counted in but did not find on the queue (it was in its window).
   */
  lostWakeups = 0;
  /** Tickets of waiters between dropping the cv lock and joining the wait queue. */
  readonly inWindow = new Set<CondTicket>();

  constructor(name: string) {
    super(name);
    this.lock = new SpinLock(`${name}.lock`);
    this.waitQueueLock = new SpinLock(`${name}.waitqueue`);
  }
}

/** What the condvar code needs from the kernel: the toolkit's operations and its spinlocks. */
export interface CondOps extends KernelOps {
  acquire(t: Thread, l: SpinLock, label: string): Gen<void>;
  release(t: Thread, l: SpinLock, label: string): Gen<void>;
}

export function* condWait(k: CondOps, t: Thread, cv: NautilusCondVar, mutex: SpinLock): Gen<void> {
  const c = t.cpu;
  yield* k.acquire(t, cv.lock, "lock cv");
  yield* k.release(t, mutex, "unlock user mutex");
  yield* k.steps(t, [["cv: bump total_seq, waiters", k.cost("condvar.bookkeeping", c)]]);
  const ticket = cv.register();
  cv.waiters++;
  for (;;) {
    cv.inWindow.add(ticket);
    yield* k.release(t, cv.lock, "unlock cv");
    // The window of the known race: a signal now finds no one on the wait queue.
    yield* k.acquire(t, cv.waitQueueLock, "lock wait queue");
    yield* k.steps(t, [["enqueue self on wait queue", k.cost("list.op", c)]]);
    cv.waitQueue.push(t);
    cv.inWindow.delete(ticket);
    yield* k.release(t, cv.waitQueueLock, "unlock wait queue");
    yield* k.block(t);
    yield* k.acquire(t, cv.lock, "relock cv");
    yield* k.steps(t, [["cv: check sequence numbers", k.cost("condvar.bookkeeping", c)]]);
    if (cv.leave(ticket)) break;
  }
  cv.waiters--;
  yield* k.release(t, cv.lock, "unlock cv");
  yield* k.acquire(t, mutex, "relock user mutex");
}

/** Dequeues the first waiter (under the wait-queue lock) and makes it ready on its CPU. */
function* wakeOne(k: CondOps, t: Thread, cv: NautilusCondVar): Gen<boolean> {
  yield* k.acquire(t, cv.waitQueueLock, "lock wait queue");
  const w = cv.waitQueue.shift();
  yield* k.steps(t, [["dequeue waiter", k.cost("list.op", t.cpu)]]);
  yield* k.release(t, cv.waitQueueLock, "unlock wait queue");
  if (w === undefined) return false;
  yield* k.makeReady(t, w);
  return true;
}

export function* condSignal(k: CondOps, t: Thread, cv: NautilusCondVar): Gen<void> {
  yield* k.acquire(t, cv.lock, "lock cv");
  yield* k.steps(t, [["cv: check waiters, bump wakeup_seq", k.cost("condvar.bookkeeping", t.cpu)]]);
  if (cv.unsignalled > 0) {
    cv.signal();
    if (!(yield* wakeOne(k, t, cv))) cv.lostWakeups++;
  }
  yield* k.release(t, cv.lock, "unlock cv");
}

export function* condBroadcast(k: CondOps, t: Thread, cv: NautilusCondVar): Gen<void> {
  yield* k.acquire(t, cv.lock, "lock cv");
  yield* k.steps(t, [["cv: set all sequence numbers", k.cost("condvar.bookkeeping", t.cpu)]]);
  const any = cv.unsignalled > 0;
  if (any) cv.broadcast();
  const seq = cv.broadcastSeq;
  yield* k.release(t, cv.lock, "unlock cv");
  if (!any) return;
  // Serial wake-all under the wait-queue lock: one remote run-queue lock and one kick per waiter.
  yield* k.acquire(t, cv.waitQueueLock, "lock wait queue");
  for (let w = cv.waitQueue.shift(); w !== undefined; w = cv.waitQueue.shift()) {
    yield* k.steps(t, [["dequeue waiter", k.cost("list.op", t.cpu)]]);
    yield* k.makeReady(t, w);
  }
  // Waiters it counted in that are still in their window will sleep with nobody to wake them.
  for (const ticket of cv.inWindow) if (ticket.broadcast < seq) cv.lostWakeups++;
  yield* k.release(t, cv.waitQueueLock, "unlock wait queue");
}
