/**
 * Parameter and profile files: a bad file fails at load with a message naming the file and the
 * parameter; the shipped files all load and define what the models need.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { CostTable, ParameterFileError, decodeParameterFile } from "../src/models/hardware/params.js";
import { decodeMachineProfile, machineProfile } from "../src/models/hardware/profile.js";
import { kernelCosts } from "../src/models/kernel/costs.js";
import { LINUX_PARAMETERS, linuxData } from "../src/models/linux/kernel.js";
import { microbenchModel } from "../src/models/microbench/plugin.js";
import { NAUTILUS_PARAMETERS, nautilusData } from "../src/models/nautilus/kernel.js";
import { deriveParameterFile } from "../src/models/kernel/derive.js";
import nautilusPhiRaw from "../src/models/nautilus/data/phi.json" with { type: "json" };
import linuxPhiRaw from "../src/models/linux/data/phi.json" with { type: "json" };

const good = { subject: "test", parameters: { "ipi.send": { value: 300, source: "assumption: a test value" } } };

function throwsNaming(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ParameterFileError);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message ${JSON.stringify((e as Error).message)} lacks ${p}`);
    return;
  }
  assert.unreachable("expected a ParameterFileError");
}

function table(raw: unknown): CostTable {
  const file = decodeParameterFile(raw, "demo.json");
  return new CostTable("demo", [{ file, label: "demo.json" }], 2, 1);
}

test("a valid file loads; draws are whole cycles, time units convert with the clock", () => {
  const t = table({ subject: "x", parameters: { a: { value: 2.6, source: "assumption: test value" }, b: { value: 1.5, unit: "us", source: "assumption: test value" } } });
  assert.is(t.draw("a", new Simulation({ seed: 1 }).streams.get("s")), 3);
  assert.is(t.draw("b", new Simulation({ seed: 1 }).streams.get("s")), 3000); // 1.5 us at 2 GHz
});

test("a value of the wrong type names the parameter and the file", () => {
  throwsNaming(() => decodeParameterFile({ ...good, parameters: { "ipi.send": { value: "fast", source: "assumption: a test value" } } }, "nautilus/data/x64.json"), "nautilus/data/x64.json", "ipi.send", "value");
});

test("a missing or too short source is rejected", () => {
  throwsNaming(() => decodeParameterFile({ ...good, parameters: { "ipi.send": { value: 3 } } }, "f.json"), "f.json", "ipi.send", "source");
  throwsNaming(() => decodeParameterFile({ ...good, parameters: { "ipi.send": { value: 3, source: "trust me" } } }, "f.json"), "ipi.send", "source");
});

test("an unknown unit or an unknown field is rejected", () => {
  throwsNaming(() => decodeParameterFile({ ...good, parameters: { x: { value: 3, unit: "furlongs", source: "assumption: a test value" } } }, "f.json"), "x", "unit");
  throwsNaming(() => decodeParameterFile({ ...good, extra: 1 }, "f.json"), "f.json", "extra");
});

test("an invalid distribution names the parameter and its field", () => {
  throwsNaming(() => table({ subject: "x", parameters: { "irq.entry": { value: { dist: "normal", mean: 200, sd: -1 }, source: "assumption: a test value" } } }), "demo.json", "irq.entry", "sd");
  throwsNaming(() => table({ subject: "x", parameters: { "irq.entry": { value: { dist: "warp", k: 1 }, source: "assumption: a test value" } } }), "irq.entry", "dist");
});

test("a missing required parameter is named", () => {
  const t = table(good);
  throwsNaming(() => t.requireAll(["ipi.send", "ipi.receive"]), "ipi.receive");
  throwsNaming(() => t.draw("nope", new Simulation().streams.get("s")), "nope");
});

test("a machine profile with a bad topology is rejected, naming the field", () => {
  const raw = JSON.parse(JSON.stringify(machineProfile("x64"))) as { topology: { sockets: number } };
  raw.topology.sockets = 0;
  throwsNaming(() => decodeMachineProfile(raw, "hardware/data/bad.json"), "hardware/data/bad.json", "sockets");
});

test("the shipped profiles and kernel files load and define every needed parameter", () => {
  for (const name of ["x64", "phi"] as const) {
    const m = new Machine({ sim: new Simulation(), machine: name, streamPrefix: "t" });
    assert.ok(m.cpuCount === (name === "x64" ? 64 : 228));
    kernelCosts("nautilus", m, nautilusData(name), NAUTILUS_PARAMETERS);
    kernelCosts("linux", m, linuxData(name), LINUX_PARAMETERS);
  }
});

test("parameters() lists every cost with a source", () => {
  for (const machine of ["x64", "phi"] as const) {
    for (const kernel of ["nautilus", "linux"] as const) {
      const rows = microbenchModel.parameters!({ machine, kernel });
      assert.ok(rows.length > 30);
      for (const r of rows) assert.ok(r.source.length >= 12, `${r.name} has no real source`);
    }
  }
});

const TIME_UNITS = new Set(["cycles", "ns", "us", "ms", undefined]);

test("Phi kernel files: listed parameters as written, time costs derived (path counts or phi.inOrderFactor, test/path-counts.test.ts), settings as x64", () => {
  const x64Clock = machineProfile("x64").clockGHz.value;
  for (const [kernel, data, raw] of [["nautilus", nautilusData, nautilusPhiRaw], ["linux", linuxData, linuxPhiRaw]] as const) {
    const x64 = data("x64").parameters;
    const phi = data("phi").parameters;
    const listed = (raw as { parameters: Record<string, unknown>; machineOnly?: string[] }).parameters;
    const only = (raw as { machineOnly?: string[] }).machineOnly ?? [];
    assert.equal(Object.keys(phi).filter((n) => !only.includes(n)).sort(), Object.keys(x64).sort(), `${kernel}: the x64's parameter names, plus the Phi's own (machineOnly)`);
    for (const n of only) assert.equal(phi[n], listed[n], `${kernel}.${n}: a Phi-only entry, as written`);
    const phiTable = new CostTable("phi", [{ file: data("phi"), label: "phi" }], machineProfile("phi").clockGHz.value, 1);
    const x64Table = new CostTable("x64", [{ file: data("x64"), label: "x64" }], x64Clock, 1);
    for (const [name, e] of Object.entries(x64)) {
      const p = phi[name]!;
      if (name in listed) {
        assert.equal(p, listed[name], `${kernel}.${name} is the Phi file's own entry`);
      } else if (TIME_UNITS.has(e.unit)) {
        assert.ok(/^derived( from path counts)?: /.test(p.source) && p.source.includes(`x64: ${e.source}`), `${kernel}.${name}: ${p.source}`);
        assert.is(p.unit, undefined, `${kernel}.${name}: derived time costs are in cycles`);
      } else {
        assert.is(phiTable.setting(name), x64Table.setting(name), `${kernel}.${name}`);
        assert.ok(p.source.startsWith("same as x64: "), `${kernel}.${name}: ${p.source}`);
      }
    }
  }
});

test("a derived file naming a parameter its base lacks, or a bad factor, fails naming it", () => {
  const base = nautilusData("x64");
  const derived = (parameters: Record<string, unknown>, factor = "inOrderFactor") => ({ subject: "t", derivedFrom: { machine: "x64", factor }, parameters });
  throwsNaming(() => deriveParameterFile(derived({ "no.such": { value: 1, source: "assumption: a test value" } }), "nautilus/data/phi.json", "phi", base), "nautilus/data/phi.json", "no.such");
  throwsNaming(() => deriveParameterFile(derived({}, "clockGHz"), "nautilus/data/phi.json", "phi", base), "clockGHz", "ratio");
  throwsNaming(() => deriveParameterFile({ subject: "t", derivedFrom: { machine: "vax", factor: "inOrderFactor" }, parameters: {} }, "f.json", "phi", base), "f.json", "machine");
  // A machine-only entry is taken as written once listed; the list must match the entries.
  const own = { value: 1, unit: "flag", source: "assumption: a test option of this machine only" };
  const listed = deriveParameterFile({ ...derived({ "config.own": own }), machineOnly: ["config.own"] }, "nautilus/data/phi.json", "phi", base);
  assert.equal(listed.parameters["config.own"], own);
  throwsNaming(() => deriveParameterFile({ ...derived({}), machineOnly: ["config.own"] }, "nautilus/data/phi.json", "phi", base), "machineOnly", "config.own");
  const shared = Object.keys(base.parameters)[0]!;
  throwsNaming(() => deriveParameterFile({ ...derived({ [shared]: base.parameters[shared] }), machineOnly: [shared] }, "nautilus/data/phi.json", "phi", base), "machineOnly", shared);
});

test("every hardware, Nautilus and Linux parameter has a range with its reason that contains its value (the HVM's hrt.boot.* entries excepted)", () => {
  const files = (["x64", "phi"] as const).flatMap((m) => [
    [`hardware/${m}`, machineProfile(m).parameters], [`nautilus/${m}`, nautilusData(m).parameters], [`linux/${m}`, linuxData(m).parameters],
  ] as const);
  const bad: string[] = [];
  for (const [label, params] of files) {
    for (const [name, e] of Object.entries(params)) {
      if (name.startsWith("hrt.boot.")) continue;
      const r = e.range;
      if (r === undefined) { bad.push(`${label} ${name}: no range`); continue; }
      if (r.why.length < 8) bad.push(`${label} ${name}: no reason`);
      // plain numbers: the value lies in [low, high]; distributions: factors around 1
      const v = typeof e.value === "number" ? e.value : 1;
      if (!(r.low <= v && v <= r.high)) bad.push(`${label} ${name}: ${v} outside [${r.low}, ${r.high}]`);
    }
  }
  assert.equal(bad, []);
});

test("a derived Phi entry's range follows its value: a plain time scales with it, a distribution keeps its factors", () => {
  const x = nautilusData("x64").parameters, p = nautilusData("phi").parameters;
  const f = (p["call"]!.value as number) / (x["call"]!.value as number);
  assert.ok(f > 1);
  assert.is(p["call"]!.range!.high, x["call"]!.range!.high * f);
  assert.equal(p["malloc"]!.range, x["malloc"]!.range);
});

test.run();
