/**
 * The Linux side of benchmark.c as its code has it (b512503 src/test/benchmark.c): the Linux
 * main() runs only seven experiments; thread-create/-run/-both pass the affinity in the
 * attribute (glibc's stopped start), the others call pthread_create(NULL) and then
 * pthread_setaffinity_np; the condvar main thread is not pinned, so a wake-up may move it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { createKernel } from "../src/models/kernel/registry.js";
import type { ThreadRef } from "../src/models/kernel/types.js";
import { LINUX_BUILD_EXPERIMENTS, microbenchModel } from "../src/models/microbench/plugin.js";

test("the Linux build runs only CREATE, CREATE_LONG, RUN, BOTH, CONDVAR, CONDVAR_BCAST, CTX_SWITCH: nothing else is emitted for Linux", () => {
  assert.equal([...LINUX_BUILD_EXPERIMENTS].sort(), ["condvar", "condvar-bcast", "ctx-switch", "thread-both", "thread-create", "thread-run", "threads-long"]);
  for (const experiment of ["spinlock", "sync-event", "ipi-send", "nemo-notify"]) {
    const out = microbenchModel.run({ params: { machine: "x64", kernel: "linux", trials: 2, remoteCpus: 1 }, experiment, seed: "s", limits: {} });
    assert.is(out.observations.length, 0, `linux ${experiment} emitted ${out.observations.length}`);
    const nk = microbenchModel.run({ params: { machine: "x64", kernel: "nautilus", trials: 2, remoteCpus: 1 }, experiment, seed: "s", limits: {} });
    assert.ok(nk.observations.length > 0, `nautilus ${experiment} emitted nothing`);
  }
});

/** Creates one thread bound to CPU 5 from CPU 0 with `affinity`; returns the recorded step names and where its body ran. */
function createOn5(affinity: "attribute" | "after") {
  const sim = new Simulation({ seed: "aff" });
  const k = createKernel({ sim, machine: "x64", kernel: "linux", record: true, options: { noise: false } });
  const cpus: number[] = [];
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const c = yield* k.threadCreate(self, { name: "child", cpu: 5, affinity, body: function* (me) {
      cpus.push(me.cpu);
      yield* k.compute(me, "work", 200_000);
      cpus.push(me.cpu);
    } });
    yield* k.threadJoin(self, c);
  } });
  assert.is(sim.run().reason, "empty");
  return { steps: k.machine.recorder!.steps.map((s) => s.step), cpus };
}

test("attribute affinity: the child waits on pd->lock (stopped start); NULL + setaffinity: no start lock, the affinity call moves a child already placed elsewhere", () => {
  const attr = createOn5("attribute"), after = createOn5("after");
  assert.ok(attr.steps.some((s) => s.startsWith("lll_lock(pd->lock)")));
  assert.not.ok(after.steps.some((s) => s.includes("pd->lock")), "pthread_create(NULL) takes no start lock");
  // the child inherits pinned main's mask, so it is queued on CPU 0; sched_setaffinity must move it
  assert.ok(after.steps.some((s) => /^move_queued_task cpu0→cpu5|^migration stopper/.test(s)), "the child was not migrated");
  assert.equal(attr.cpus, [5, 5]);
  assert.equal(after.cpus.at(-1), 5);
});

/** A waiter on CPU 0 (pinned or not), woken while CPU 0 runs another thread. */
function wakeWhileCpu0Busy(pinned: boolean): { wokeOn: number; waited: number } {
  const sim = new Simulation({ seed: "pin" });
  const k = createKernel({ sim, machine: "x64", kernel: "linux", options: { noise: false } });
  const cv = k.newCondVar("cv"), m = k.newMutex("m");
  let wokeOn = -1, signalled = 0, woke = 0;
  let hog: ThreadRef | null = null;
  k.boot({ name: "waiter", cpu: 0, pinned, body: function* (self) {
    const sig = yield* k.threadCreate(self, { name: "signaller", cpu: 3, body: function* (me) {
      yield* k.compute(me, "let the waiter block", 200_000);
      // CPU 0 idles now: a new thread bound there runs at once and keeps it busy
      hog = yield* k.threadCreate(me, { name: "hog", cpu: 0, body: function* (h) { yield* k.compute(h, "hog CPU 0", 2_000_000); } });
      yield* k.compute(me, "let the hog start", 100_000);
      signalled = sim.now;
      yield* k.condSignal(me, cv);
    } });
    yield* k.mutexLock(self, m);
    yield* k.condWait(self, cv, m);
    woke = sim.now;
    wokeOn = self.cpu;
    yield* k.mutexUnlock(self, m);
    yield* k.threadJoin(self, sig);
    yield* k.threadJoin(self, hog!);
  } });
  assert.is(sim.run().reason, "empty");
  return { wokeOn, waited: woke - signalled };
}

test("an unpinned waiter whose CPU is busy wakes on an idle CPU of its die; a pinned one waits for its CPU", () => {
  const free = wakeWhileCpu0Busy(false), pinned = wakeWhileCpu0Busy(true);
  assert.ok(free.wokeOn > 0 && free.wokeOn < 8, `unpinned waiter woke on cpu${free.wokeOn}`);
  assert.is(pinned.wokeOn, 0);
  assert.ok(pinned.waited > 10 * free.waited, `pinned waited ${pinned.waited}, unpinned ${free.waited}`);
});

test.run();
