/**
 * `validate` finds every at-scale scenario that run would fail on (or spin through, or get
 * silently wrong): each case names the file, the field, what was expected and what was found,
 * and the run path refuses the same params with the same check.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { runAtScale } from "../src/models/atscale/plugin.js";
import type { AtScaleParams } from "../src/models/atscale/params.js";
import { InputError, loadScenario } from "../src/scenarios/index.js";
import type { Problem } from "../src/scenarios/problems.js";
import { NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

/** A scenario whose params are the defaults below with `params`' lines (4-space indent) put in their place or added. */
const scenario = (params: string, extra = "") => {
  const given = new Set(params.split("\n").map((l) => l.trim().split(":")[0]));
  const defaults = ["ranks: 64", "collective: dissemination", "collectives: 2", "workUs: 100"].filter((l) => !given.has(l.split(":")[0]!));
  return `name: t
description: an at-scale scenario
model:
  name: atscale
  params:
${defaults.map((l) => `    ${l}\n`).join("")}${params}
experiment: collectives
replications: 1
seed: 1
${extra}`;
};

const dir = tempDir("hrtsim-atscale-");
const traces: Record<string, string> = { "a.txt": "10 5\n500 20\n", "zero.txt": "0 0\n", "full.txt": "0 10\n", "inf.txt": "0 1\n1e999 5\n" };
const ready = dir.then(async (d) => { for (const [name, text] of Object.entries(traces)) await writeText(d, name, text); return d; });

/** The problems `validate` (loadScenario) reports for a scenario. */
async function problems(name: string, text: string): Promise<{ file: string; problems: readonly Problem[] }> {
  const file = await writeText(await ready, name, text);
  try {
    await loadScenario(file);
  } catch (e) {
    assert.instance(e, InputError, String(e));
    return { file, problems: (e as InputError).problems };
  }
  assert.unreachable(`${name} validated`);
  throw new Error("unreachable");
}

