/**
 * glibc (pre-2.25 NPTL) synchronisation over futexes: the low-level lock (0 free, 1 locked,
 * 2 locked with waiters), pthread mutexes on it, and the old sequence-number condition variable
 * whose signal uses FUTEX_WAKE_OP and whose broadcast uses FUTEX_CMP_REQUEUE: it wakes one
 * waiter and moves the rest onto the mutex's futex, so they are then woken one by one as the
 * mutex is handed over. futex_wait compares the word in the kernel, so no wake-up is lost.
 * pthread barriers sleep on a futex too (the authors' Linux harness uses them).
 */
import type { Thread } from "../kernel/objects.js";
import { SeqCond, type KernelOps } from "../kernel/toolkit.js";
import type { BarrierRef, Gen, MutexRef } from "../kernel/types.js";

/** The toolkit's operations (makeReady is try_to_wake_up) and the Linux file's settings. */
export interface LinuxOps extends KernelOps {
  /** A dimensionless parameter (count, rate) of the Linux file. */
  setting(name: string): number;
}

export class FutexMutex implements MutexRef {
  /** 0 free, 1 locked, 2 locked and maybe waiters. */
  word = 0;
  lineOwner = -1;
  /** Threads asleep in futex_wait on this word (kernel hash bucket). */
  readonly queue: Thread[] = [];

  constructor(readonly name: string) {}
}

export class GlibcCondVar extends SeqCond {
  readonly lock: FutexMutex;
  /** The futex word waiters sleep on, and its kernel wait queue. */
  futex = 0;
  readonly futexQueue: Thread[] = [];
  mutex: FutexMutex | null = null;

  constructor(name: string) {
    super(name);
    this.lock = new FutexMutex(`${name}.__lock`);
  }
}

function* atomicOn(k: LinuxOps, t: Thread, m: FutexMutex, label: string): Gen<void> {
  yield* k.steps(t, [[label, k.hw("atomic", t.cpu) + k.lineFrom(m.lineOwner, t.cpu)]]);
  m.lineOwner = t.cpu;
}

/**
 * One futex_wait system call on `cpu` (the CPU the caller started on): the kernel compares the
 * word (`unchanged`) under the bucket lock and, if it still holds, sleeps on `queue`.
 */
function* futexWait(k: LinuxOps, t: Thread, cpu: number, queue: Thread[], what: string, unchanged: () => boolean): Gen<void> {
  yield* k.steps(t, [[`syscall entry (futex_wait ${what})`, k.cost("syscall.entry", cpu)], ["futex_wait: hash, bucket lock, compare", k.cost("futex.waitBody", cpu)]]);
  // Woken: the return path and the syscall exit run back to back (need_resched is honoured on the way out).
  const woken = unchanged();
  if (woken) {
    queue.push(t);
    yield* k.block(t);
  }
  yield* k.steps(t, woken ? [["futex_wait return", k.cost("futex.waitReturn", cpu)], ["syscall exit (futex_wait)", k.cost("syscall.exit", cpu)]] : [["syscall exit (futex_wait)", k.cost("syscall.exit", cpu)]]);
}

/**
 * lll_lock / pthread_mutex_lock; "cond" is __pthread_mutex_cond_lock (always marks contended).
 * After a failed cmpxchg, __lll_lock_wait (x86_64 lowlevellock.S): an xchg to 2 unless the
 * cmpxchg saw 2 already, then futex_wait while the word stays 2 and an xchg again, until an
 * xchg finds the lock free.
 */
export function* futexLock(k: LinuxOps, t: Thread, m: FutexMutex, mode: "normal" | "cond", label: string): Gen<void> {
  yield* atomicOn(k, t, m, `${label}: cmpxchg ${m.name}`);
  if (m.word === 0) {
    m.word = mode === "cond" ? 2 : 1;
    return;
  }
  const c = t.cpu;
  let wait = m.word === 2;
  for (;;) {
    if (wait) yield* futexWait(k, t, c, m.queue, m.name, () => m.word === 2);
    wait = true;
    yield* atomicOn(k, t, m, `${label}: xchg ${m.name} to 2`);
    const old = m.word;
    m.word = 2;
    if (old === 0) return;
  }
}

