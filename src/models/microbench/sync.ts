/**
 * Synchronisation experiments of benchmark.c, as its code has them (HExSA-Lab/nautilus
 * src/test/benchmark.c): condvar (per remote CPU), condvar-bcast (per waiter CPU), spinlock,
 * and sync-event (the cache-line hardware limit events are compared to). Threads are created
 * per trial and DELAY is the build's macro (udelay on Nautilus, usleep on Linux), as there.
 */
import type { CondVarRef, Gen, ThreadRef } from "../kernel/types.js";
import type { Harness } from "./harness.js";

/**
 * time_condvar: for each CPU j, 100 trials: create `wakeme` on j (DELAY(100), signal, then
 * stamp), lock the mutex, wait, stamp, unlock, join. Value = waiter's stamp − signaller's.
 * The signal is sent without the mutex held, so a waiter held up for longer than the child's
 * start-up plus 100 µs would miss it and the authors' harness would hang. Where that happens
 * here the signaller waits until the waiter is counted in the wait and delays again (outside
 * the window); each trial reports it as `lateWaiters` (0 or 1). Linux: wakeme is created with NULL
 * attributes then pthread_setaffinity_np'd, and the main thread is not pinned.
 */
export function condvar(h: Harness, delayUs = 100): void {
  const k = h.kernel;
  const n = h.trials(100);
  const cv = k.newCondVar("cv");
  const m = k.newMutex("m");
  h.main(function* (self) {
    for (const j of h.benchmarkCpus()) {
      for (let i = 0; i < n; i++) {
        let signalledAt = 0;
        let late = 0;
        const wakeme = yield* k.threadCreate(self, {
          name: `wakeme${j}.${i}`, cpu: j, affinity: "after", body: function* (me) {
            yield* h.harnessDelay(me, delayUs);
            late = yield* waitForWaiters(h, me, cv, 1, 100);
            yield* k.condSignal(me, cv);
            signalledAt = yield* k.stamp(me);
          },
        });
        yield* k.mutexLock(self, m);
        yield* k.condWait(self, cv, m);
        const e = yield* k.stamp(self);
        const endStep = h.lastStep(self);
        yield* k.mutexUnlock(self, m);
        yield* k.threadJoin(self, wakeme);
        h.emit({ core: j, start: signalledAt, end: e, endStep });
        h.count("lateWaiters", late, { core: j });
      }
    }
  }); // time_condvar never pins its main thread (the Linux build; Nautilus threads are bound)
}

/**
 * time_cvar_bcast: 100 trials, each with fresh threads: a waiter per CPU 1..63 (barrier,
 * DELAY(10), lock, wait, stamp, set its bit, unlock); CPU 0 passes the barrier, DELAY(1000),
 * stamps, broadcasts, spins until every bit is set, joins them all. Value per waiter = its
 * stamp − CPU 0's. The 1 ms delay is all that makes every waiter wait before the broadcast;
 * a waiter still queued on the mutex then would miss it and the authors' harness would hang.
 * Where that happens here CPU 0 waits until every waiter is counted in the wait and delays
 * 1 ms again, outside the window; each trial reports how many were late as `lateWaiters`.
 */
export function condvarBroadcast(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(100);
  const cpus = h.benchmarkCpus();
  h.main(function* (self) {
    for (let i = 0; i < n; i++) {
      const cv = k.newCondVar(`cv${i}`);
      const m = k.newMutex(`m${i}`);
      const barrier = k.newBarrier(`barrier${i}`, cpus.length + 1);
      const received = k.newFlag(`core_recvd${i}`);
      let start = 0;
      const waiters: ThreadRef[] = [];
      for (const j of cpus) {
        waiters.push(yield* k.threadCreate(self, {
          name: `waitonit${j}.${i}`, cpu: j, affinity: "after", body: function* (me) {
            yield* k.barrierWait(me, barrier);
            yield* h.harnessDelay(me, 10);
            yield* k.mutexLock(me, m);
            yield* k.condWait(me, cv, m);
            const e = yield* k.stamp(me);
            const endStep = h.lastStep(me);
            yield* k.write(me, received, received.value + 1); // bset, under the mutex
            yield* k.mutexUnlock(me, m);
            h.emit({ core: j, start, end: e, endStep });
          },
        }));
      }
      yield* k.barrierWait(self, barrier);
      yield* h.harnessDelay(self, 1_000);
      const late = yield* waitForWaiters(h, self, cv, cpus.length, 1_000);
      h.count("lateWaiters", late, { core: 0 });
      start = yield* k.stamp(self);
      yield* k.condBroadcast(self, cv);
      yield* k.spinUntil(self, received, (v) => v === cpus.length);
      for (const w of waiters) yield* k.threadJoin(self, w);
    }
  }, { pinned: true }); // time_cvar_bcast pins main to BSP_CORE first (Linux build): its waiters inherit CPU 0's mask
}

/**
 * The guard against the harness's hang, outside every measured window: if fewer than `want`
 * threads are counted in `cv`'s wait when the harness's delay has ended, poll until they are
 * (1 µs busy steps), then repeat the delay so they are asleep as the harness intends.
 * Returns how many were late.
 */
export function* waitForWaiters(h: Harness, self: ThreadRef, cv: CondVarRef, want: number, delayUs: number): Gen<number> {
  const k = h.kernel;
  const late = want - k.registeredWaiters(cv);
  if (late <= 0) return 0;
  while (k.registeredWaiters(cv) < want) yield* k.delay(self, h.us(1));
  yield* h.harnessDelay(self, delayUs);
  return late;
}

/** 1000 trials of lock + unlock on CPU 0; the cost of an empty stamp pair is subtracted. */
export function spinlock(h: Harness): void {
  const k = h.kernel;
  const lock = k.newSpinLock("lock");
  h.main(function* (self) {
    for (let i = 0; i < h.trials(1000); i++) {
      const s0 = yield* k.stamp(self);
      const e0 = yield* k.stamp(self);
      const s = yield* k.stamp(self);
      yield* k.spinLock(self, lock);
      yield* k.spinUnlock(self, lock);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self), value: e - s - (e0 - s0) });
    }
  });
}

/**
 * time_sync_event: per remote CPU j, 100 trials: start a thread on j that spins on `go`,
 * DELAY(100000) (it spins by then), stamp, set `go`; the remote stamps when it sees it and
 * sets `done`; join. Pure shared memory. benchmark.c's Linux main() does not run it (the
 * microbench plug-in emits nothing for Linux); the host comparison runs it on the host's Linux.
 */
export function syncEvent(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(100);
  const go = k.newFlag("sync_go");
  const done = k.newFlag("sync_done");
  h.main(function* (self) {
    let trial = 0;
    for (const j of h.benchmarkCpus()) {
      for (let i = 0; i < n; i++) {
        const mark = ++trial;
        let seen = { at: 0, step: -1 };
        const t = yield* k.threadCreate(self, {
          name: `sync_wakeup${j}.${i}`, cpu: j, body: function* (me) {
            yield* k.spinUntil(me, go, (v) => v === mark);
            seen = { at: yield* k.stamp(me), step: h.lastStep(me) };
            yield* k.write(me, done, mark);
          },
        });
        yield* h.harnessDelay(self, 100_000);
        const s = yield* k.stamp(self);
        yield* k.write(self, go, mark);
        yield* k.spinUntil(self, done, (v) => v === mark);
        h.emit({ core: j, start: s, end: seen.at, endStep: seen.step });
        yield* k.threadJoin(self, t);
      }
    }
  });
}
