/**
 * Thread experiments of benchmark.c: thread-create, threads-long, thread-run, thread-both,
 * ctx-switch — stamps exactly where the authors put them, DELAY as the build's macro
 * (udelay on Nautilus, usleep on Linux).
 */
import type { ThreadRef } from "../kernel/types.js";
import { emptyBody, type Harness } from "./harness.js";

/** Creator-side cost only: stamps around the create call; the child has not run yet. */
export function threadCreate(h: Harness, sleepUs = 10_000): void {
  const k = h.kernel;
  h.main(function* (self) {
    for (let i = 0; i < h.trials(100); i++) {
      const s = yield* k.stamp(self);
      const t = yield* k.threadCreate(self, { name: `child${i}`, cpu: 1, body: emptyBody });
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
      yield* h.harnessDelay(self, sleepUs);
      yield* k.threadJoin(self, t);
    }
  });
}

/** Sizes swept: 2, 4, ... up to the CPU count (the Phi adds 228 = all of it). */
function threadCounts(h: Harness): number[] {
  const max = Math.min(h.machine.cpuCount, (h.params.remoteCpus ?? Infinity) + 1);
  const ks: number[] = [];
  for (let k = 2; k <= max; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== max && max === h.machine.cpuCount) ks.push(max);
  return ks;
}

/** Serial creation of k−1 remote threads, thread j bound to CPU j (Linux: pthread_create(NULL) + pthread_setaffinity_np); label core = k. */
export function threadsLong(h: Harness): void {
  const k = h.kernel;
  h.main(function* (self) {
    for (const n of threadCounts(h)) {
      for (let i = 0; i < h.trials(100); i++) {
        const made: ThreadRef[] = [];
        const s = yield* k.stamp(self);
        for (let j = 1; j < n; j++) made.push(yield* k.threadCreate(self, { name: `t${n}.${i}.${j}`, cpu: j, body: emptyBody, affinity: "after" }));
        const e = yield* k.stamp(self);
        h.emit({ core: n, start: s, end: e, endStep: h.lastStep(self) });
        yield* h.harnessDelay(self, 10_000);
        for (const t of made) yield* k.threadJoin(self, t);
        yield* h.harnessDelay(self, 10_000);
      }
    }
  });
}

/** Launch latency (run) or create + launch (both): until the creator sees the child's flag. */
function threadRunOrBoth(h: Harness, both: boolean): void {
  const k = h.kernel;
  const flag = k.newFlag("thread_run_done");
  h.main(function* (self) {
    for (let i = 1; i <= h.trials(100); i++) {
      const before = both ? yield* k.stamp(self) : 0;
      const t = yield* k.threadCreate(self, { name: `child${i}`, cpu: 1, body: function* (me) { yield* k.write(me, flag, i); } });
      const s = both ? before : yield* k.stamp(self);
      yield* k.spinUntil(self, flag, (v) => v === i);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
      yield* h.harnessDelay(self, 100);
      yield* k.threadJoin(self, t);
    }
  });
}

export const threadRun = (h: Harness) => threadRunOrBoth(h, false);
export const threadBoth = (h: Harness) => threadRunOrBoth(h, true);

/**
 * time_ctx_switch: two threads pinned to CPU 1 each set `ready`, yield, yield-poll `go`, then
 * yield 100 times and set `done`. The creator DELAY(10000)s, waits for both `ready`, sets
 * `go`, then stamps; the window ends when it has seen both `done`; value = total ÷ 200.
 */
export function ctxSwitch(h: Harness): void {
  const k = h.kernel;
  const go = k.newFlag("go");
  const ready = [k.newFlag("ready[0]"), k.newFlag("ready[1]")] as const;
  const done = [k.newFlag("done[0]"), k.newFlag("done[1]")] as const;
  const switcher = (trial: number, id: 0 | 1) => function* (me: ThreadRef) {
    yield* k.write(me, ready[id], trial);
    yield* k.yield(me);
    for (;;) {
      yield* k.spinUntil(me, go, () => true); // one load of go
      if (go.value === trial) break;
      yield* k.yield(me);
    }
    for (let y = 0; y < 100; y++) yield* k.yield(me); // the harness's 100 yields per switcher
    yield* k.write(me, done[id], trial);
  };
  h.main(function* (self) {
    for (let i = 1; i <= h.trials(100); i++) {
      const a = yield* k.threadCreate(self, { name: `switcher A${i}`, cpu: 1, body: switcher(i, 0), affinity: "after" });
      const b = yield* k.threadCreate(self, { name: `switcher B${i}`, cpu: 1, body: switcher(i, 1), affinity: "after" });
      yield* h.harnessDelay(self, 10_000);
      yield* k.spinUntil(self, ready[0], (v) => v === i);
      yield* k.spinUntil(self, ready[1], (v) => v === i);
      yield* k.write(self, go, i);
      const s = yield* k.stamp(self);
      yield* k.spinUntil(self, done[0], (v) => v === i);
      yield* k.spinUntil(self, done[1], (v) => v === i);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self), value: (e - s) / 200 }); // 2 switchers × 100 yields
      yield* k.threadJoin(self, a);
      yield* k.threadJoin(self, b);
    }
  });
}