/** Releases in the kernel's name (FUTEX_WAKE_OP) or user space: 2 means a waiter must be woken. */
function* wakeLockWaiter(k: LinuxOps, t: Thread, m: FutexMutex): Gen<void> {
  const w = m.queue.shift();
  if (w !== undefined) yield* k.makeReady(t, w);
}

export function* futexUnlock(k: LinuxOps, t: Thread, m: FutexMutex, label: string): Gen<void> {
  yield* atomicOn(k, t, m, `${label}: xchg ${m.name} to 0`);
  const old = m.word;
  m.word = 0;
  if (old !== 2) return;
  const c = t.cpu;
  yield* k.steps(t, [[`syscall entry (futex_wake ${m.name})`, k.cost("syscall.entry", c)], ["futex_wake: hash, bucket lock", k.cost("futex.wakeBody", c)]]);
  yield* wakeLockWaiter(k, t, m);
  yield* k.steps(t, [["syscall exit (futex_wake)", k.cost("syscall.exit", c)]]);
}

export function* condWait(k: LinuxOps, t: Thread, cv: GlibcCondVar, mutex: FutexMutex): Gen<void> {
  const c = t.cpu;
  yield* futexLock(k, t, cv.lock, "normal", "lll_lock(cond->__lock)");
  cv.mutex = mutex;
  yield* futexUnlock(k, t, mutex, "unlock user mutex");
  yield* k.steps(t, [["cond: bump total_seq, futex, nwaiters", k.cost("glibc.condBookkeeping", c)]]);
  const ticket = cv.register();
  cv.futex++;
  for (;;) {
    const futexVal = cv.futex;
    yield* futexUnlock(k, t, cv.lock, "lll_unlock(cond->__lock)");
    yield* futexWait(k, t, c, cv.futexQueue, "cond", () => cv.futex === futexVal);
    yield* futexLock(k, t, cv.lock, "normal", "lll_lock(cond->__lock)");
    yield* k.steps(t, [["cond: check sequence numbers", k.cost("glibc.condBookkeeping", c)]]);
    if (cv.leave(ticket)) break;
  }
  yield* futexUnlock(k, t, cv.lock, "lll_unlock(cond->__lock)");
  yield* futexLock(k, t, mutex, "cond", "__pthread_mutex_cond_lock");
}

export function* condSignal(k: LinuxOps, t: Thread, cv: GlibcCondVar): Gen<void> {
  const c = t.cpu;
  yield* futexLock(k, t, cv.lock, "normal", "lll_lock(cond->__lock)");
  yield* k.steps(t, [["cond: check waiters, bump wakeup_seq", k.cost("glibc.condBookkeeping", c)]]);
  if (cv.unsignalled === 0) {
    yield* futexUnlock(k, t, cv.lock, "lll_unlock(cond->__lock)");
    return;
  }
  cv.signal();
  cv.futex++;
  // FUTEX_WAKE_OP: wake one waiter and release the internal lock in one system call.
  yield* k.steps(t, [["syscall entry (futex WAKE_OP)", k.cost("syscall.entry", c)], ["futex_wake_op: two buckets", k.cost("futex.wakeBody", c)]]);
  const w = cv.futexQueue.shift();
  if (w !== undefined) yield* k.makeReady(t, w);
  const old = cv.lock.word;
  cv.lock.word = 0;
  if (old === 2) yield* wakeLockWaiter(k, t, cv.lock);
  yield* k.steps(t, [["syscall exit (futex WAKE_OP)", k.cost("syscall.exit", c)]]);
}

