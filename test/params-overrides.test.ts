/**
 * Parameter overrides through the plug-in contract: a cost changed by its dotted path moves the
 * result the way the mechanism says, checks reject what a run could not use, and a user's
 * machine profile replaces the built-in one.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { quantileSorted } from "d3-array";
import { checkOverride, describeFile, applyOverrides } from "../src/models/hardware/overrides.js";
import { machineProfile } from "../src/models/hardware/profile.js";
import { findModel, type ModelPlugin, type ParameterOverrides } from "../src/models/index.js";

const microbench = findModel("microbench") as ModelPlugin;
const hvm = findModel("hvm") as ModelPlugin;

function median(values: number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5)!;
}

function microMedian(kernel: string, experiment: string, overrides: ParameterOverrides, machine: string = "x64"): number {
  const params = { machine, kernel, trials: 30 };
  const out = microbench.run({ params, experiment, seed: "overrides", limits: {}, overrides });
  return median(out.observations.filter((o) => o.metric === "cycles").map((o) => o.value));
}

test("raising the atomic's cost by Δ raises the spinlock median by a whole number (≥ 1) of Δ: one per locked instruction on the path", () => {
  for (const kernel of ["nautilus"]) { // the Linux build of the harness has no spinlock experiment
    const delta = 20_000;
    const low = microMedian(kernel, "spinlock", { "x64.atomic": 40 });
    const high = microMedian(kernel, "spinlock", { "x64.atomic": 40 + delta });
    const k = (high - low) / delta;
    assert.ok(k >= 0.99, `${kernel}: the spinlock path must contain an atomic (k = ${k})`);
    assert.ok(Math.abs(k - Math.round(k)) < 0.01, `${kernel}: shift ${high - low} is not a multiple of Δ = ${delta}`);
  }
});

test("an override of another scope, or of the machine not in use, changes nothing (same seed, same fingerprint)", () => {
  const base = microbench.run({ params: { machine: "x64", kernel: "nautilus", trials: 5 }, experiment: "spinlock", seed: "s", limits: {} });
  for (const overrides of [{ "linux.syscall.entry": 99_999 }, { "phi.atomic": 99_999 }, {}]) {
    const other = microbench.run({ params: { machine: "x64", kernel: "nautilus", trials: 5 }, experiment: "spinlock", seed: "s", limits: {}, overrides });
    assert.is(other.fingerprint, base.fingerprint, JSON.stringify(overrides));
  }
});

test("{ scale: f } multiplies a distribution: scaling the atomic by 1 leaves the run identical, by 3 raises the spinlock median", () => {
  const base = microMedian("nautilus", "spinlock", {});
  assert.is(microMedian("nautilus", "spinlock", { "x64.atomic": { scale: 1 } }), base);
  assert.ok(microMedian("nautilus", "spinlock", { "x64.atomic": { scale: 3 } }) > base + 2 * 40 * 0.5);
});

test("hvm: raising #VMEXIT by Δ raises the null hypercall by a whole number (≥ 1) of Δ per call", () => {
  const delta = 50_000;
  const run = (overrides: ParameterOverrides) => {
    const out = hvm.run({ params: { trials: 3, loop: 5 }, experiment: "null-hypercall", seed: "s", limits: {}, overrides });
    return median(out.observations.filter((o) => o.metric === "cycles").map((o) => o.value));
  };
  const k = (run({ "hvm.svm.vmexit": 1000 + delta }) - run({ "hvm.svm.vmexit": 1000 })) / delta;
  assert.ok(k >= 0.99 && Math.abs(k - Math.round(k)) < 0.02, `k = ${k}`);
});

test("parameterSpace names every entry by its override path, with unit, kind and source", () => {
  const space = microbench.parameterSpace!({ machine: "x64", kernel: "linux" });
  const paths = new Set(space.map((e) => e.path));
  for (const p of ["x64.apic.accept", "x64.atomic", "linux.syscall.entry"]) assert.ok(paths.has(p), p);
  assert.not.ok([...paths].some((p) => p.startsWith("nautilus.") || p.startsWith("phi.")));
  const accept = space.find((e) => e.path === "x64.apic.accept")!;
  assert.is(accept.kind, "distribution");
  assert.is(accept.unit, "cycles");
  const hvmPaths = new Set(hvm.parameterSpace!({}).map((e) => e.scope));
  assert.equal([...hvmPaths].sort(), ["hvm", "linux", "nautilus", "x64"]);
});

test("checkOverride: types, signs, probabilities, counts, booleans and scale factors", () => {
  const info = (unit: string, value: unknown, name = "p") => describeFile("s", { subject: "", parameters: { [name]: { value: value as number, source: "assumption: test entry", unit: unit as "cycles" } } })[0]!;
  assert.is(checkOverride(info("cycles", 5), 7), undefined);
  assert.is(checkOverride(info("cycles", 5), { dist: "uniform", min: 1, max: 2 }), undefined);
  assert.is(checkOverride(info("cycles", 5), { scale: 2 }), undefined);
  assert.match(checkOverride(info("cycles", 5), -1)!.message, /out of range/);
  assert.match(checkOverride(info("cycles", 5), "fast")!.message, /wrong type/);
  assert.match(checkOverride(info("cycles", 5), { dist: "normal", mean: 1 })!.message, /invalid distribution/);
  assert.match(checkOverride(info("probability", 0.5), 1.5)!.message, /out of range/);
  assert.match(checkOverride(info("count", 3), 2.5)!.message, /out of range/);
  assert.match(checkOverride(info("hz", 100), { scale: 2 })!.message, /only time costs/);
  assert.match(checkOverride(info("hz", 100), { dist: "uniform", min: 1, max: 2 })!.message, /wrong type/);
  const option = info("flag", 1, "config.kicks");
  assert.is(option.kind, "flag");
  assert.is(checkOverride(option, true), undefined);
  assert.match(checkOverride(option, 2)!.message, /on\/off/);
});

test("applyOverrides keeps the file's value and source in the overridden entry's source", () => {
  const file = applyOverrides(machineProfile("x64"), "x64", { "x64.atomic": 77, "nautilus.call": 3 }, "x64.json");
  assert.is(file.parameters.atomic!.value, 77);
  assert.match(file.parameters.atomic!.source, /^override x64\.atomic = 77 \(file value .*assumption/);
  assert.is(file.parameters.store, machineProfile("x64").parameters.store);
  assert.throws(() => applyOverrides(machineProfile("x64"), "x64", { "x64.nope": 1 }, "x64.json"), /names no parameter/);
});

test("a user machine profile replaces the built-in one: a machine with half the x64's cache-line costs has a faster sync-event", () => {
  const x64 = machineProfile("x64");
  const half = Object.fromEntries(Object.entries(x64.parameters).map(([k, e]) => [k, k.startsWith("cacheLine.") ? { ...e, value: typeof e.value === "number" ? e.value / 2 : { dist: "constant", value: 50 } } : e]));
  const machine = { ...x64, machine: "mybox", subject: "test box", parameters: half };
  const run = (m?: typeof machine) => {
    const out = microbench.run({ params: { machine: "x64", kernel: "nautilus", trials: 10, remoteCpus: 2 }, experiment: "sync-event", seed: "s", limits: {}, ...(m ? { machine: m } : {}) });
    return median(out.observations.map((o) => o.value));
  };
  assert.ok(run(machine) < run(), `${run(machine)} vs ${run()}`);
  const space = microbench.parameterSpace!({ machine: "x64", kernel: "nautilus" }, machine);
  assert.ok(space.some((e) => e.path === "mybox.cacheLine.sameModule"));
});


test("the Legion model takes kernel overrides: a costlier Linux futex wake slows only the Linux runs, and the space lists both kernels' files", () => {
  const legion = findModel("legion") as ModelPlugin;
  const params = { machine: "x64", kernels: ["nautilus", "linux"], cores: 4, iterations: 2 };
  const time = (overrides: ParameterOverrides) => {
    const out = legion.run({ params, experiment: "circuit", seed: "legion-overrides", limits: {}, overrides });
    const of = (kernel: string) => out.observations.find((o) => o.metric === "iterationTime" && o.labels?.kernel === kernel)!.value;
    return { nautilus: of("nautilus"), linux: of("linux") };
  };
  const base = time({});
  const slow = time({ "linux.syscall.entry": { scale: 50 } });
  assert.is(slow.nautilus, base.nautilus, "a linux.* override must not touch the Nautilus run");
  assert.ok(slow.linux > base.linux, `Linux iteration ${slow.linux} µs should exceed ${base.linux} µs`);
  const paths = legion.parameterSpace!(params).map((i) => i.path);
  assert.ok(paths.includes("x64.apic.accept") && paths.some((p) => p.startsWith("nautilus.")) && paths.includes("linux.syscall.entry"));
});

test("the BSP model takes overrides: a dearer atomic slows Nautilus's barrier, a linux.* override leaves the run as it was", () => {
  const bsp = findModel("bsp") as ModelPlugin;
  const params = { machine: "x64", kernel: "nautilus", threads: 8, supersteps: 20, noise: "none", work: 20000 };
  const run = (overrides: ParameterOverrides) => bsp.run({ params, experiment: "superstep", seed: "bsp-overrides", limits: {}, overrides });
  const steps = (o: ReturnType<typeof run>) => median(o.observations.filter((x) => x.metric === "superstep").map((x) => x.value));
  const base = run({});
  assert.is(run({ "linux.syscall.entry": { scale: 50 } }).fingerprint, base.fingerprint);
  const delta = 5000;
  const dear = run({ "x64.atomic": 40 + delta });
  assert.ok(steps(dear) - steps(base) >= delta, `superstep ${steps(base)} → ${steps(dear)}: the barrier's locked instructions must cost Δ = ${delta} more`);
  assert.ok(bsp.parameterSpace!(params).some((i) => i.path === "nautilus.config.kicks"));
});

test("Linux noise that would take the whole CPU is refused with a clear error, not run until memory runs out", () => {
  const params = { machine: "x64", kernel: "linux", trials: 3 };
  const run = (overrides: ParameterOverrides) => () => microbench.run({ params, experiment: "thread-create", seed: "noise-share", limits: {}, overrides });
  // 50 µs mean daemon activations (x64 file) at 10^5/s would need 5 CPUs' worth of time.
  assert.throws(run({ "linux.noise.daemon.rate": 1e5 }), (e: Error) => /Linux noise would take \d+% of CPU 0/.test(e.message));
  run({ "linux.noise.daemon.rate": 1e3 })();
});

test.run();
