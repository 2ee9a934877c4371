/** The bsp model: supersteps (exact with an ideal barrier and no noise) and the parallel-for grain sweep. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { minEfficientGrain, runParallelFor } from "../src/models/bsp/parallel-for.js";
import { runSupersteps } from "../src/models/bsp/superstep.js";
import { bspModel } from "../src/models/bsp/plugin.js";
import { ModelRunError } from "../src/models/plugin.js";
import { executeRun } from "../src/scenarios/execute.js";
import { expandRuns } from "../src/scenarios/expand.js";
import { validateDoc } from "../src/scenarios/load.js";
import { plainSource } from "../src/scenarios/source.js";
import hostWorkloads from "../src/models/legion/data/host-workloads.json" with { type: "json" };
import computeScale from "../src/models/legion/data/compute-scale.json" with { type: "json" };

for (const machine of ["x64", "phi"] as const) {
  for (const kernel of ["nautilus", "linux"] as const) {
    test(`${machine} ${kernel}: no noise, constant work, ideal barrier → every superstep is exactly the work`, () => {
      const work = 12_345;
      const r = runSupersteps({ machine, kernel, threads: machine === "phi" ? 32 : 16, supersteps: 8, work, barrier: "ideal", noise: "none" }, "z", {});
      assert.is(r.report.reason, "empty");
      assert.equal(Array.from(r.supersteps), new Array(8).fill(work));
    });
  }
}

test("no noise, constant work, the kernel's barrier: each superstep is work + that barrier's cost (> 0), Linux's futex barrier dearer", () => {
  const cost = (kernel: "nautilus" | "linux") => {
    const r = runSupersteps({ machine: "x64", kernel, threads: 16, supersteps: 6, work: 40_000, barrier: "kernel", noise: "none" }, "z", {});
    const over = Array.from(r.supersteps, (s) => s - 40_000);
    assert.ok(over.every((x) => x > 0), `${kernel}: ${over}`);
    return over.reduce((a, b) => a + b, 0) / over.length;
  };
  assert.ok(cost("linux") > cost("nautilus"));
});

test("noise only stretches supersteps: with the kernel's noise and an ideal barrier none is shorter than the work", () => {
  const r = runSupersteps({ machine: "x64", kernel: "linux", threads: 32, supersteps: 30, work: 200_000, barrier: "ideal" }, "n", {});
  assert.ok(Array.from(r.supersteps).every((s) => s >= 200_000));
  assert.ok(Array.from(r.supersteps).some((s) => s > 200_000), "Linux's tick, kernel threads and daemons hit some superstep");
});

test("work from an engine distribution: the mean drawn work is the distribution's (per-thread streams)", () => {
  const r = runSupersteps({ machine: "x64", kernel: "nautilus", threads: 16, supersteps: 50, work: { dist: "uniform", min: 10_000, max: 30_000 }, barrier: "ideal", noise: "none" }, "w", {});
  assert.ok(Math.abs(r.meanWork - 20_000) < 600, `mean ${r.meanWork}`);
  // Each superstep waits for the slowest of 16 draws: above the mean work.
  assert.ok(Array.from(r.supersteps).every((s) => s >= 10_000 && s <= 30_000));
  assert.ok(r.supersteps.reduce((a, b) => a + b, 0) / 50 > 25_000);
});

test("work from a measured workload kernel: elements × the host's median cycles per element × the machine's ratio, as the same run given that work", () => {
  for (const [machine, kernel, elements, costScale] of [["x64", "hpcg.spmv", 50_000, 1], ["phi", "circuit.calcNewCurrents", 1_000, 3]] as const) {
    // From the data files, not the code under test: cycles per element (median over reps) × cyclesPerHostTsc.<machine>.
    const cycles = Math.round(elements * hostWorkloads.kernels[kernel].cyclesPerElement * computeScale.parameters[`cyclesPerHostTsc.${machine}`].value);
    const base = { machine, kernel: "linux" as const, threads: 8, supersteps: 4, barrier: "ideal" as const, noise: "none" as const, costScale };
    const r = runSupersteps({ ...base, workload: { kernel, elements } }, "k", {});
    assert.equal(Array.from(r.supersteps), new Array(4).fill(cycles * costScale), `${machine} ${kernel}`);
    assert.is(r.report.fingerprint, runSupersteps({ ...base, work: cycles }, "k", {}).report.fingerprint, "same run as with work: cycles");
    // cyclesPerHostTsc replaces the machine's ratio.
    const what = runSupersteps({ ...base, workload: { kernel, elements, cyclesPerHostTsc: 1 } }, "k", {});
    assert.is(what.supersteps[0], Math.round(elements * hostWorkloads.kernels[kernel].cyclesPerElement) * costScale);
    // hrtsim params names where that what-if came from (it said model.params.compute…, legion's path).
    const row = bspModel.parameters!({ ...base, workload: { kernel, elements, cyclesPerHostTsc: 1 } }).find((r) => r.name === `compute.cyclesPerHostTsc.${machine}`);
    assert.equal(row, { name: `compute.cyclesPerHostTsc.${machine}`, value: "1", source: "scenario file: model.params.workload.cyclesPerHostTsc" });
  }
});

test("minEfficientGrain interpolates on log(grain) where the efficiency crosses the target", () => {
  const pts = [{ grain: 100, callCycles: 1000, efficiency: 0.1 }, { grain: 1000, callCycles: 1250, efficiency: 0.8 }, { grain: 10000, callCycles: 10000, efficiency: 1 }];
  assert.ok(Math.abs(minEfficientGrain(pts, 0.9)! - Math.sqrt(1000 * 10000)) < 1e-6);
  assert.is(minEfficientGrain(pts, 0.05), 100);
  assert.is(minEfficientGrain(pts.slice(0, 2), 0.9), undefined);
});

test("parallel-for: overheads amortise (efficiency rises from the smallest to the largest grain, never above 1)", () => {
  for (const wakeup of ["threads", "condvar", "poll", "nemo"] as const) {
    const r = runParallelFor({ machine: "x64", kernel: "nautilus", threads: 16, wakeup, grains: [200, 2_000_000], repetitions: 2 }, "g", {})!;
    assert.is(r.report.reason, "empty");
    const [small, large] = r.points;
    assert.ok(small!.efficiency < large!.efficiency && large!.efficiency <= 1, `${wakeup}: ${small!.efficiency} → ${large!.efficiency}`);
  }
});

test("parallel-for with Nemo on Linux emits nothing (no user-space Nemo events)", () => {
  const out = bspModel.run({ params: { machine: "x64", kernel: "linux", threads: 8, wakeup: "nemo", grains: [1000] }, experiment: "parallel-for", seed: "s", limits: {} });
  assert.equal(out.observations, []);
});


test("too many threads: the run fails as legion's runs do (failOn: a model run error), with the problem the constraints hook reports", () => {
  const params = { machine: "x64" as const, kernel: "nautilus" as const, threads: 65, supersteps: 2, work: 1000 };
  const [problem, ...rest] = bspModel.constraints!(params, {});
  assert.equal(rest, []);
  assert.is(problem!.path, "threads");
  for (const experiment of ["superstep", "parallel-for"]) {
    try {
      bspModel.run({ params, experiment, seed: "s", limits: {} });
      assert.unreachable(`${experiment} ran with 65 threads on a 64-CPU machine`);
    } catch (e) {
      assert.instance(e, ModelRunError);
      assert.is((e as ModelRunError).kind, "model");
      assert.is((e as Error).message, `${problem!.message}: expected ${problem!.expected}, found ${problem!.found}`);
    }
  }
});

test("a parallel-for that hangs in the modeled paper-era condvar race says who waits and names the race (it said only 'deadlock at t=…')", () => {
  // Found by the validate-then-run property: Nautilus on the Phi, condvar wake-ups, stores that often cost 0.
  const doc = {
    name: "p", description: "condvar race", model: { name: "bsp", params: { machine: "phi", kernel: "nautilus", grains: [1] } }, experiment: "parallel-for",
    parameters: { "phi.store": { dist: "normal", mean: 0, sd: 1320 } }, replications: 1, seed: 3, limits: { maxEvents: 200_000 },
  };
  const [spec] = expandRuns(validateDoc(plainSource("p.yaml", doc), "hash"));
  const r = executeRun({ model: "bsp", limits: { maxEvents: 200_000 }, spec: spec! });
  assert.is(r.status, "failed", "this case hangs (if the model changed and it no longer does, pick another)");
  assert.match(r.error!, /^deadlock: deadlock at t=\d+: the event queue is empty but 228 process\(es\) still wait:\n[\s\S]*  - 'caller' waits on event 'caller wake'\n/);
  assert.match(r.error!, /With Nautilus and wakeup condvar, a worker asleep on its queue's condvar can miss its wake-up in the paper-era condvar's known race[\s\S]*This run lost [1-9]\d* wake-ups? to it\.\)$/);
});

test("supersteps that hang in the modeled paper-era condvar race (a worker's task signal lost before it slept) name the race", () => {
  // Found by the validate-then-run property at 15×: Nautilus on x64, 3 threads, stores that often cost 0.
  const doc = {
    name: "p", description: "condvar race", model: { name: "bsp", params: { machine: "x64", kernel: "nautilus", threads: 3 } }, experiment: "superstep",
    parameters: { "x64.store": { dist: "normal", mean: 2418, sd: 3528 } }, replications: 1, seed: 3, limits: { maxEvents: 200_000 },
  };
  const [spec] = expandRuns(validateDoc(plainSource("p.yaml", doc), "hash"));
  const r = executeRun({ model: "bsp", limits: { maxEvents: 200_000 }, spec: spec! });
  assert.is(r.status, "failed", "this case hangs (if the model changed and it no longer does, pick another)");
  assert.match(r.error!, /^deadlock: deadlock at t=\d+: the event queue is empty but 4 process\(es\) still wait:\n[\s\S]*  - 'worker 1' waits on event 'worker 1 wake'\n/);
  assert.match(r.error!, /With Nautilus and the runtime's blocking idle, a worker asleep on its queue's condvar can miss its wake-up in the paper-era condvar's known race[\s\S]*This run lost [1-9]\d* wake-ups? to it\.\)$/);
});

test.run();
