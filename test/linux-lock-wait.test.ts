/**
 * glibc's contended lock path (__lll_lock_wait, x86_64 lowlevellock.S of the era): after a
 * failed cmpxchg, a thread that saw the word at 1 exchanges it to 2 (an atomic step) before it
 * sleeps; one that saw 2 goes straight to futex_wait; a woken waiter exchanges again. Checked on
 * the recorded steps of three threads taking one mutex: the holder, then two contenders.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import type { StepRecord } from "../src/models/hardware/recorder.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";

/** The recorded steps of each CPU after the holder (CPU 1) and contenders (CPUs 2, 3) take mutex m. */
function contend(machine: "x64" | "phi"): Map<number, string[]> {
  const m = new Machine({ sim: new Simulation({ seed: "lock-wait" }), machine, streamPrefix: "linux", record: true });
  const k = new LinuxKernel(m, { noise: false });
  const mutex = k.newMutex("m");
  const hold = Math.round(m.clockGHz * 50_000); // 50 µs: both contenders arrive meanwhile
  const base = Math.round(m.clockGHz * 5e6); // 5 ms: every thread is created by then
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const threads = [];
    for (const [cpu, start] of [[1, 0], [2, hold / 5], [3, (2 * hold) / 5]] as const) {
      threads.push(yield* k.threadCreate(self, { name: `t${cpu}`, cpu, body: function* (me) {
        yield* k.delay(me, base + Math.round(start) - m.sim.now);
        yield* k.mutexLock(me, mutex);
        yield* k.compute(me, "critical section", cpu === 1 ? hold : 1000);
        yield* k.mutexUnlock(me, mutex);
      } }));
    }
    for (const t of threads) yield* k.threadJoin(self, t);
  } });
  const report = m.sim.run({ maxEvents: 1_000_000 });
  assert.is(report.reason, "empty");
  const byCpu = new Map<number, string[]>();
  for (const s of m.recorder!.steps as readonly StepRecord[]) {
    if (!/lock|futex_wait|critical/.test(s.step)) continue;
    (byCpu.get(s.cpu) ?? byCpu.set(s.cpu, []).get(s.cpu)!).push(s.step);
  }
  return byCpu;
}

/** The steps of `list` from its first cmpxchg of m up to its critical section. */
function lockPath(list: readonly string[]): string[] {
  const from = list.findIndex((s) => s.includes("cmpxchg m"));
  const to = list.indexOf("critical section");
  assert.ok(from >= 0 && to > from, `no lock path in ${JSON.stringify(list)}`);
  return list.slice(from, to).map((s) => (s.includes("cmpxchg") ? "cmpxchg" : s.includes("xchg m to 2") ? "xchg" : s.includes("futex_wait") && s.includes("entry") ? "futex_wait" : "")).filter((s) => s !== "");
}

for (const machine of ["x64", "phi"] as const) {
  test(`${machine}: a contender that saw 1 exchanges to 2 before sleeping; one that saw 2 sleeps at once; woken, each exchanges again`, () => {
    const steps = contend(machine);
    assert.equal(lockPath(steps.get(1)!), ["cmpxchg"], "the holder takes the free lock with its cmpxchg");
    assert.equal(lockPath(steps.get(2)!), ["cmpxchg", "xchg", "futex_wait", "xchg"], "first contender");
    assert.equal(lockPath(steps.get(3)!), ["cmpxchg", "futex_wait", "xchg"], "second contender");
  });
}

test.run();
