/**
 * Mechanism unit tests: the CPU timeline is work-conserving, topology distances follow the
 * profile, and every breakdown's steps sum to its total (the measured interval).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Cpu } from "../src/models/hardware/cpu.js";
import { PeriodicNoise } from "../src/models/hardware/noise.js";
import { distanceClass, machineProfile } from "../src/models/hardware/profile.js";
import { Machine } from "../src/models/hardware/machine.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { LINUX_BUILD_EXPERIMENTS, microbenchModel } from "../src/models/microbench/plugin.js";
import { ModelRunError } from "../src/models/plugin.js";

test("an interrupt preempts work, which resumes with its remaining cycles (stolen cycles counted)", () => {
  const sim = new Simulation({ seed: 1 });
  const cpu = new Cpu(0, sim, sim.streams.get("c"), [], null);
  let doneAt = -1;
  cpu.exec(1000, "work", () => { doneAt = sim.now; });
  sim.schedule(400, () => cpu.interrupt("irq", [{ step: "handler", cycles: 300 }]));
  sim.run();
  assert.is(doneAt, 1300);
  assert.is(cpu.stolen, 300);
});

test("interrupts queue behind each other and behind noise; freeAt skips them", () => {
  const sim = new Simulation({ seed: 1 });
  const tick = new PeriodicNoise("tick", 10_000, 100, 1, () => 50, false);
  const cpu = new Cpu(0, sim, sim.streams.get("c"), [tick], null);
  const starts: number[] = [];
  sim.schedule(120, () => {
    starts.push(cpu.interrupt("a", [{ step: "a", cycles: 100 }]).start);
    starts.push(cpu.interrupt("b", [{ step: "b", cycles: 100 }]).start);
  });
  sim.run();
  assert.equal(starts, [150, 250]); // tick [100,150), then a, then b
  assert.is(cpu.freeAt(10_100), 10_150);
});

test("x64 distances: module, die, socket, hops; phi: same core vs ring hops", () => {
  const x64 = machineProfile("x64").topology;
  assert.is(distanceClass(x64, 0, 0).cls, "sameCpu");
  assert.is(distanceClass(x64, 0, 1).cls, "sameModule");
  assert.is(distanceClass(x64, 0, 7).cls, "sameDie");
  assert.is(distanceClass(x64, 0, 8).cls, "sameSocket");
  assert.ok(["oneHop", "twoHops"].includes(distanceClass(x64, 0, 63).cls));
  const phi = machineProfile("phi").topology;
  assert.is(distanceClass(phi, 0, 3).cls, "sameCore");
  assert.equal(distanceClass(phi, 0, 4), { cls: "ring", hops: 1 });
  assert.equal(distanceClass(phi, 0, 227), { cls: "ring", hops: 1 }); // the ring wraps
});

test("compute is stretched by noise (work-conserving); a TSC delay ends at its deadline", () => {
  const m = new Machine({ sim: new Simulation({ seed: 5 }), machine: "x64", streamPrefix: "linux" });
  const k = new LinuxKernel(m, { noise: false }); // the periodic tick only: 250 Hz, 5-15 us, on a busy CPU
  const work = Math.round(m.clockGHz * 1e6) * 10; // 10 ms: at least two ticks land in it
  const us = (x: number) => Math.round(x * m.clockGHz * 1e3);
  let computed = 0, stolen = 0, delayed = 0;
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const s0 = m.cpu(0).stolen;
    let t = k.sim.now;
    yield* k.compute(self, "user work", work);
    computed = k.sim.now - t;
    stolen = m.cpu(0).stolen - s0;
    t = k.sim.now;
    yield* k.delay(self, work);
    delayed = k.sim.now - t;
  } });
  assert.is(k.sim.run().reason, "empty");
  assert.is(computed, work + stolen, "compute ends after its work plus what handlers took");
  assert.ok(stolen >= 2 * us(5), `ticks took only ${stolen} cycles from 10 ms of work`);
  assert.ok(delayed >= work && delayed < work + us(15) + 1, `a delay of ${work} took ${delayed}`);
});

const EXPLAINED = ["thread-create", "thread-run", "thread-both", "ctx-switch", "condvar", "condvar-bcast", "spinlock", "sync-event", "ipi-oneway", "ipi-roundtrip", "nemo-notify", "nemo-bcast", "ipi-send"];

test("breakdowns: step costs are non-negative and sum exactly to the total", () => {
  for (const machine of ["x64", "phi"] as const) {
    for (const kernel of ["nautilus", "linux"] as const) {
      for (const experiment of EXPLAINED) {
        const out = microbenchModel.explain!({ params: { machine, kernel, remoteCpus: 2, trials: 1, warmup: 0 }, experiment, seed: "7", limits: {} });
        for (const b of out) {
          const sum = b.steps.reduce((a, s) => a + s.cost, 0);
          assert.is(sum, b.total, `${machine}/${kernel}/${experiment}: ${b.title}`);
          assert.ok(b.total > 0);
          for (const s of b.steps) assert.ok(s.cost >= 0, `${s.step} has a negative cost`);
        }
        // benchmark.c's Linux build runs only its seven experiments: nothing to break down otherwise
        if (kernel === "nautilus" || LINUX_BUILD_EXPERIMENTS.has(experiment)) assert.ok(out.length > 0, `${machine}/${kernel}/${experiment} has no breakdown`);
        else assert.is(out.length, 0, `${machine}/linux/${experiment} is not in the Linux build`);
      }
    }
  }
});

test("a breakdown's total is the measured interval of its trial", () => {
  const input = { params: { machine: "x64" as const, kernel: "nautilus" as const, remoteCpus: 1, trials: 1, warmup: 0 }, experiment: "condvar", seed: "3", limits: {} };
  const [b] = microbenchModel.explain!(input);
  const run = microbenchModel.run(input);
  assert.is(b!.total, run.observations[0]!.value);
});

test("a Nautilus condvar-bcast run stranded by the modeled paper-era race says who waits and names the race", () => {
  // Found by the validate-then-run property: a 31,582-cycle list op widens the waiter's window,
  // and the broadcast finds 61 of 63 waiters queued.
  const run = () => microbenchModel.run({
    params: { machine: "x64", kernel: "nautilus" }, experiment: "condvar-bcast", seed: "7381747405421206", limits: { maxEvents: 200_000 },
    overrides: { "nautilus.list.op": { dist: "normal", mean: 31582, sd: 6890 } },
  });
  assert.throws(run, (e: unknown) => e instanceof ModelRunError && e.kind === "deadlock"
    && /waits on event 'waitonit7\.6 wake'/.test(e.message) && /paper-era condvar's known race[\s\S]*This run lost [1-9]\d* wake-ups? to it\.\)$/.test(e.message));
});

test.run();
