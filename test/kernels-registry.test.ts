/**
 * The kernel registry and createKernel: every registered kernel builds on every machine it has
 * data for, runs a thread, and an application's extra noise is added to the kernel's own.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { KERNEL_REGISTRY, createKernel, kernelEntry } from "../src/models/kernel/registry.js";
import { KERNELS } from "../src/models/kernel/types.js";
import { PeriodicNoise } from "../src/models/hardware/noise.js";

test("every kernel name in KERNELS is registered, and its data file has the names it requires", () => {
  assert.equal(Object.keys(KERNEL_REGISTRY).sort(), [...KERNELS].sort());
  for (const name of KERNELS) {
    const e = kernelEntry(name);
    const file = e.data("x64");
    const missing = e.parameters.filter((p) => !(p in file.parameters));
    assert.equal(missing, [], `${name}: missing ${missing.join(", ")}`);
  }
  assert.throws(() => kernelEntry("plan9" as never), /unknown kernel "plan9"/);
});

for (const kernel of KERNELS) {
  for (const machine of ["x64", "phi"] as const) {
    test(`createKernel builds ${kernel} on ${machine}: a created thread runs on its CPU and is joined`, () => {
      const sim = new Simulation({ seed: 3 });
      const k = createKernel({ sim, machine, kernel });
      assert.is(k.name, kernel);
      assert.is(k.machine.name, machine);
      let ranOn = -1;
      k.boot({ name: "main", cpu: 0, body: function* (self) {
        const t = yield* k.threadCreate(self, { name: "c", cpu: 2, body: function* (me) { ranOn = me.cpu; } });
        yield* k.threadJoin(self, t);
      } });
      assert.is(sim.run().reason, "empty");
      assert.is(ranOn, 2);
    });
  }
}

test("extraNoise adds to the kernel's own noise: compute is stretched by the extra source", () => {
  const run = (extra: boolean) => {
    const sim = new Simulation({ seed: 9 });
    const period = 100_000, cost = 5_000;
    const k = createKernel({
      sim, machine: "x64", kernel: "nautilus",
      ...(extra ? { extraNoise: () => [new PeriodicNoise("app", period, 0, 1, () => cost, false)] } : {}),
    });
    let took = 0;
    k.boot({ name: "main", cpu: 0, body: function* (self) {
      const s = sim.now;
      yield* k.compute(self, "work", 1_000_000);
      took = sim.now - s;
    } });
    sim.run();
    return took;
  };
  const base = run(false), noisy = run(true);
  // 1 M cycles of work span ≥ 10 periods of the extra source, each stealing 5,000 cycles.
  assert.ok(noisy - base >= 10 * 5_000, `extra noise stole ${noisy - base} cycles`);
});

test.run();
