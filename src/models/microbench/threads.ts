/**
 * Thread experiments of benchmark.c: thread-create, threads-long, thread-run, thread-both,
 * ctx-switch — stamps exactly where the authors put them.
 */
import type { ThreadRef } from "../kernel/types.js";
import { emptyBody, type Harness } from "./harness.js";

const TEN_MS = 10_000;

/** Creator-side cost only: stamps around the create call; the child has not run yet. */
export function threadCreate(h: Harness): void {
  const k = h.kernel;
  h.main(function* (self) {
    for (let i = 0; i < h.trials(100); i++) {
      const s = yield* k.stamp(self);
      const t = yield* k.threadCreate(self, { name: `child${i}`, cpu: 1, body: emptyBody });
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
      yield* k.delay(self, h.us(TEN_MS));
      yield* k.threadJoin(self, t);
    }
  });
}

/** Sizes swept: 2, 4, ... up to the CPU count (the Phi adds 228 = all of it). */
export function threadCounts(h: Harness): number[] {
  const max = Math.min(h.machine.cpuCount, (h.params.remoteCpus ?? Infinity) + 1);
  const ks: number[] = [];
  for (let k = 2; k <= max; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== max && max === h.machine.cpuCount) ks.push(max);
  return ks;
}

/** Serial creation of k−1 remote threads, thread j bound to CPU j; label core = k. */
export function threadsLong(h: Harness): void {
  const k = h.kernel;
  h.main(function* (self) {
    for (const n of threadCounts(h)) {
      for (let i = 0; i < h.trials(100); i++) {
        const made: ThreadRef[] = [];
        const s = yield* k.stamp(self);
        for (let j = 1; j < n; j++) made.push(yield* k.threadCreate(self, { name: `t${n}.${i}.${j}`, cpu: j, body: emptyBody }));
        const e = yield* k.stamp(self);
        h.emit({ core: n, start: s, end: e, endStep: h.lastStep(self) });
        for (const t of made) yield* k.threadJoin(self, t);
      }
    }
  });
}

/** Launch latency (run) or create + launch (both): until the creator sees the child's flag. */
function threadRunOrBoth(h: Harness, both: boolean): void {
  const k = h.kernel;
  const flag = k.newFlag("child ran");
  h.main(function* (self) {
    for (let i = 1; i <= h.trials(100); i++) {
      const before = both ? yield* k.stamp(self) : 0;
      const t = yield* k.threadCreate(self, { name: `child${i}`, cpu: 1, body: function* (me) { yield* k.write(me, flag, i); } });
      const s = both ? before : yield* k.stamp(self);
      yield* k.spinUntil(self, flag, (v) => v === i);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
      yield* k.delay(self, h.us(TEN_MS));
      yield* k.threadJoin(self, t);
    }
  });
}

export const threadRun = (h: Harness) => threadRunOrBoth(h, false);
export const threadBoth = (h: Harness) => threadRunOrBoth(h, true);

/**
 * Two threads pinned to CPU 1 yield to each other 100 times each after "go"; the window ends
 * when the creator has seen both "done" flags; value = total ÷ 200. Before "go" they
 * yield-poll the flag (our reading of the harness).
 */
export function ctxSwitch(h: Harness): void {
  const k = h.kernel;
  const go = k.newFlag("go");
  const doneA = k.newFlag("done A");
  const doneB = k.newFlag("done B");
  const yielder = (trial: number, done: typeof doneA) => function* (me: ThreadRef) {
    for (;;) {
      yield* k.spinUntil(me, go, () => true);
      if (go.value === trial) break;
      yield* k.yield(me);
    }
    for (let y = 0; y < 100; y++) yield* k.yield(me);
    yield* k.write(me, done, trial);
  };
  h.main(function* (self) {
    for (let i = 1; i <= h.trials(100); i++) {
      const a = yield* k.threadCreate(self, { name: `yielder A${i}`, cpu: 1, body: yielder(i, doneA) });
      const b = yield* k.threadCreate(self, { name: `yielder B${i}`, cpu: 1, body: yielder(i, doneB) });
      yield* k.delay(self, h.us(20)); // both yielders are running by then
      const s = yield* k.stamp(self);
      yield* k.write(self, go, i);
      yield* k.spinUntil(self, doneA, (v) => v === i);
      yield* k.spinUntil(self, doneB, (v) => v === i);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self), value: (e - s) / 200 });
      yield* k.threadJoin(self, a);
      yield* k.threadJoin(self, b);
    }
  });
}
