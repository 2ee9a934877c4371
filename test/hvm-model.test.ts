/**
 * The hvm model: invocations complete exactly once, the state machine rejects out-of-order
 * requests, runs are deterministic, breakdowns sum to the measured latency, the page-table
 * arithmetic follows vmm_hvm.c, and bad parameter data fails naming the parameter.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { ParameterFileError } from "../src/models/hardware/params.js";
import type { Gen } from "../src/models/kernel/types.js";
import { pageTableShape } from "../src/models/hvm/boot.js";
import { HVM_PARAMETERS, hvmCosts } from "../src/models/hvm/costs.js";
import { explainOp, EXPLAINABLE } from "../src/models/hvm/explain.js";
import { HC, REJECTED } from "../src/models/hvm/hvm.js";
import { resolveParams } from "../src/models/hvm/params.js";
import { hvmModel } from "../src/models/hvm/plugin.js";
import { invoke, merge, syncCall, syncSetup, syncTeardown, trivial } from "../src/models/hvm/ros.js";
import type { VCore } from "../src/models/hvm/vmm.js";
import { buildWorld, runHarness, type World } from "../src/models/hvm/world.js";

function run(params: Parameters<typeof resolveParams>[0], body: (w: World, core: VCore) => Gen<void>, seed = "t"): World {
  const w = buildWorld(resolveParams(params), seed);
  runHarness(w, {}, [(core) => body(w, core)]);
  return w;
}

test("every async and parallel invoke runs exactly once per target core and completes once", () => {
  for (const hrtCores of [1, 3]) {
    let completed = 0;
    const w = run({ hrtCores }, function* (w, core) {
      for (let i = 0; i < 10; i++) {
        const r = yield* invoke(w.hvm, core, trivial, i % 2 === 1);
        assert.ok(r.ok);
        assert.is(w.hvm.state, "IDLE");
        completed++;
      }
    });
    assert.is(completed, 10);
    const runs = [...w.hvm.runs.values()];
    assert.is(runs.length, 10);
    runs.forEach((n, i) => assert.is(n, i % 2 === 1 ? hrtCores : 1, `invoke ${i} ran ${n} times`));
  }
});

test("requests in the wrong state or from the wrong side are rejected and change nothing", () => {
  run({}, function* (w, core) {
    const h = w.hvm;
    assert.is(yield* h.hcall(core, HC.DONE), REJECTED, "0x2f from the ROS");
    assert.is(yield* h.hcall(core, HC.MERGE_DONE), REJECTED, "0x3f from the ROS");
    assert.is(yield* h.hcall(core, HC.SYNC_TEARDOWN), REJECTED, "0x29 in IDLE");
    assert.is(yield* h.hcall(core, HC.EVENT_DONE), REJECTED, "0x1f without an event");
    assert.is(yield* h.hcall(core, HC.SIGNAL_RAISE), REJECTED, "0x41 from the ROS");
    assert.is(h.state, "IDLE");
    assert.is(yield* h.hcall(core, HC.INVOKE, trivial), 0);
    assert.is(h.state, "CALL");
    assert.is(yield* h.hcall(core, HC.INVOKE, trivial), REJECTED, "second 0x20 while CALL");
    while (h.state !== "IDLE") yield* h.hcall(core, HC.GET_STATE);
    assert.ok((yield* syncSetup(h, core)).ok);
    assert.is(h.state, "SYNC");
    assert.not.ok((yield* invoke(h, core, trivial)).ok, "0x20 while SYNC");
    assert.not.ok((yield* merge(h, core)).ok, "0x30 while SYNC");
    assert.ok(yield* syncCall(h, core));
    assert.ok((yield* syncTeardown(h, core)).ok);
    assert.is(h.state, "IDLE");
    assert.not.ok(yield* syncCall(h, core), "sync call without a channel");
    assert.ok((yield* merge(h, core)).ok);
    assert.is(h.rejected, 8);
    assert.is([...h.runs.values()].join(","), "1", "only the accepted invoke ran");
  });
});

test("same seed, same fingerprint and observations; another seed differs", () => {
  const input = { params: { trials: 3, loop: 5 }, experiment: "harness", seed: "det", limits: {} };
  const a = hvmModel.run(input);
  const b = hvmModel.run(input);
  assert.is(a.fingerprint, b.fingerprint);
  assert.equal(a.observations, b.observations);
  const c = hvmModel.run({ ...input, seed: "other" });
  assert.is.not(c.fingerprint, a.fingerprint);
});

test("explain: every breakdown's steps sum to its total, the critical path to the measured latency", () => {
  for (const e of EXPLAINABLE) {
    const { breakdowns, latency } = explainOp(resolveParams({ hrtCores: e === "parallel-call" ? 3 : 1 }), "x", e);
    const main = breakdowns[0]!;
    assert.ok(main.steps.length > 0, e);
    assert.is(main.total, latency, `${e}: total vs measured`);
    for (const b of breakdowns) assert.is(b.steps.reduce((s, x) => s + x.cost, 0), b.total, `${e}: ${b.title}`);
  }
});

test("recording steps does not change the simulated times", () => {
  const p = resolveParams({ hrtCores: 2 });
  const ends = [false, true].map((record) => {
    const w = buildWorld(p, "rec", { record });
    return runHarness(w, {}, [function* (core) { yield* invoke(w.hvm, core, trivial, true); yield* merge(w.hvm, core); }]).fingerprint;
  });
  assert.is(ends[0], ends[1]);
});

test("page tables follow vmm_hvm.c: one PML4, then PDPT/PD/PT levels; at least 4 GB mapped", () => {
  assert.equal(pageTableShape(8, "2MB"), { tablePages: 1 + 1 + 8, entries: 1 + 8 + 4096, bytes: 8 * 2 ** 30 });
  assert.equal(pageTableShape(8, "1GB"), { tablePages: 2, entries: 1 + 8, bytes: 8 * 2 ** 30 });
  assert.is(pageTableShape(1, "4KB").entries, 1 + 4 + 2048 + 4 * 2 ** 18);
  assert.is(pageTableShape(1, "1GB").bytes, 4 * 2 ** 30);
});

test("the data file is checked at load: errors name the parameter", () => {
  const machine = new Machine({ sim: new Simulation(), machine: "x64", streamPrefix: "t" });
  assert.throws(() => hvmCosts(machine, undefined, { subject: "x", parameters: { "svm.vmrun": { value: 1, source: "assumption: x y z" } } }), (e: Error) => e instanceof ParameterFileError && e.message.includes("svm.vmexit"));
  assert.throws(() => hvmCosts(machine, undefined, { subject: "x", parameters: { "svm.vmrun": { value: 1 } } }), (e: Error) => e instanceof ParameterFileError && e.message.includes("svm.vmrun"));
  assert.throws(() => hvmCosts(machine, { "no.such": 1 }), (e: Error) => e.message.includes("no.such"));
  const rows = hvmModel.parameters!({});
  for (const name of HVM_PARAMETERS) {
    const row = rows.find((r) => r.name === `hvm.${name}`);
    assert.ok(row !== undefined && /\[(read|inferred|analog)\]|assumption/.test(row.source), `source of ${name}`);
  }
});

test("HRT boot steps come from the Nautilus file, process start-up from the Linux model's exec path", () => {
  assert.ok(HVM_PARAMETERS.every((n) => !n.startsWith("hrt.boot.") && !n.startsWith("proc.")));
  const rows = hvmModel.parameters!({});
  for (const name of ["nautilus.hrt.boot.earlyInit", "nautilus.hrt.boot.runtime", "linux.proc.exec", "linux.proc.libcInit"]) {
    assert.ok(rows.some((r) => r.name === name), `${name} listed`);
  }
  const e = explainOp(resolveParams({}), "p", "linux-process-start");
  const steps = e.breakdowns[0]!.steps.map((s) => s.step);
  for (const want of ["copy_process", "execve: load the ELF, new mm, map segments", "__libc_start_main: TLS, ifuncs, stdio, constructors", "exit_mmap, files, signal the parent"]) {
    assert.ok(steps.includes(want), `process start-up breakdown lacks '${want}'`);
  }
  assert.is(e.breakdowns[0]!.steps.reduce((a, s) => a + s.cost, 0), e.latency);
});

test.run();
