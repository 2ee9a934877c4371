/**
 * Paper-era fidelity of the HVM (issue 9 §1 items 5 and 6): the HRT's boot console is one VM
 * exit per character and its count is regenerated from the Nautilus af4d4e3 print sites; the
 * paper-era hypercall handler takes no lock (the July 2016 lock is an option); the sync channel
 * is one shared line (ownership, miss, upgrade) whose cost follows the cores' placement, and
 * the HRT's loop calls no function.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { median } from "d3-array";
import svmData from "../src/models/hvm/data/x64-svm.json" with { type: "json" };
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { hvmCosts } from "../src/models/hvm/costs.js";
import { bootConsole, consoleSize, doprnt, multibootMemoryMap } from "../src/models/hvm/console.js";
import { explainOp } from "../src/models/hvm/explain.js";
import { HC } from "../src/models/hvm/hvm.js";
import { placementCpu, resolveParams, type HvmParams } from "../src/models/hvm/params.js";
import { hvmModel } from "../src/models/hvm/plugin.js";
import { buildWorld, runHarness } from "../src/models/hvm/world.js";
import { syncCall, syncSetup, trivial } from "../src/models/hvm/ros.js";
import type { VCore } from "../src/models/hvm/vmm.js";
import type { Gen } from "../src/models/kernel/types.js";

const GB = 2 ** 30;
const reference = (hrtCores: number) => bootConsole({ vmBytes: 8 * GB, hrtStart: 4 * GB, hrtCores });
const dataValue = (name: string) => (svmData.parameters as Record<string, { value: unknown }>)[name]!.value as number;

function medianCycles(params: HvmParams, experiment: string, op: string, seed = "m"): number {
  const out = hvmModel.run({ params, experiment, seed, limits: {} });
  return median(out.observations.filter((o) => o.metric === "cycles" && o.labels?.["op"] === op).map((o) => o.value))!;
}

test("doprnt follows Nautilus' rules: %p is 0x + at least 8 hex digits; %02u pads with zeros", () => {
  assert.is(doprnt("[%p - %p]", [0, 0xfee01000]), "[0x00000000 - 0xfee01000]");
  assert.is(doprnt("%p", [2 ** 33]), "0x200000000");
  assert.is(doprnt("[Domain %02u : Region %02u] (%0lu.%02lu MB)", [0, 3, 4294, 967296]), "[Domain 00 : Region 03] (4294.967296 MB)");
  assert.is(doprnt("%u region%s", [4, "s"]), "4 regions");
});

test("Palacios' HRT memory map above 4 GB has 7 entries, 4 of them usable RAM, covering the VM", () => {
  const m = multibootMemoryMap(8 * GB);
  assert.is(m.length, 7);
  assert.is(m.filter((e) => e.type === 1).length, 4);
  assert.is(m.at(-1)!.base + m.at(-1)!.length, 8 * GB);
  for (let i = 1; i < m.length; i++) assert.is(m[i]!.base, m[i - 1]!.base + m[i - 1]!.length, `entry ${i} is contiguous`);
});

test("the data file's console counts are what console.ts regenerates from the af4d4e3 print sites", () => {
  const one = reference(1);
  const splash = one.beforePing[0]!.text;
  assert.ok(Math.abs(splash.length - 470) < 10 && splash.split("\n").length === 11, `NAUT_WELCOME: ~470 characters in 10 lines (source-review row 3), got ${splash.length}`);
  assert.is(consoleSize(one.beforePing).chars, dataValue("console.charsBeforePing"));
  assert.is(consoleSize(one.beforePing).lines, dataValue("console.linesBeforePing"));
  assert.is(consoleSize(one.afterPing).chars, dataValue("console.charsAfterPing"));
  assert.is(consoleSize(one.afterPing).lines, dataValue("console.linesAfterPing"));
  for (let cores = 2; cores <= 9; cores++) {
    const c = consoleSize(reference(cores).afterPing);
    assert.is(c.chars, dataValue("console.charsAfterPing") + (cores - 1) * dataValue("console.charsPerExtraHrtCore"), `${cores} cores`);
    assert.is(c.lines, dataValue("console.linesAfterPing") + (cores - 1) * dataValue("console.linesPerExtraHrtCore"), `${cores} cores`);
  }
  assert.ok(one.beforePing.every((m) => /^src\//.test(m.site)) && one.afterPing.every((m) => /^src\//.test(m.site)), "every message names its print site");
});

test("boot: one I/O exit per console character, before the ping and up to full boot", () => {
  for (const hrtCores of [1, 3]) {
    const w = buildWorld(resolveParams({ hrtCores }), "c");
    let pingIo = -1;
    runHarness(w, {}, [function* (core: VCore): Gen<void> {
      yield* w.hvm.hcall(core, HC.RESET_HRT);
      yield w.hvm.boot.booted!;
    }]);
    pingIo = w.hvm.vmm.exitCounts.get("I/O port")!;
    const expected = dataValue("console.charsBeforePing") + dataValue("console.charsAfterPing") + (hrtCores - 1) * dataValue("console.charsPerExtraHrtCore");
    assert.is(pingIo, expected, `${hrtCores} HRT cores`);
  }
});

test("metamorphic: each console character before the ping adds one exit round trip to the early ping", () => {
  const params = (chars: number): HvmParams => ({ trials: 5, costs: { "console.charsBeforePing": chars } });
  const base = medianCycles(params(0), "boot", "hrt-boot-early-ping");
  const withChars = medianCycles(params(1000), "boot", "hrt-boot-early-ping");
  const perExit = (withChars - base) / 1000;
  // An exit round trip: #VMEXIT + dispatch + I/O handler + entry prep + VMRUN + TLB flush + refills, at the files' means.
  const machine = new Machine({ sim: new Simulation(), machine: "x64", streamPrefix: "t" });
  const hvm = hvmCosts(machine);
  const expected = ["svm.vmexit", "vmm.exitDispatch", "vmm.exit.io", "vmm.entryPrep", "svm.vmrun"].reduce((s, n) => s + hvm.meanCycles(n), 0)
    + machine.costs.meanCycles("tlb.flush") + hvm.setting("console.pagesAfterEntry") * hvm.setting("npt.walkAccesses") * machine.costs.meanCycles("tlb.refillPerPage");
  assert.ok(Math.abs(perExit - expected) / expected < 0.05, `per-character cost ${perExit} vs exit round trip ${expected}`);
  const step = explainOp(resolveParams({}), "e", "boot").breakdowns[0]!.steps.find((s) => s.step.startsWith("console: splash"));
  assert.ok(step !== undefined && step.step.includes(`${dataValue("console.charsBeforePing")} VM exits`), "explain shows the console exits");
});

test("paper era: no hypercall lock, so concurrent callers never wait; the 2016 variant queues them", () => {
  const waits = (lock: number) => {
    const out = hvmModel.run({ params: { rosCores: 4, hrtFirstPcpu: 16, trials: 2, loop: 20, costs: { "config.hypercallLock": lock } }, experiment: "contention", seed: "l", limits: {} });
    return out.observations.filter((o) => o.metric === "lockWaitCycles").reduce((s, o) => s + o.value, 0);
  };
  assert.is(waits(0), 0);
  assert.ok(waits(1) > 0);
  const noLock = explainOp(resolveParams({}), "e", "null-hypercall").breakdowns[0]!.steps.map((s) => s.step);
  assert.not.ok(noLock.some((s) => s.includes("HVM lock")), "paper-era path has no lock step");
  const lock = explainOp(resolveParams({ costs: { "config.hypercallLock": 1 } }), "e", "null-hypercall").breakdowns[0]!.steps.map((s) => s.step);
  assert.ok(lock.some((s) => s.includes("take HVM lock")), "the 2016 variant takes the lock");
});

test("paper era: 0x21 sets PARCALL after its IPI loop, so early 0x2f are rejected and a wide invoke hangs; the lock prevents it", () => {
  const run = (lock: number) => hvmModel.run({ params: { trials: 2, loop: 2, hrtCores: 32, costs: { "config.hypercallLock": lock } }, experiment: "parallel-call", seed: "r", limits: {} });
  const hung = (o: ReturnType<typeof run>) => o.observations.filter((x) => x.metric === "hung").map((x) => x.value);
  const paper = run(0);
  assert.equal(hung(paper), [1], "the first trial hangs and ends the run");
  assert.ok(paper.observations.some((x) => x.metric === "rejectedRequests" && x.value > 0), "the lost completions were rejected 0x2f");
  assert.equal(hung(run(1)), [0, 0], "under the 2016 lock every 0x2f waits until the state is PARCALL");
  assert.equal(hung(hvmModel.run({ params: { trials: 2, loop: 2, hrtCores: 2 }, experiment: "parallel-call", seed: "r", limits: {} })), [0, 0], "few cores: the state is set before any 0x2f");
});

test("sync invoke: the HRT loop calls no function; two upgrades and two misses of the one line", () => {
  const steps = explainOp(resolveParams({}), "e", "sync-call").breakdowns[0]!.steps.map((s) => s.step);
  assert.not.ok(steps.some((s) => s.startsWith("HRT") && s.includes("call + ret")), "no function call on the HRT side");
  assert.is(steps.filter((s) => s.includes("upgrade")).length, 2, steps.join(" | "));
  assert.is(steps.filter((s) => s.startsWith("see sync")).length, 2, steps.join(" | "));
});

test("metamorphic: raising the same-module miss by d raises the sync invoke by 2(1 + upgrade fraction)·d", () => {
  const f = dataValue("sync.upgradeFraction");
  const at = (miss: number) => medianCycles({ trials: 10, loop: 50, costs: { "sync.missSameModule": miss } }, "sync-call", "sync-invoke");
  const d = 200;
  const rise = at(139 + d) - at(139);
  const expected = 2 * (1 + f) * d;
  assert.ok(Math.abs(rise - expected) <= 0.02 * expected + 2, `rise ${rise} vs ${expected}`);
});

test("placement is a topology axis: the sync invoke grows from same module to two HyperTransport hops", () => {
  assert.is(placementCpu("sameModule", 1), 1);
  assert.is(placementCpu("sameDie", 1), 2);
  assert.is(placementCpu("sameSocket", 1), 8);
  const m = (placement: HvmParams["placement"]) => medianCycles({ trials: 6, loop: 50, placement }, "sync-call", "sync-invoke");
  const [mod, die, socket, one, two] = [m("sameModule"), m("sameDie"), m("sameSocket"), m("oneHop"), m("twoHops")];
  assert.ok(mod < die && die < socket && socket < one && one < two, `${mod} ${die} ${socket} ${one} ${two}`);
  assert.throws(() => resolveParams({ placement: "sameDie", hrtFirstPcpu: 3 }), /either placement or hrtFirstPcpu/);
});

test("the cache-line floor is two upgrades and two misses of the pair's lines (analytic, same module)", () => {
  const f = dataValue("sync.upgradeFraction");
  for (const miss of [139, 400]) {
    const floor = medianCycles({ trials: 6, loop: 50, costs: { "sync.missSameModule": miss } }, "line-floor", "cache-line-floor");
    const expected = 2 * (1 + f) * miss + 2; // + one store per side
    assert.ok(Math.abs(floor - expected) <= 0.02 * expected, `floor ${floor} vs ${expected}`);
  }
});

test("sync set-up then calls stay on the shared line: no VM exit per call", () => {
  const w = buildWorld(resolveParams({}), "s");
  runHarness(w, {}, [function* (core: VCore): Gen<void> {
    yield* syncSetup(w.hvm, core);
    const e0 = core.exits;
    for (let i = 0; i < 10; i++) assert.ok(yield* syncCall(w.hvm, core));
    assert.is(core.exits, e0);
  }]);
});

test("an IPI that lands in a halted core's HLT exit (host mode) runs its host handler before the thread sleeps, and is seen at the next timed-yield wake", () => {
  // Second async invoke sent ever later, so its IPI reaches the HRT core (pCPU 8) at every point of the HLT exit it takes after the first.
  let hits = 0;
  for (let gap = 21_000_000; gap < 21_040_000; gap += 100) {
    const w = buildWorld(resolveParams({ rosCores: 1, hrtCores: 1, hrtFirstPcpu: 8, hrtIdle: "halt" }), "s", { record: true });
    runHarness(w, { maxEvents: 200_000 }, [function* (core: VCore): Gen<void> {
      yield* w.hvm.hcall(core, HC.INVOKE, trivial);
      yield gap;
      yield* w.hvm.hcall(core, HC.INVOKE, trivial);
    }]);
    const steps = w.machine.recorder!.steps.filter((r) => r.cpu === 8);
    const arrivals = steps.filter((r) => r.step.startsWith("host IPI in flight"));
    for (const exit of steps.filter((r) => r.step === "VMM: HLT exit handler")) {
      // The exit's hardware save began before the handler; did an IPI arrive between its start and the sleep?
      const save = steps[steps.indexOf(exit) - 2]!;
      const ipi = arrivals.find((a) => a.end > save.start && a.end <= exit.end);
      if (ipi === undefined) continue;
      hits++;
      const after = steps.slice(steps.indexOf(exit) + 1, steps.indexOf(exit) + 5).map((r) => r.step);
      assert.equal(after, ["host: IRQ entry (forcing IPI)", "host: IPI handler", "host: EOI + iretq", "host thread asleep in timed yield (IPI noticed at the next wake)"], `gap ${gap}`);
    }
  }
  assert.ok(hits > 0, "no gap put the IPI inside an HLT exit: the sweep checks nothing");
});

test("an IPI that reaches a halted core runs its host handler on that CPU at once; a timed-yield wake inside the handler waits for its end", () => {
  // A 20 µs yield, and the second invoke's IPI swept over two yield periods of the halted HRT core (pCPU 8).
  let held = 0, plain = 0;
  for (let gap = 21_000_000; gap < 21_090_000; gap += 250) {
    const w = buildWorld(resolveParams({ rosCores: 1, hrtCores: 1, hrtFirstPcpu: 8, hrtIdle: "halt", costs: { "host.yieldPeriod": 20 } }), "s", { record: true });
    const period = Math.round(20e3 * w.machine.clockGHz);
    runHarness(w, { maxEvents: 200_000 }, [function* (core: VCore): Gen<void> {
      yield* w.hvm.hcall(core, HC.INVOKE, trivial);
      yield gap;
      yield* w.hvm.hcall(core, HC.INVOKE, trivial);
    }]);
    const steps = w.machine.recorder!.steps.filter((r) => r.cpu === 8);
    for (const asleep of steps.filter((r) => r.step.startsWith("host thread asleep in timed yield"))) {
      const ipi = steps.find((r) => r.step.startsWith("host IPI in flight") && r.end > asleep.start && r.end < asleep.end);
      if (ipi === undefined) continue;
      const handler = steps.filter((r) => r.start >= ipi.end && r.step.startsWith("host: ")).slice(0, 3);
      assert.equal(handler.map((r) => r.step), ["host: IRQ entry (forcing IPI)", "host: IPI handler", "host: EOI + iretq"], `gap ${gap}`);
      assert.is(handler[0]!.start, ipi.end, `gap ${gap}: the handler starts when the IPI arrives`);
      const handlerEnd = handler[2]!.end;
      const boundary = asleep.start + Math.max(1, Math.ceil((ipi.end - asleep.start) / period)) * period;
      if (boundary < handlerEnd) {
        held++;
        assert.is(asleep.end, handlerEnd, `gap ${gap}: a wake inside the handler takes effect at its end`);
      } else {
        plain++;
        assert.is(asleep.end, boundary, `gap ${gap}: the thread wakes at the first yield boundary after the IPI`);
      }
    }
  }
  assert.ok(held > 0 && plain > 0, `the sweep reached ${held} wakes inside a handler and ${plain} outside: it must reach both`);
});

test("every HVM parameter has a plausible range with its reason, containing the value for plain numbers", () => {
  for (const [name, e] of Object.entries(svmData.parameters as Record<string, { value: unknown; range?: { low: number; high: number; why: string } }>)) {
    assert.ok(e.range !== undefined, `${name} has no range`);
    const r = e.range!;
    assert.ok(r.low <= r.high && r.why.length >= 8, `${name}: ${JSON.stringify(r)}`);
    if (typeof e.value === "number") assert.ok(r.low <= e.value && e.value <= r.high, `${name}: ${e.value} outside [${r.low}, ${r.high}]`);
    else assert.ok(r.low <= 1 && 1 <= r.high, `${name}: a distribution's range is a factor range containing 1`);
  }
});

test.run();
