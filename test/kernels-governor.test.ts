/**
 * The menu governor (linux/governor.ts, after drivers/cpuidle/governors/menu.c of 3.x): the
 * typical-interval rule, the state choice against target residency and exit latency, the
 * learned correction factor, and what it does to a wake-up: a regular short idle gets C1, an
 * idle with no timer and no history gets the deepest enabled state, and config.c6 = 0 never
 * leaves core C6. (The old rule — "deep after 200 µs idle" — fails the first and last tests.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { createKernel } from "../src/models/kernel/registry.js";
import { microbenchModel } from "../src/models/microbench/plugin.js";
import { IdleHistory, chooseState, typicalInterval, type IdleState } from "../src/models/linux/governor.js";

const US = 2100; // cycles per µs at 2.1 GHz

test("typical interval: regular intervals give their mean; one outlier is dropped; irregular ones give none", () => {
  assert.is(typicalInterval([100, 100, 100, 100, 100, 100, 100, 100].map((x) => x * US), US), 100 * US);
  assert.is(typicalInterval([100, 100, 100, 100, 100, 100, 100, 5000].map((x) => x * US), US), 100 * US);
  assert.is(typicalInterval([10, 5000, 30, 2000, 700, 90, 4000, 1].map((x) => x * US), US), undefined);
  assert.is(typicalInterval([100, 100, 100].map((x) => x * US), US), undefined); // fewer than 8: no detection
});

test("state choice: the deepest state whose target residency and exit latency fit the prediction", () => {
  const states: IdleState[] = [
    { name: "C1", residency: 2 * US, exitLatency: 1 * US, exitParameter: "idle.haltExit" },
    { name: "C6", residency: 200 * US, exitLatency: 31 * US, exitParameter: "idle.deepExit" },
  ];
  assert.is(chooseState(states, 150 * US).name, "C1");
  assert.is(chooseState(states, 250 * US).name, "C6");
  assert.is(chooseState(states, 0).name, "C1"); // the shallowest is the floor
});

test("correction factor: idle periods far shorter than the next timer shrink the prediction for that bucket", () => {
  const h = new IdleHistory(US);
  const next = 50_000 * US;
  assert.is(h.corrected(0, next), next);
  for (let i = 0; i < 40; i++) h.record(0, 100 * US, next);
  assert.ok(h.corrected(0, next) < 1_000 * US, `still predicts ${h.corrected(0, next) / US} µs`);
  assert.is(h.corrected(1, next), next); // per CPU
});

/** Wake latency on CPU 2 after `idleUs` of idle, `rounds` times, with the given C6 setting; returns the exit steps' names. */
function exits(c6: boolean, idleUs: number, rounds: number): string[] {
  const sim = new Simulation({ seed: "gov" });
  const k = createKernel({ sim, machine: "x64", kernel: "linux", record: true, options: { noise: false, deepIdle: c6 } });
  const cv = k.newCondVar("cv"), m = k.newMutex("m");
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const w = yield* k.threadCreate(self, { name: "waiter", cpu: 2, body: function* (me) {
      for (let i = 0; i < rounds; i++) { yield* k.mutexLock(me, m); yield* k.condWait(me, cv, m); yield* k.mutexUnlock(me, m); }
    } });
    for (let i = 0; i < rounds; i++) {
      yield* k.delay(self, idleUs * US);
      yield* k.condSignal(self, cv);
    }
    yield* k.threadJoin(self, w);
  } });
  assert.is(sim.run({ maxEvents: 2_000_000 }).reason, "empty");
  return k.machine.recorder!.steps.filter((s) => s.cpu === 2 && s.step.startsWith("leave ")).map((s) => s.step);
}

test("a regular 100 µs idle period settles in C1 although it passes C6's exit latency; with no history the first long idle gets C6", () => {
  const regular = exits(true, 100, 30);
  assert.is(regular.at(-1), "leave C1 (hlt)", regular.join(", "));
  const long = exits(true, 3_000, 1); // the thread's start on an idle CPU, then the signal after 3 ms
  assert.ok(long.length >= 1 && long.every((s) => s === "leave core C6"), long.join(", "));
});

test("config.c6 off: no wake-up ever leaves core C6, however long the idle", () => {
  const out = exits(false, 3_000, 5);
  assert.ok(out.length >= 1 && out.every((s) => s === "leave C1 (hlt)"), out.join(", "));
});

test("ctx-switch's window has no idle-state exit, so C6 on or off cannot change it (why microbench-paper-c6off omits it)", () => {
  for (const deepIdle of [true, false]) {
    const out = microbenchModel.explain!({ params: { machine: "x64", kernel: "linux", deepIdle, trials: 1 }, experiment: "ctx-switch", seed: "c", limits: {} });
    assert.ok(out.length >= 1 && out.every((b) => b.steps.length > 0), "explain broke the window down into steps");
    const leaves = out.flatMap((b) => b.steps.filter((s) => s.step.startsWith("leave ")));
    assert.equal(leaves, [], `deepIdle ${deepIdle}: ${leaves.map((s) => s.step).join(", ")}`);
  }
});

test.run();