// [name, params lines (4-space indent), extra document text, path, expected, found]
const cases: Array<[string, string, string, string, RegExp, RegExp]> = [
  ["allreduce on 6 ranks", "    collective: allreduce\n    noise: { kind: none }\n", "sweep: { ranks: [8, 6] }\n", "sweep.ranks[1]", /power-of-two rank count/, /^6$/],
  ["periodic detour longer than its period", "    noise: { kind: periodic, hz: 1000, durationUs: 2000 }\n", "", "model.params.noise.durationUs", /shorter than the period .*1000 µs/, /^2000$/],
  ["periodic hz 1e300", "    noise: { kind: periodic, hz: 1e300, netNoise: 0.1 }\n", "", "model.params.noise.hz", /less than or equal to 1000000/, /1e\+300/],
  ["periodic hz 1e-300", "    noise: { kind: periodic, hz: 1e-300, netNoise: 0.1 }\n", "", "model.params.noise.hz", /greater than or equal to 0.000001/, /1e-300/],
  ["netNoise leaving almost no CPU time", "    noise: { kind: periodic, hz: 1000, netNoise: 0.9999999 }\n", "", "model.params.noise.netNoise", /at most 1e\+10 detours/, /0.9999999/],
  ["pooled kernel noise with 64 traces on x64", "    noise: { kind: kernel, kernel: linux, machine: x64, sampling: pooled, traces: 64 }\n", "", "model.params.noise.traces", /at most 63 noise traces: x64 has 64 CPUs/, /^64$/],
  ["a trace with neither file nor detours", "    noise: { kind: trace }\n", "", "model.params.noise", /give `file` .* or `detours`/, /map with keys kind/],
  ["a trace file of only `0 0`", "    noise: { kind: trace, file: zero.txt }\n", "", "model.params.noise.detours", /span > 0 .*zero\.txt/, /list of 1 item/],
  ["inline detours out of order", "    noise: { kind: trace, detours: [[100, 10], [0, 50]] }\n", "", "model.params.noise.detours[1][0]", /start ≥ 110 ns/, /^0$/],
  ["inline detours: []", "    noise: { kind: trace, detours: [] }\n", "", "model.params.noise.detours", /at least one/, /list of 0 items/],
  ["a span shorter than the last detour's end", "    noise: { kind: trace, detours: [[100, 10]], span: 50 }\n", "", "model.params.noise.span", /≥ the last detour's end \(110 ns/, /^50$/],
  ["a trace covering its whole span", "    noise: { kind: trace, file: full.txt }\n", "", "model.params.noise.detours", /less than the whole span.*10 of its 10 ns/, /list of 1 item/],
  ["bytes: 2^53 - 1", "    bytes: 9007199254740991\n    noise: { kind: none }\n", "", "model.params.bytes", /less than or equal to 1073741824/, /9007199254740991/],
  ["network.L: 1e300", "    network: { L: 1e300 }\n    noise: { kind: none }\n", "", "model.params.network.L", /less than or equal to 1000000000/, /1e\+300/],
  ["huge workUs", "    noise: { kind: none }\n", "sweep: { workUs: [100, 1e300] }\n", "sweep.workUs[1]", /mean of at most 1000000000 µs/, /1e\+300/],
  ["a work distribution without a finite mean", "    workUs: { dist: pareto, scale: 1, shape: 0.5 }\n    noise: { kind: none }\n", "", "model.params.workUs", /mean of at most/, /map with keys dist, scale, shape/],
  ["a work spec that is no distribution", "    workUs: { dist: bogus }\n    noise: { kind: none }\n", "", "model.params.workUs", /a valid distribution/, /map with keys dist/],
  ["report.explain naming another trace file", "    noise: { kind: trace, file: a.txt }\n", "report:\n  explain:\n    - { experiment: collectives, params: { noise.file: full.txt } }\n", "report.explain[0].params.noise.file", /the scenario's model\.params\.noise\.file/, /full\.txt/],
  ["work × collectives past the engine's exact time", "    workUs: 1000000\n    noise: { kind: none }\n", "sweep: { collectives: [2, 100000000] }\n", "model.params.workUs", /estimated makespan ≤ .*100000000 collectives/, /^1000000$/],
];

for (const [name, params, extra, path, expected, found] of cases) {
  test(`validate rejects ${name}: file, field, expected, found`, async () => {
    const { file, problems: ps } = await problems(`${name.replace(/\W+/g, "-")}.yaml`, scenario(params, extra));
    const p = ps.find((q) => q.path === path);
    assert.ok(p, `no problem at ${path}: ${JSON.stringify(ps)}`);
    assert.is(p!.file, file);
    assert.ok(p!.line !== undefined, "a line");
    assert.match(p!.expected ?? "", expected);
    assert.match(p!.found ?? "", found);
  });
}

test("a swept noise.file (here one that does not exist) is refused at the sweep key; so are swept trace objects", async () => {
  const { file, problems: ps } = await problems("swept-file.yaml", scenario("    noise: { kind: trace, file: a.txt }\n", "sweep: { noise.file: [a.txt, missing.txt] }\n"));
  assert.equal(ps.map((p) => [p.file, p.path, p.line]), [[file, "sweep.noise.file", 15]]);
  assert.match(ps[0]!.message, /cannot be swept: each run would replay the first file's detours/);
  assert.match(ps[0]!.expected ?? "", /one trace file per scenario/);
  assert.is(ps[0]!.found, '["a.txt","missing.txt"]');
  const objects = await problems("swept-objects.yaml", scenario("    noise: { kind: trace, file: a.txt }\n", "sweep:\n  noise:\n    - { kind: trace, file: a.txt }\n    - { kind: trace, file: b.txt }\n"));
  assert.equal(objects.problems.map((p) => p.path), ["sweep.noise[0]", "sweep.noise[1]"]);
});

test("a non-finite number in a trace file is reported at the file and its line", async () => {
  const { problems: ps } = await problems("inf.yaml", scenario("    noise: { kind: trace, file: inf.txt }\n"));
  assert.equal(ps.map((p) => [p.file, p.line]), [[join(await ready, "inf.txt"), 2]]);
  assert.match(ps[0]!.expected ?? "", /finite numbers/);
  assert.is(ps[0]!.found, "1e999 5");
});

test("the CLI reports a refused scenario as bad input (exit 1, no stack trace)", async () => {
  const file = await writeText(await ready, "cli.yaml", scenario("    ranks: 6\n    collective: allreduce\n    noise: { kind: none }\n"));
  const r = await hrtsim(["validate", file]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /cli\.yaml:\d+:\d+: model\.params\.ranks: invalid value\n\s+expected: a power-of-two rank count[^\n]*\n\s+found:\s+6\n/);
  assert.not.match(r.stderr, NO_STACK_TRACE);
});

test("the run path refuses the same params with the same checks", () => {
  const base: AtScaleParams = { ranks: 64, collective: "dissemination", collectives: 2, workUs: 100, noise: { kind: "none" } };
  const refused: Array<[Partial<AtScaleParams>, RegExp]> = [
    [{ ranks: 6, collective: "allreduce" }, /power-of-two rank count .*, got 6/],
    [{ noise: { kind: "periodic", hz: 1000, durationUs: 2000 } }, /noise\.durationUs: expected a detour shorter than the period/],
    [{ noise: { kind: "trace", detours: [[100, 10], [0, 50]] } }, /noise\.detours\.1\.0: expected a start ≥ 110 ns/],
    [{ noise: { kind: "trace", detours: [[0, 10]] } }, /less than the whole span/],
    [{ noise: { kind: "kernel", kernel: "linux", machine: "x64", sampling: "pooled", traces: 64 } }, /at most 63 noise traces/],
  ];
  for (const [over, message] of refused) assert.throws(() => runAtScale({ ...base, ...over }, "s"), message);
});

test.run();
