/**
 * Synchronisation experiments of benchmark.c: condvar (per remote CPU), condvar-bcast (per
 * waiter CPU), spinlock, and sync-event (the cache-line hardware limit events are compared to).
 */
import { ModelRunError } from "../plugin.js";
import type { ThreadRef } from "../kernel/types.js";
import type { Harness } from "./harness.js";

/**
 * For each CPU j: the waiter (CPU 0) waits; the signaller (CPU j) delays 100 us, signals,
 * then stamps. Value = waiter's stamp after wake-up (holding the mutex) − signaller's stamp.
 * The signaller does not hold the mutex while signalling (our reading of the harness).
 * Deviation, outside the measured window: the signaller starts its delay only once the waiter
 * has announced (holding the mutex) that it is about to wait, so a waiter held up by noise for
 * over 100 us cannot miss the signal and hang the run, as the bare harness would.
 */
export function condvar(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(100);
  h.main(function* (self) {
    for (const j of h.remoteCpus()) {
      const cv = k.newCondVar(`cv${j}`);
      const m = k.newMutex(`m${j}`);
      const signalled: number[] = [];
      const ready = k.newFlag(`ready${j}`);
      const signaller = yield* k.threadCreate(self, {
        name: `signaller${j}`, cpu: j, body: function* (me) {
          for (let i = 0; i < n; i++) {
            yield* k.spinUntil(me, ready, (v) => v === i + 1);
            yield* k.delay(me, h.us(100));
            yield* k.condSignal(me, cv);
            signalled.push(yield* k.stamp(me));
          }
        },
      });
      for (let i = 0; i < n; i++) {
        yield* k.mutexLock(self, m);
        yield* k.write(self, ready, i + 1);
        yield* k.condWait(self, cv, m);
        const e = yield* k.stamp(self);
        const endStep = h.lastStep(self);
        yield* k.mutexUnlock(self, m);
        // The signaller's stamp is taken after signal returns; it exists by now unless the
        // wake-up beat the signal call's return, so wait for it (shared array in the harness).
        while (signalled.length <= i) yield* k.delay(self, h.us(1));
        h.emit({ core: j, start: signalled[i]!, end: e, endStep });
      }
      yield* k.threadJoin(self, signaller);
    }
  });
}

/**
 * 100 trials; one waiter per CPU 1..n−1: barrier, lock, wait; CPU 0 delays 1 ms, stamps, then
 * broadcasts. Value per waiter = its stamp right after the wait returns − CPU 0's stamp.
 * Deviation, outside the measured window: CPU 0 starts its 1 ms delay once every waiter has
 * counted itself in (holding the mutex, just before waiting), so slow mutex hand-offs after
 * the barrier cannot make a waiter miss the broadcast and hang the run.
 */
export function condvarBroadcast(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(100);
  const cpus = h.remoteCpus();
  const cv = k.newCondVar("cv");
  const m = k.newMutex("m");
  const barrier = k.newBarrier("start", cpus.length + 1);
  const counted = k.newFlag("waiters counted in");
  const starts: number[] = [];
  h.main(function* (self) {
    const waiters: ThreadRef[] = [];
    for (const j of cpus) {
      waiters.push(yield* k.threadCreate(self, {
        name: `waiter${j}`, cpu: j, body: function* (me) {
          for (let i = 0; i < n; i++) {
            yield* k.barrierWait(me, barrier);
            yield* k.mutexLock(me, m);
            yield* k.write(me, counted, counted.value + 1);
            yield* k.condWait(me, cv, m);
            const e = yield* k.stamp(me);
            const endStep = h.lastStep(me);
            yield* k.mutexUnlock(me, m);
            h.emit({ core: j, start: starts[i]!, end: e, endStep });
          }
        },
      }));
    }
    for (let i = 0; i < n; i++) {
      yield* k.barrierWait(self, barrier);
      yield* k.spinUntil(self, counted, (v) => v === (i + 1) * cpus.length);
      yield* k.delay(self, h.us(1_000));
      starts.push(yield* k.stamp(self));
      yield* k.condBroadcast(self, cv);
    }
    for (const w of waiters) yield* k.threadJoin(self, w);
  });
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
 * Per remote CPU j, 100 trials: a thread on j spins on a flag; CPU 0 stamps, sets the flag;
 * the remote stamps when it sees it. Pure user-space shared memory: Linux runs it too.
 */
export function syncEvent(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(100);
  h.main(function* (self) {
    for (const j of h.remoteCpus()) {
      const flag = k.newFlag(`event${j}`);
      const ack = k.newFlag(`ack${j}`, -1);
      const seen: Array<{ at: number; step: number }> = [];
      const remote = yield* k.threadCreate(self, {
        name: `spinner${j}`, cpu: j, body: function* (me) {
          yield* k.write(me, ack, 0); // spinning from now on
          for (let i = 1; i <= n; i++) {
            yield* k.spinUntil(me, flag, (v) => v === i);
            const at = yield* k.stamp(me);
            seen.push({ at, step: h.lastStep(me) });
            yield* k.write(me, ack, i);
          }
        },
      });
      yield* k.spinUntil(self, ack, (v) => v === 0);
      for (let i = 1; i <= n; i++) {
        yield* k.delay(self, h.us(1));
        const s = yield* k.stamp(self);
        yield* k.write(self, flag, i);
        yield* k.spinUntil(self, ack, (v) => v === i);
        const r = seen[i - 1];
        if (r === undefined) throw new ModelRunError("model", `sync-event: cpu${j} acknowledged trial ${i} without a stamp`);
        h.emit({ core: j, start: s, end: r.at, endStep: r.step });
      }
      yield* k.threadJoin(self, remote);
    }
  });
}
