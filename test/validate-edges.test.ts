/**
 * Inputs that used to pass `validate` and fail (or hang) only at run time: an override of a
 * machine file's interference scale that leaves no CPU time, a superstep's or identity map's
 * absurd size; a sweep key into a map keyed by dotted names; an --out under /proc or below a
 * dangling link (Node's recursive mkdir spins there).
 */
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { machineProfile } from "../src/models/hardware/profile.js";
import { MAX_GRAIN } from "../src/models/bsp/params.js";
import { MAX_MAPPED_GB } from "../src/models/hvm/params.js";
import { NO_STACK_TRACE, hrtsim, hrtsimWithin, readCsv, tempDir, writeText } from "./cli-helpers.js";

/** x64 as machine file "mybox" with one trace whose detours cover half its length. */
function halfBusyMachine(): string {
  const m = structuredClone({ ...machineProfile("x64"), machine: "mybox" }) as Record<string, any>;
  m.interference = { source: "test: detours covering half the trace", traces: [{ length: 10_000, detours: [[0, 2500], [5000, 2500]] }] };
  m.parameters["interference.scale"] = { value: 1, unit: "ratio", source: "assumption: a test entry" };
  return JSON.stringify(m);
}

const microbench = (extra: string) => `name: s
description: validate edges
model:
  name: microbench
  params: { machine: x64, kernel: linux, trials: 20, remoteCpus: 2 }
experiment: condvar
machineFile: box.json
replications: 1
seed: 7
${extra}`;

