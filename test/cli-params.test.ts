/**
 * Parameter overrides end to end: scenario `parameters`, sweeps over parameter paths and kernel
 * options, `--set` on run/params/explain, and every kind of bad override rejected by `validate`
 * (exit 1, file, line, field, expected, found, did-you-mean) before anything runs.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NO_STACK_TRACE, hrtsim, readCsv, tempDir, writeText } from "./cli-helpers.js";

const BASE = `name: p
description: overrides
model:
  name: microbench
  params: { machine: x64, kernel: nautilus, trials: 20, remoteCpus: 2 }
experiment: spinlock
replications: 1
seed: 7
`;

test("validate rejects unknown paths (did-you-mean), wrong types, out-of-domain values, reserved segments and set+swept keys", async () => {
  const dir = await tempDir();
  const f = await writeText(dir, "bad.yaml", `${BASE}parameters:
  x64.atomc: 50
  x64.store: fast
  x64.rdtsc: -3
  nautilus.__proto__.polluted: 1
  x64.apic.accept: 600
sweep:
  x64.apic.accept: [500, 700]
  nautilus.config.hz: { scale: [1, 2] }
`);
  const r = await hrtsim(["validate", f]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /bad\.yaml:10:14: parameters\.x64\.atomc: unknown parameter/);
  assert.match(r.stderr, /did you mean "x64\.atomic"\?/);
  assert.match(r.stderr, /bad\.yaml:11:14: parameters\.x64\.store: wrong type/);
  assert.match(r.stderr, /found:\s+"fast"/);
  assert.match(r.stderr, /bad\.yaml:12:14: parameters\.x64\.rdtsc: value out of range/);
  assert.match(r.stderr, /"__proto__" may not be a path segment/);
  assert.match(r.stderr, /parameters\.x64\.apic\.accept: set and swept at once/);
  assert.match(r.stderr, /sweep\.nautilus\.config\.hz\.scale\[1\]: only time costs can be scaled/);
  assert.not.match(r.stderr, NO_STACK_TRACE, "no stack trace");
});

test("validate rejects an impossible combination: 64 HRT cores beside the ROS on a 64-CPU machine", async () => {
  const dir = await tempDir();
  const f = await writeText(dir, "hvm.yaml", `name: h
description: too many cores
model:
  name: hvm
  params: { trials: 1, loop: 1 }
experiment: null-hypercall
sweep:
  hrtCores: [1, 64]
replications: 1
seed: 1
`);
  const r = await hrtsim(["validate", f]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /hvm\.yaml:8:17: sweep\.hrtCores\[1\]: impossible combination: more HRT cores than the machine has CPUs/);
  assert.match(r.stderr, /expected: hrtFirstPcpu \+ hrtCores ≤ 64/);
});

test("a scenario overriding one cost, and one sweeping a kernel option, run; the swept path is a result column", async () => {
  const dir = await tempDir();
  const one = await writeText(dir, "one.yaml", BASE + "parameters:\n  x64.atomic: 20040\n");
  const plain = await writeText(dir, "plain.yaml", BASE.replace("name: p", "name: q"));
  const option = await writeText(dir, "option.yaml", `name: o
description: deep idle states off and on
model:
  name: microbench
  params: { machine: x64, kernel: linux, trials: 10, remoteCpus: 1 }
experiment: condvar
sweep:
  linux.config.c6: [0, 1]
replications: 1
seed: 3
`);
  const out = join(dir, "out");
  const r = await hrtsim(["run", one, plain, option, "--out", out, "--quiet", "--workers", "1"]);
  assert.is(r.code, 0, r.stderr);
  const rows = await readCsv(join(out, "summary.csv"));
  const med = (s: string, extra: (x: Record<string, string>) => boolean = () => true) => Number(rows.find((x) => x.scenario === s && x.metric === "cycles" && extra(x))!.p50);
  assert.ok(med("p") - med("q") >= 20_000 * 0.99, `${med("p")} vs ${med("q")}`);
  assert.match(await readFile(join(out, "report.md"), "utf8"), /Parameters in force: x64\.atomic = 20040 \(override\)/);
  const off = med("o", (x) => x["parameters.linux.config.c6"] === "0");
  const on = med("o", (x) => x["parameters.linux.config.c6"] === "1");
  assert.ok(Number.isFinite(off) && Number.isFinite(on) && on !== off, `the option must reach the model: ${on} vs ${off}`);
});

test("--set overrides a cost on run (and changes the content hash); an unknown path is a user error, not an internal one", async () => {
  const dir = await tempDir();
  const f = await writeText(dir, "s.yaml", BASE);
  const a = join(dir, "a"), b = join(dir, "b");
  assert.is((await hrtsim(["run", f, "--out", a, "--quiet", "--workers", "1"])).code, 0);
  const r = await hrtsim(["run", f, "--out", b, "--quiet", "--workers", "1", "--set", "x64.atomic=20040"]);
  assert.is(r.code, 0, r.stderr);
  const p50 = async (d: string) => Number((await readCsv(join(d, "summary.csv"))).find((x) => x.metric === "cycles")!.p50);
  assert.ok((await p50(b)) - (await p50(a)) >= 20_000 * 0.99);
  const bad = await hrtsim(["run", f, "--out", join(dir, "c"), "--set", "x64.atomik=1"]);
  assert.is(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /<command line>: --set x64\.atomik: /);
  assert.match(bad.stderr, /did you mean "x64\.atomic"\?/);
  const notPath = await hrtsim(["run", f, "--out", join(dir, "c"), "--set", "trials=3"]);
  assert.is(notPath.code, 1, notPath.stderr);
  assert.match(notPath.stderr, /not a parameter path/);
});

test("params and explain take --set overrides, name them, and reject bad ones with exit 1", async () => {
  const p = await hrtsim(["params", "--machine", "x64", "--kernel", "nautilus", "--set", "x64.apic.accept={scale: 2}"]);
  assert.is(p.code, 0, p.stderr);
  assert.match(p.stdout, /^overrides: x64\.apic\.accept=\{"scale":2\}/);
  // The text table wraps long cells; the JSON form has each row whole.
  const pj = await hrtsim(["params", "--machine", "x64", "--kernel", "nautilus", "--set", "x64.apic.accept={scale: 2}", "--json"]);
  const accept = JSON.parse(pj.stdout).parameters.find((r: { name: string }) => r.name === "x64.apic.accept");
  assert.is(accept.value, "normal(1000, sd 80, in [500, Infinity])");
  assert.match(accept.source, /^override x64\.apic\.accept/);
  const e = await hrtsim(["explain", "spinlock", "--machine", "x64", "--kernel", "nautilus", "--set", "x64.atomic=1000"]);
  assert.is(e.code, 0, e.stderr);
  assert.match(e.stdout, /^overrides: x64\.atomic=1000/);
  const bad = await hrtsim(["params", "--machine", "x64", "--kernel", "nautilus", "--set", "nautilus.syscall.entry=5"]);
  assert.is(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /--set nautilus\.syscall\.entry: unknown parameter/);
  const proto = await hrtsim(["params", "--set", "__proto__.x=1", "--machine", "x64", "--kernel", "linux"]);
  assert.is(proto.code, 1, proto.stderr);
});

test("a user machine profile (machineFile) is checked by the built-in schema, runs, and its entries are overridable by its name", async () => {
  const dir = await tempDir();
  const x64 = JSON.parse(await readFile(new URL("../../src/models/hardware/data/x64.json", import.meta.url), "utf8"));
  const fast = { ...x64, machine: "mybox", subject: "x64 with 10-cycle cache lines", parameters: { ...x64.parameters } };
  for (const k of Object.keys(fast.parameters)) if (k.startsWith("cacheLine.")) fast.parameters[k] = { value: 10, source: "assumption: a test machine with 10-cycle cache-line transfers" };
  await writeText(dir, "mybox.json", JSON.stringify(fast, null, 1));
  const scenario = (machine: string) => BASE.replace("experiment: spinlock", `experiment: sync-event\n${machine}`).replace("name: p", "name: m");
  const f = await writeText(dir, "m.yaml", scenario("machineFile: mybox.json\nparameters:\n  mybox.atomic: 50"));
  const plain = await writeText(dir, "x.yaml", scenario("").replace("name: m", "name: x"));
  const out = join(dir, "out");
  const r = await hrtsim(["run", f, plain, "--out", out, "--quiet", "--workers", "1"]);
  assert.is(r.code, 0, r.stderr);
  const rows = await readCsv(join(out, "summary.csv"));
  const p50 = (s: string) => Number(rows.find((x) => x.scenario === s && x.metric === "cycles")!.p50);
  assert.ok(p50("m") < p50("x"), `10-cycle lines must make the cache-line experiment faster: ${p50("m")} vs ${p50("x")}`);
  const broken = { ...fast, parameters: { ...fast.parameters, atomic: { value: "slow", source: "assumption: a broken entry here" } } };
  delete broken.parameters.rdtsc;
  await writeText(dir, "broken.json", JSON.stringify(broken, null, 1));
  const b = await writeText(dir, "b.yaml", scenario("machineFile: broken.json"));
  const bad = await hrtsim(["validate", b]);
  assert.is(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /broken\.json:\d+:\d+: parameters\.atomic\.value: invalid value/);
  const typo = await hrtsim(["validate", await writeText(dir, "t.yaml", scenario("machineFile: mybox.json\nparameters:\n  x64.atomic: 50"))]);
  assert.is(typo.code, 1, typo.stderr);
  assert.match(typo.stderr, /parameters\.x64\.atomic: unknown parameter/);
  assert.match(typo.stderr, /did you mean "mybox\.atomic"\?/);
});

test("a user machine file may carry a measured interference trace: it slows the runs; a bad trace is found by validate", async () => {
  const dir = await tempDir();
  const x64 = JSON.parse(await readFile(new URL("../../src/models/hardware/data/x64.json", import.meta.url), "utf8"));
  const noisy = { ...x64, machine: "noisybox", subject: "x64 with a synthetic detour trace", interference: { source: "test: a 30% synthetic detour every 10k cycles", traces: [{ length: 10_000, detours: [[1000, 3000]] }] } };
  await writeText(dir, "noisy.json", JSON.stringify(noisy, null, 1));
  const scenario = (machine: string, name: string) => BASE.replace("experiment: spinlock", `experiment: ctx-switch\n${machine}`).replace("name: p", `name: ${name}`);
  const f = await writeText(dir, "n.yaml", scenario("machineFile: noisy.json", "n"));
  const plain = await writeText(dir, "x.yaml", scenario("", "x"));
  const out = join(dir, "out");
  const r = await hrtsim(["run", f, plain, "--out", out, "--quiet", "--workers", "1"]);
  assert.is(r.code, 0, r.stderr);
  const rows = await readCsv(join(out, "summary.csv"));
  const p50 = (s: string) => Number(rows.find((x) => x.scenario === s && x.metric === "cycles")!.p50);
  assert.ok(p50("n") > p50("x"), `a CPU losing 30% to detours switches slower: ${p50("n")} vs ${p50("x")}`);
  const overlapping = { ...noisy, interference: { ...noisy.interference, traces: [{ length: 10_000, detours: [[1000, 3000], [2000, 10]] }] } };
  await writeText(dir, "bad.json", JSON.stringify(overlapping, null, 1));
  const bad = await hrtsim(["validate", await writeText(dir, "b.yaml", scenario("machineFile: bad.json", "b"))]);
  assert.is(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /interference\.traces\[0\]\.detours\[1\]/);
});

test("schema --parameters lists every parameter with unit, kind, value, range and meaning; --machine prints the machine-file schema", async () => {
  const p = await hrtsim(["schema", "--parameters"]);
  assert.is(p.code, 0, p.stderr);
  assert.match(p.stdout, /^path\s+unit\s+kind\s+value\s+range\s+meaning/);
  assert.match(p.stdout, /\nx64\.apic\.accept\s+cycles\s+distribution\s/);
  assert.match(p.stdout, /\nhvm\.svm\.vmexit\s/);
  const m = await hrtsim(["schema", "--machine"]);
  assert.is(m.code, 0, m.stderr);
  const schema = JSON.parse(m.stdout);
  assert.ok(schema.properties.topology && schema.properties.kernels && schema.properties.parameters);
});

test("params --model bsp lists the runtime, kernel and machine entries a run uses, by the paths that override them", async () => {
  const r = await hrtsim(["params", "--model", "bsp", "--machine", "phi", "--kernel", "linux", "--set", "runtime.costs.queue.push=77", "--set", "phi.apic.accept={scale: 2}", "--json"]);
  assert.is(r.code, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as { parameters: Array<{ name: string; value: string; source: string }> }).parameters;
  const row = (name: string) => rows.find((x) => x.name === name);
  assert.is(row("runtime.costs.queue.push")?.value, "77");
  assert.match(row("runtime.costs.queue.push")!.source, /model\.params\.runtime\.costs/);
  assert.ok(row("linux.syscall.entry"), "the kernel's entries");
  assert.match(row("phi.apic.accept")?.source ?? "", /override/i);
  assert.not.ok(rows.some((x) => x.name.startsWith("nautilus.")), "only the kernel asked for");
});

test.run();
