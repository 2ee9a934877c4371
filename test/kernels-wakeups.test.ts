/**
 * Wake-ups with deep idle states on: a CPU asleep in core C6 delays a wake-up by its exit
 * latency but never loses it; the authors' condvar-bcast harness finishes with every waiter
 * woken in every trial; and the harness's guard against a wait begun after its signal works.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import type { BaseKernel } from "../src/models/kernel/base.js";
import type { ThreadRef } from "../src/models/kernel/types.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { Harness } from "../src/models/microbench/harness.js";
import { microbenchModel } from "../src/models/microbench/plugin.js";
import { waitForWaiters } from "../src/models/microbench/sync.js";
import { NautilusKernel } from "../src/models/nautilus/kernel.js";
import { bootCondVarWaiters } from "./support/condvar-waiters.js";

const MACHINES = ["x64", "phi"] as const;

function boot(kernel: "nautilus" | "linux", machine: "x64" | "phi", seed: string): BaseKernel {
  const m = new Machine({ sim: new Simulation({ seed }), machine, streamPrefix: kernel, record: true });
  return kernel === "nautilus" ? new NautilusKernel(m) : new LinuxKernel(m, { deepIdle: true });
}

test("deep idle on: a broadcast wakes every registered waiter, however long their CPUs slept", () => {
  for (const kernel of ["nautilus", "linux"] as const) {
    for (const machine of MACHINES) {
      for (const seed of ["a", "b"]) {
        const k = boot(kernel, machine, seed);
        const n = 20;
        const waiters = bootCondVarWaiters(k, n, function* (self, cv) {
          while (k.registeredWaiters(cv) < n) yield* k.delay(self, 1000);
          yield* k.delay(self, 3 * Math.round(k.machine.clockGHz * 1e6)); // 3 ms: long past the deep-state residency
          yield* k.condBroadcast(self, cv);
        });
        const report = k.sim.run({ maxEvents: 5_000_000 });
        assert.is(report.reason, "empty", `${kernel}/${machine}/${seed}`);
        assert.is(waiters.woken(), n, `${kernel}/${machine}/${seed}: ${waiters.woken()} of ${n} woke`);
        if (kernel === "linux") {
          const deepExits = k.machine.recorder!.steps.filter((s) => s.step === "leave core C6").length;
          assert.ok(deepExits > 0, `${machine}/${seed}: no wake-up left a deep C-state`);
        }
      }
    }
  }
});

test("the authors' condvar-bcast with deep idle on finishes and every waiter wakes in every trial", () => {
  for (const machine of MACHINES) {
    const trials = machine === "x64" ? 100 : 30; // the authors' 100 trials where a run is quick
    for (const seed of ["1", "3", "6"]) {
      const out = microbenchModel.run({ params: { machine, kernel: "linux", deepIdle: true, trials }, experiment: "condvar-bcast", seed, limits: { maxEvents: 50_000_000 } });
      const cycles = out.observations.filter((o) => o.metric === "cycles");
      const perCore = new Map<number, number>();
      for (const o of cycles) {
        assert.ok(o.value > 0, `${machine}/${seed}: a waiter woke before the broadcast`);
        const core = o.labels!.core as number;
        perCore.set(core, (perCore.get(core) ?? 0) + 1);
      }
      assert.equal([...perCore.keys()].sort((a, b) => a - b), Array.from({ length: 63 }, (_, i) => i + 1), `${machine}/${seed}: waiters on CPUs 1..63`);
      for (const [core, n] of perCore) assert.is(n, trials, `${machine}/${seed}: cpu${core} woke ${n} of ${trials} times`);
      const late = out.observations.filter((o) => o.metric === "lateWaiters");
      assert.is(late.length, trials);
      for (const o of late) assert.ok(o.value >= 0 && o.value <= 63);
    }
  }
});

test("the harness guard: a wait begun after the harness's delay is counted late and still woken", () => {
  for (const kernel of ["nautilus", "linux"] as const) {
    const h = new Harness({ machine: "x64", kernel, deepIdle: true }, "guard", false);
    const k = h.kernel;
    const cv = k.newCondVar("cv");
    const m = k.newMutex("m");
    let late = -1;
    let woke = false;
    h.main(function* (self) {
      const waiter: ThreadRef = yield* k.threadCreate(self, { name: "slow waiter", cpu: 1, body: function* (me) {
        yield* k.delay(me, h.us(500)); // starts waiting long after the signaller's delay
        yield* k.mutexLock(me, m);
        yield* k.condWait(me, cv, m);
        woke = true;
        yield* k.mutexUnlock(me, m);
      } });
      yield* h.harnessDelay(self, 100);
      late = yield* waitForWaiters(h, self, cv, 1, 100);
      yield* k.condSignal(self, cv);
      yield* k.threadJoin(self, waiter);
    });
    const report = h.sim.run({ maxEvents: 1_000_000 });
    assert.is(report.reason, "empty", kernel);
    assert.is(late, 1, kernel);
    assert.ok(woke, `${kernel}: the late waiter was not woken`);
  }
});

test.run();