test("an interference.scale override that leaves no CPU time is a validate error at the override; one that leaves time passes", async () => {
  const dir = await tempDir();
  await writeText(dir, "box.json", halfBusyMachine());
  const cases: Array<[string, RegExp | null]> = [
    ["parameters:\n  mybox.interference.scale: 2\n", /s\.yaml:\d+:\d+: parameters\.mybox\.interference\.scale: interference leaves no CPU time in the machine file's interference\.traces\[0\][\s\S]*× interference\.scale 2\)[\s\S]*found:\s+detours covering 10000 cycles/],
    ["sweep:\n  mybox.interference.scale: [1, 2.5]\n", /sweep\.mybox\.interference\.scale\[1\]: interference leaves no CPU time[\s\S]*found:\s+detours covering 12500 cycles/],
    ["parameters:\n  mybox.interference.scale: 1.9\n", null],
  ];
  for (const [extra, expected] of cases) {
    const r = await hrtsim(["validate", await writeText(dir, "s.yaml", microbench(extra))]);
    assert.not.match(r.stderr, NO_STACK_TRACE);
    if (expected === null) assert.is(r.code, 0, r.stderr);
    else {
      assert.is(r.code, 1, extra);
      assert.match(r.stderr, expected);
    }
  }
  // --set on the command line is located there.
  const s = await writeText(dir, "s.yaml", microbench(""));
  const cli = await hrtsim(["run", s, "--out", join(dir, "out"), "--set", "mybox.interference.scale=3"]);
  assert.is(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /--set mybox\.interference\.scale: interference leaves no CPU time/);
});

test("bsp work and hvm mappedGB beyond their bounds are validate errors naming the bound", async () => {
  const dir = await tempDir();
  const bsp = (work: string) => `name: b\ndescription: x\nmodel:\n  name: bsp\n  params: { machine: x64, kernel: linux, threads: 8, supersteps: 2, work: ${work} }\nexperiment: superstep\nreplications: 1\nseed: 7\n`;
  for (const work of [String(MAX_GRAIN * 10), `{ dist: normal, mean: ${MAX_GRAIN * 2}, sd: 10 }`]) {
    const r = await hrtsim(["validate", await writeText(dir, "b.yaml", bsp(work))]);
    assert.is(r.code, 1, work);
    assert.match(r.stderr, new RegExp(`model\\.params\\.work: [\\s\\S]*a mean of at most ${MAX_GRAIN.toExponential().replace("+", "\\+")} cycles per superstep`));
  }
  assert.is((await hrtsim(["validate", await writeText(dir, "b.yaml", bsp(String(MAX_GRAIN)))])).code, 0);
  const hvm = (gb: number) => `name: h\ndescription: x\nmodel:\n  name: hvm\n  params: { mappedGB: ${gb} }\nexperiment: boot\nreplications: 1\nseed: 7\n`;
  const big = await hrtsim(["validate", await writeText(dir, "h.yaml", hvm(MAX_MAPPED_GB * 2))]);
  assert.is(big.code, 1, big.stderr);
  assert.match(big.stderr, new RegExp(`model\\.params\\.mappedGB: [\\s\\S]*less than or equal to ${MAX_MAPPED_GB}[\\s\\S]*found:\\s+${MAX_MAPPED_GB * 2}`));
  assert.is((await hrtsim(["validate", await writeText(dir, "h.yaml", hvm(MAX_MAPPED_GB))])).code, 0);
});

test("a sweep key into runtime.costs sets the dotted entry: a bad value is located at the sweep, a good one runs with it", async () => {
  const dir = await tempDir();
  const scenario = (values: string) => `name: sw\ndescription: x\nmodel:\n  name: bsp\n  params: { machine: x64, kernel: linux, threads: 4, supersteps: 2, work: 1000 }\nexperiment: superstep\nsweep:\n  runtime.costs.queue.push: ${values}\nreplications: 1\nseed: 7\n`;
  const bad = await hrtsim(["validate", await writeText(dir, "sw.yaml", scenario("[1, -5]"))]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /sw\.yaml:8:\d+: sweep\.runtime\.costs\.queue\.push\[1\]: invalid value[\s\S]*found:\s+-5/);
  const out = join(dir, "out");
  const ok = await hrtsim(["run", await writeText(dir, "sw.yaml", scenario("[1, 5000]")), "--out", out]);
  assert.is(ok.code, 0, ok.stderr);
  const rows = await readCsv(join(out, "summary.csv"));
  const column = "model.params.runtime.costs.queue.push";
  assert.equal([...new Set(rows.map((r) => r[column]))].sort(), ["1", "5000"]);
});

test("--out under /proc or below a dangling link fails at once with the path, instead of spinning in mkdir", async () => {
  const dir = await tempDir();
  const s = await writeText(dir, "w.yaml", "name: w\ndescription: x\nmodel:\n  name: mmc\n  params: { servers: 1, arrivalRate: 0.5, serviceRate: 1, customers: 50 }\nexperiment: queue\nreplications: 1\nseed: 7\n");
  await symlink(join(dir, "missing"), join(dir, "dangling"));
  for (const out of ["/proc/hrtsim-test/x", join(dir, "dangling", "out")]) {
    const r = await hrtsimWithin(30_000, ["run", s, "--out", out]);
    assert.is(r.signal, null, `${out}: killed after 30 s (the mkdir spin)`);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot create the directory .*: no such file or directory \(ENOENT\)/);
    assert.not.match(r.stderr, NO_STACK_TRACE);
  }
});

