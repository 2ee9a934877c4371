/**
 * Phi kernel costs from per-path event counts (issue 9 §1.8): each counted Nautilus and Linux
 * path costs Σ count × the KNC's cost per event, so paths scale between the Opteron and the Phi
 * by their mix of instructions and misses, not by one factor; the per-event costs are parameters
 * a run may override by dotted path; the same counts × the Opteron's costs are checked against
 * the x64 files.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { distribution, Simulation, type DistributionSpec } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { ParameterFileError, type ParameterFile } from "../src/models/hardware/params.js";
import { machineProfile } from "../src/models/hardware/profile.js";
import { kernelFileOn } from "../src/models/kernel/costs.js";
import { EVENT_COST_ENTRY, EVENT_KINDS, countedCycles, decodePathCounts, eventCosts, type PathCountFile } from "../src/models/kernel/path-counts.js";
import { linuxData } from "../src/models/linux/kernel.js";
import { nautilusData } from "../src/models/nautilus/kernel.js";
import nautilusCountsRaw from "../src/models/nautilus/data/path-counts.json" with { type: "json" };
import linuxCountsRaw from "../src/models/linux/data/path-counts.json" with { type: "json" };
import nautilusPhiRaw from "../src/models/nautilus/data/phi.json" with { type: "json" };
import linuxPhiRaw from "../src/models/linux/data/phi.json" with { type: "json" };
import opteronEvents from "../src/models/kernel/data/x64-event-costs.json" with { type: "json" };
import { runtimeCosts } from "../src/models/runtime/costs.js";
import { legionCosts } from "../src/models/legion/legion.js";
import { LEGION_COSTS } from "../src/models/legion/params.js";
import { hrtsim } from "./cli-helpers.js";

const KERNELS = [
  { kernel: "nautilus", data: nautilusData, counts: decodePathCounts(nautilusCountsRaw, "nautilus"), own: nautilusPhiRaw.parameters },
  { kernel: "linux", data: linuxData, counts: decodePathCounts(linuxCountsRaw, "linux"), own: linuxPhiRaw.parameters },
] as const;
const TIME = new Set(["cycles", "ns", "us", "ms"]);
const knc = eventCosts(machineProfile("phi").parameters, "phi");
const opteron = eventCosts(opteronEvents.parameters as ParameterFile["parameters"], "x64-event-costs");

function meanCycles(file: ParameterFile, name: string, clockGHz: number): number {
  const e = file.parameters[name]!;
  const perUnit = { cycles: 1, ns: clockGHz, us: clockGHz * 1e3, ms: clockGHz * 1e6 }[(e.unit ?? "cycles") as "cycles"];
  return distribution(e.value as DistributionSpec, name).mean * perUnit;
}

function phiMachine(overrides?: Record<string, unknown>): Machine {
  return new Machine({ sim: new Simulation(), machine: "phi", streamPrefix: "t", ...(overrides ? { overrides } : {}) });
}

test("every time cost of the x64 Nautilus and Linux files is counted, or uncounted with a reason, or the Phi file's own", () => {
  for (const { kernel, data, counts, own } of KERNELS) {
    for (const [name, e] of Object.entries(data("x64").parameters)) {
      if (!TIME.has(e.unit ?? "cycles") || name in own) continue;
      assert.ok(name in counts.paths || name in counts.uncounted, `${kernel}.${name} has neither counts nor a reason`);
    }
  }
});

test("a counted Phi entry's mean is Σ count × KNC cost per event; an uncounted one is x64 × phi.inOrderFactor", () => {
  const factor = machineProfile("phi").parameters["inOrderFactor"]!.value as number;
  for (const { kernel, data, counts } of KERNELS) {
    const phi = data("phi");
    for (const [name, path] of Object.entries(counts.paths)) {
      const want = EVENT_KINDS.reduce((s, k) => s + path[k].value * knc[k], 0);
      const got = meanCycles(phi, name, 1.1);
      assert.ok(Math.abs(got - want) <= 1e-5 * want, `${kernel}.${name}: ${got} ≠ ${want}`);
      assert.ok(phi.parameters[name]!.source.startsWith("derived from path counts: "), phi.parameters[name]!.source);
    }
    for (const name of Object.keys(counts.uncounted)) {
      const want = meanCycles(data("x64"), name, 2.1) * factor;
      const got = meanCycles(phi, name, 1.1);
      assert.ok(Math.abs(got - want) <= 1e-9 * want, `${kernel}.${name}: ${got} ≠ ${want}`);
      assert.ok(phi.parameters[name]!.source.includes(`no path count: ${counts.uncounted[name]}`), phi.parameters[name]!.source);
    }
  }
});

test("Phi/x64 ratios differ by path: a miss-heavy Linux path scales more than a short Nautilus one (one factor made them equal)", () => {
  const ratio = (data: (m: string) => ParameterFile, name: string) => meanCycles(data("phi"), name, 1.1) / meanCycles(data("x64"), name, 2.1);
  assert.ok(ratio(linuxData, "pagefault") > ratio(nautilusData, "switch.saveRegs"), "pagefault vs register save");
  assert.ok(ratio(linuxData, "futex.wakeBody") > ratio(nautilusData, "rq.op"), "futex wake vs run-queue op");
  // Independent of the x64 files' values: with the events' own Phi/Opteron ratios, a path with
  // L2 misses scales more than any path of instructions alone.
  const scale = (c: PathCountFile["paths"][string]) => countedCycles(c, knc) / countedCycles(c, opteron);
  const all = KERNELS.flatMap(({ counts }) => Object.values(counts.paths));
  const plain = all.filter((c) => EVENT_KINDS.every((k) => k === "instructions" || c[k].value === 0));
  const missy = all.filter((c) => c.l2Misses.value > 0);
  assert.ok(plain.length > 0 && missy.length > 0);
  for (const m of missy) for (const p of plain) assert.ok(scale(m) > scale(p), `${m.path} vs ${p.path}`);
});

test("doubling phi.event.l2Hit raises exactly the counted entries with L2 hits, each by its count × the increase", () => {
  const base = knc.l2Hits;
  for (const { kernel, data, counts } of KERNELS) {
    const before = kernelFileOn(kernel, phiMachine(), data("phi"));
    const after = kernelFileOn(kernel, phiMachine({ "phi.event.l2Hit": 2 * base }), data("phi"));
    for (const name of Object.keys(before.parameters)) {
      const e = before.parameters[name]!;
      if (!TIME.has(e.unit ?? "cycles")) continue;
      const delta = meanCycles(after, name, 1.1) - meanCycles(before, name, 1.1);
      const want = (counts.paths[name]?.l2Hits.value ?? 0) * base;
      assert.ok(Math.abs(delta - want) <= 1e-5 * Math.max(1, meanCycles(before, name, 1.1)), `${kernel}.${name}: +${delta}, want +${want}`);
    }
    assert.ok(after.parameters["malloc"] === undefined || after.parameters["malloc"].source.includes(`× ${2 * base} (phi.event.l2Hit)`));
  }
});

test("an override of phi.inOrderFactor reaches the uncounted entries only, and the runtime's and Legion's costs", () => {
  const factor = machineProfile("phi").parameters["inOrderFactor"]!.value as number;
  const before = kernelFileOn("linux", phiMachine(), linuxData("phi"));
  const after = kernelFileOn("linux", phiMachine({ "phi.inOrderFactor": 2 * factor }), linuxData("phi"));
  assert.ok(Math.abs(meanCycles(after, "noise.tick.duration", 1.1) / meanCycles(before, "noise.tick.duration", 1.1) - 2) < 1e-9);
  assert.is(meanCycles(after, "pagefault", 1.1), meanCycles(before, "pagefault", 1.1));
  const doubled = phiMachine({ "phi.inOrderFactor": 2 * factor });
  assert.is(runtimeCosts(doubled).meanCycles("queue.push"), 2 * runtimeCosts(phiMachine()).meanCycles("queue.push"));
  const name = LEGION_COSTS[0];
  assert.ok(Math.abs(legionCosts(doubled).meanCycles(name) / legionCosts(phiMachine()).meanCycles(name) - 2) < 0.01, name);
});

test("a count file with a value outside its range, a kind missing, or a non-time entry counted fails naming it", () => {
  const one = (patch: Record<string, unknown>) => ({ subject: "t", uncounted: {}, paths: { "rq.op": { ...(nautilusCountsRaw.paths as Record<string, object>)["rq.op"], ...patch } } });
  const bad = (raw: unknown, ...parts: string[]) => {
    try {
      decodePathCounts(raw, "x/path-counts.json");
    } catch (e) {
      assert.instance(e, ParameterFileError);
      for (const p of parts) assert.ok((e as Error).message.includes(p), (e as Error).message);
      return;
    }
    assert.unreachable("expected a ParameterFileError");
  };
  bad(one({ l2Hits: { value: 5, low: 0, high: 2, source: "assumption: a test value" } }), "x/path-counts.json", "rq.op.l2Hits");
  bad({ subject: "t", uncounted: {}, paths: { "rq.op": { path: "some path or other", instructions: { value: 1, low: 1, high: 1, source: "assumption: a test value" } } } }, "x/path-counts.json");
  assert.throws(() => eventCosts({}, "hardware/data/phi.json"), /hardware\/data\/phi\.json: path counts need "event\.instruction"/);
});

test("the per-event costs are sourced, ranged parameters of the Phi profile, one per event kind", () => {
  for (const k of EVENT_KINDS) {
    const e = machineProfile("phi").parameters[EVENT_COST_ENTRY[k]];
    assert.ok(e !== undefined && e.range !== undefined && e.source.length > 40, EVENT_COST_ENTRY[k]);
    assert.ok(e.range!.low <= (e.value as number) && (e.value as number) <= e.range!.high, EVENT_COST_ENTRY[k]);
  }
});

test("x64 consistency: counts × Opteron costs against the x64 files (median error within a factor 2; outliers listed)", () => {
  const errors: Array<{ name: string; x64: number; counted: number }> = [];
  for (const { kernel, data, counts } of KERNELS) {
    for (const [name, c] of Object.entries(counts.paths)) errors.push({ name: `${kernel}.${name}`, x64: meanCycles(data("x64"), name, 2.1), counted: countedCycles(c, opteron) });
  }
  const logs = errors.map((e) => Math.abs(Math.log(e.counted / e.x64))).sort((a, b) => a - b);
  const median = logs[Math.floor(logs.length / 2)]!;
  const off = errors.filter((e) => Math.abs(Math.log(e.counted / e.x64)) > Math.log(3)).map((e) => `${e.name}: x64 ${e.x64.toFixed(0)}, counted ${e.counted.toFixed(0)}`);
  if (process.env["HRTSIM_VERBOSE"]) console.log(errors.map((e) => `${e.name}\t${e.x64.toFixed(0)}\t${e.counted.toFixed(0)}\t${((e.counted / e.x64 - 1) * 100).toFixed(0)}%`).join("\n"));
  assert.ok(median < Math.log(2), `median reconstruction error ${Math.exp(median).toFixed(2)}×; beyond 3×: ${off.join("; ")}`);
});

test("CLI: params --machine phi --kernel linux shows counts × per-event costs; validate takes --set phi.event.*", async () => {
  const json = await hrtsim(["params", "--machine", "phi", "--kernel", "linux", "--json"]);
  assert.is(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout).parameters as Array<{ name: string; source: string }>;
  const pf = rows.find((r) => r.name === "linux.pagefault")!;
  assert.match(pf.source, /^derived from path counts: 900 instructions × 2 \(phi\.event\.instruction\) .* 64 streamedLines × 40 \(phi\.event\.streamLine\) = /);
  const ok = await hrtsim(["validate", "src/scenarios/builtin/microbench-paper.yaml", "--set", "phi.event.l2Hit=46.8"]);
  assert.is(ok.code, 0, ok.stderr + ok.stdout);
  const bad = await hrtsim(["validate", "src/scenarios/builtin/microbench-paper.yaml", "--set", "phi.event.l2Hitt=46.8"]);
  assert.is(bad.code, 1, bad.stdout);
  const schema = await hrtsim(["schema", "--parameters"]);
  assert.ok(schema.stdout.includes("phi.event.l2Miss"), "schema --parameters lists the per-event costs");
});

test.run();