export function* condBroadcast(k: LinuxOps, t: Thread, cv: GlibcCondVar): Gen<void> {
  const c = t.cpu;
  yield* futexLock(k, t, cv.lock, "normal", "lll_lock(cond->__lock)");
  yield* k.steps(t, [["cond: set all sequence numbers", k.cost("glibc.condBookkeeping", c)]]);
  if (cv.unsignalled === 0) {
    yield* futexUnlock(k, t, cv.lock, "lll_unlock(cond->__lock)");
    return;
  }
  cv.broadcast();
  cv.futex = 2 * cv.totalSeq;
  yield* futexUnlock(k, t, cv.lock, "lll_unlock(cond->__lock)");
  // FUTEX_CMP_REQUEUE: wake one, move the others to the mutex's futex (no thundering herd).
  const n = cv.futexQueue.length;
  yield* k.steps(t, [
    ["syscall entry (futex CMP_REQUEUE)", k.cost("syscall.entry", c)],
    [`futex_requeue: wake 1, requeue ${Math.max(0, n - 1)}`, k.cost("futex.requeueBody", c) + Math.max(0, n - 1) * k.cost("futex.requeuePerWaiter", c)],
  ]);
  const first = cv.futexQueue.shift();
  const target = cv.mutex;
  // The mutex word is not touched: waiters take it with __pthread_mutex_cond_lock, which marks
  // it contended (2), so each unlock wakes the next requeued waiter.
  if (target !== null) target.queue.push(...cv.futexQueue.splice(0));
  if (first !== undefined) yield* k.makeReady(t, first);
  yield* k.steps(t, [["syscall exit (futex CMP_REQUEUE)", k.cost("syscall.exit", c)]]);
}

/**
 * glibc's pthread_barrier_t before 2.25 (nptl/pthread_barrier_wait.c as in glibc 2.19; the
 * x86_64 assembly version of 2.3–2.24 does the same): a low-level lock, the count left and an
 * event futex.
 */
export class PthreadBarrier implements BarrierRef {
  readonly lock: FutexMutex;
  left: number;
  /** The futex word waiters sleep on (curr_event) and its kernel wait queue. */
  event = 0;
  readonly eventQueue: Thread[] = [];
  /** CPU whose cache owns the line of `left` (the leavers' atomic increments). */
  leftLineOwner = -1;

  constructor(
    readonly name: string,
    readonly parties: number,
  ) {
    this.lock = new FutexMutex(`${name}.lock`);
    this.left = parties;
  }
}

/**
 * pthread_barrier_wait: under the lock, the last arriver bumps the event and wakes everyone
 * with one FUTEX_WAKE (one try_to_wake_up per sleeper, in turn); the others sleep on the event
 * word. The lock stays held until the last thread has left, which re-arms the barrier.
 * futex-rounds.ts restates this (with futexLock, futexUnlock, futexWait) as callbacks for
 * computeBarrierRounds: change both (test/linux-barrier-rounds.test.ts compares them).
 */
export function* barrierWait(k: LinuxOps, t: Thread, b: PthreadBarrier): Gen<void> {
  const c = t.cpu;
  yield* futexLock(k, t, b.lock, "normal", "pthread_barrier_wait: lll_lock");
  if (--b.left === 0) {
    b.event++;
    yield* k.steps(t, [["syscall entry (futex_wake all)", k.cost("syscall.entry", c)], ["futex_wake: hash, bucket lock", k.cost("futex.wakeBody", c)]]);
    for (const w of b.eventQueue.splice(0)) yield* k.makeReady(t, w);
    yield* k.steps(t, [["syscall exit (futex_wake)", k.cost("syscall.exit", c)]]);
  } else {
    const event = b.event;
    yield* futexUnlock(k, t, b.lock, "pthread_barrier_wait: lll_unlock");
    while (b.event === event) {
      yield* futexWait(k, t, c, b.eventQueue, "barrier", () => b.event === event);
    }
  }
  yield* k.steps(t, [["pthread_barrier_wait: atomic increment of left", k.hw("atomic", t.cpu) + k.lineFrom(b.leftLineOwner, t.cpu)]]);
  b.leftLineOwner = t.cpu;
  if (++b.left === b.parties) yield* futexUnlock(k, t, b.lock, "pthread_barrier_wait: lll_unlock (last out)");
}