test("Linux noise that leaves no CPU time and a timer of 0 Hz are validate errors at the override, for every model that runs Linux", async () => {
  const dir = await tempDir();
  const scenario = (model: string, params: string, experiment: string, parameters: string) =>
    `name: n\ndescription: x\nmodel:\n  name: ${model}\n  params: ${params}\nexperiment: ${experiment}\nparameters:\n  ${parameters}\nreplications: 1\nseed: 7\n`;
  const models: Array<[string, string, string]> = [
    ["microbench", "{ machine: x64, kernel: linux, trials: 2 }", "condvar"],
    ["bsp", "{ machine: x64, kernel: linux, supersteps: 2 }", "superstep"],
    ["hvm", "{ trials: 2, loop: 2 }", "baselines"],
    ["atscale", "{ ranks: 4, collective: tree, collectives: 2, workUs: 10, noise: { kind: kernel, kernel: linux, machine: x64 } }", "collectives"],
  ];
  for (const [model, params, experiment] of models) {
    const noisy = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario(model, params, experiment, "linux.noise.daemon.duration: 500000"))]);
    assert.is(noisy.code, 1, `${model}: ${noisy.stderr}`);
    assert.match(noisy.stderr, /n\.yaml:8:\d+: parameters\.linux\.noise\.daemon\.duration: impossible combination: Linux noise leaves threads no CPU time[\s\S]*found:\s+Linux noise would take \d+% of CPU 0/, model);
    assert.not.match(noisy.stderr, NO_STACK_TRACE);
    const hz = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario(model, params, experiment, "linux.config.hz: 0"))]);
    assert.is(hz.code, 1, `${model}: ${hz.stderr}`);
    assert.match(hz.stderr, /parameters\.linux\.config\.hz: value out of range[\s\S]*a timer frequency in \[1, 1e\+6\]/, model);
  }
  // The Phi's inOrderFactor derives the runtime's and the kernels' uncounted costs: 0 is refused at validate (it failed at run time).
  const factor = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario("bsp", "{ machine: phi, kernel: nautilus, supersteps: 2 }", "superstep", "phi.inOrderFactor: 0"))]);
  assert.is(factor.code, 1, factor.stderr);
  assert.match(factor.stderr, /parameters\.phi\.inOrderFactor: value out of range[\s\S]*expected: a value > 0 \(ratio: other costs are derived with it\)/);
  // bsp without noise runs no Linux noise: the same override is no problem there.
  const quiet = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario("bsp", "{ machine: x64, kernel: linux, supersteps: 2, noise: none }", "superstep", "linux.noise.daemon.duration: 500000"))]);
  assert.is(quiet.code, 0, quiet.stderr);
});

test("Linux noise is judged by the mean of its draws, which clamp at 0: a tick duration reaching below 0 takes more than its distribution's mean", async () => {
  const dir = await tempDir();
  // normal(3797, sd) µs per 4 ms tick: the distribution's mean is 95% of the CPU (plus the rest of
  // the noise); with sd 4749 a fifth of the draws fall below 0 and count as 0, which lifts the
  // drawn mean past the tick period. Found by validate-then-run: such a run spun for ever.
  const scenario = (sd: number) => `name: n\ndescription: x\nmodel:\n  name: atscale\n  params: { ranks: 16, collective: dissemination, collectives: 2, workUs: 100, noise: { kind: kernel, kernel: linux, machine: x64 } }\nexperiment: collectives\nparameters:\n  linux.noise.tick.duration: { dist: normal, mean: 3797, sd: ${sd} }\nreplications: 1\nseed: 7\n`;
  const wide = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario(4749))]);
  assert.is(wide.code, 1, wide.stderr);
  assert.match(wide.stderr, /parameters\.linux\.noise\.tick\.duration: impossible combination: Linux noise leaves threads no CPU time[\s\S]*rate × mean drawn duration/);
  const narrow = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario(100))]);
  assert.is(narrow.code, 0, narrow.stderr);
});

