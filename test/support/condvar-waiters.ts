/**
 * Shared set-up of the condition-variable wake-up tests: on a booted kernel, `main` on CPU 0
 * creates n waiters on CPUs 1..n, each of which takes the mutex, waits on the condvar, counts
 * itself woken and unlocks; then `main` runs `afterSpawn` (the test's signalling). Not a test
 * file itself (the runner matches only `*.test.js`).
 */
import type { BaseKernel } from "../../src/models/kernel/base.js";
import type { CondVarRef, Gen, MutexRef, ThreadRef } from "../../src/models/kernel/types.js";

export interface CondVarWaiters {
  readonly cv: CondVarRef;
  readonly mutex: MutexRef;
  /** How many waiters have returned from their wait so far. */
  woken(): number;
}

export function bootCondVarWaiters(
  k: BaseKernel,
  n: number,
  afterSpawn: (self: ThreadRef, cv: CondVarRef) => Gen<void>,
): CondVarWaiters {
  const cv = k.newCondVar("cv");
  const mutex = k.newMutex("m");
  let woken = 0;
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    for (let i = 1; i <= n; i++) {
      yield* k.threadCreate(self, { name: `w${i}`, cpu: i, body: function* (me) {
        yield* k.mutexLock(me, mutex);
        yield* k.condWait(me, cv, mutex);
        woken++;
        yield* k.mutexUnlock(me, mutex);
      } });
    }
    yield* afterSpawn(self, cv);
  } });
  return { cv, mutex, woken: () => woken };
}