test("Nautilus's tick and the machine's SMIs that leave no CPU time are validate errors at the override (they failed at run time: 'more than 1,000,000 noise arrivals')", async () => {
  const dir = await tempDir();
  const scenario = (model: string, params: string, experiment: string, parameters: string) =>
    `name: n\ndescription: x\nmodel:\n  name: ${model}\n  params: ${params}\nexperiment: ${experiment}\nparameters:\n${parameters}replications: 1\nseed: 7\n`;
  const nautilus = ["microbench", "{ machine: x64, kernel: nautilus, trials: 2 }", "condvar"] as const;
  // x64 at 2.1 GHz, Nautilus's tick at 100 Hz: 21e6 cycles a period. SMIs: rate × duration.
  const cases: Array<[readonly [string, string, string], string, RegExp | null]> = [
    [nautilus, "  nautilus.tick.handler: 30000000\n", /parameters\.nautilus\.tick\.handler: impossible combination: Nautilus noise leaves threads no CPU time[\s\S]*found:\s+Nautilus noise would take 14\d% of every CPU/],
    [nautilus, "  nautilus.tick.handler: 15000000\n", null],
    [nautilus, "  x64.smi.rate: 10\n  x64.smi.duration: 200000\n", /parameters\.x64\.smi\.rate: impossible combination: Nautilus noise leaves threads no CPU time[\s\S]*SMIs: rate × duration/],
    [nautilus, "  x64.smi.rate: 10\n  x64.smi.duration: 50000\n", null],
    // Linux's noise (a few tenths of a percent of CPU 0) and the SMIs (99.8%) add up past 100%; with 99% SMIs they leave time.
    [["microbench", "{ machine: x64, kernel: linux, trials: 2 }", "condvar"], "  x64.smi.rate: 10\n  x64.smi.duration: 99800\n", /Linux noise would take \d+% of CPU 0 \(tick \+ kernel threads \+ daemons \+ device interrupts \+ SMIs/],
    [["microbench", "{ machine: x64, kernel: linux, trials: 2 }", "condvar"], "  x64.smi.rate: 10\n  x64.smi.duration: 99000\n", null],
    // bsp without kernel noise keeps the machine's SMIs.
    [["bsp", "{ machine: x64, kernel: linux, supersteps: 2, noise: none }", "superstep"], "  x64.smi.rate: 10\n  x64.smi.duration: 200000\n", /parameters\.x64\.smi\.rate: impossible combination: SMI noise leaves threads no CPU time[\s\S]*SMIs would take 200% of every CPU/],
  ];
  for (const [[model, params, experiment], parameters, expected] of cases) {
    const r = await hrtsim(["validate", await writeText(dir, "n.yaml", scenario(model, params, experiment, parameters))]);
    assert.not.match(r.stderr, NO_STACK_TRACE);
    if (expected === null) assert.is(r.code, 0, `${parameters}: ${r.stderr}`);
    else {
      assert.is(r.code, 1, parameters);
      assert.match(r.stderr, expected);
    }
  }
});

test("an override is not called unknown while the model parameters do not decode; with none in use, the message says so", async () => {
  const dir = await tempDir();
  const bsp = (threads: string) =>
    `name: u\ndescription: x\nmodel:\n  name: bsp\n  params: { machine: x64, kernel: nautilus, threads: ${threads} }\nexperiment: superstep\nparameters:\n  nautilus.bogus.entry: 3\nreplications: 1\nseed: 7\n`;
  const undecodable = await hrtsim(["validate", await writeText(dir, "u.yaml", bsp('"many"'))]);
  assert.is(undecodable.code, 1, undecodable.stderr);
  assert.match(undecodable.stderr, /model\.params\.threads: invalid value/);
  assert.not.match(undecodable.stderr, /unknown parameter/);
  const decodable = await hrtsim(["validate", await writeText(dir, "u.yaml", bsp("8"))]);
  assert.is(decodable.code, 1, decodable.stderr);
  assert.match(decodable.stderr, /parameters\.nautilus\.bogus\.entry: unknown parameter\n\s+expected: a parameter this scenario uses, <scope>\.<name> with scope x64, nautilus/);
  // atscale with injected noise reads no parameter file: no empty scope list.
  const atscale = `name: u\ndescription: x\nmodel:\n  name: atscale\n  params: { ranks: 4, collective: tree, collectives: 2, workUs: 10, noise: { kind: periodic, hz: 10, netNoise: 0.025 } }\nexperiment: collectives\nparameters:\n  linux.noise.daemon.rate: 5\nreplications: 1\nseed: 7\n`;
  const none = await hrtsim(["validate", await writeText(dir, "u.yaml", atscale)]);
  assert.is(none.code, 1, none.stderr);
  assert.match(none.stderr, /unknown parameter\n\s+expected: none: with these model parameters the model reads no parameter-file entries/);
  assert.match(none.stderr, /hint:\s+`hrtsim params --model atscale --set <key>=<value> …`/);
});

test.run();
