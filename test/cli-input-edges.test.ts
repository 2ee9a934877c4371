/**
 * Input an audit found accepted by validate and failing later, crashing, or misreported: each is
 * now a clean error (file, path, expected, found; exit 1, or 2 for a bad flag) before anything runs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { NO_STACK_TRACE, hrtsim, startCli, tempDir, writeText } from "./cli-helpers.js";
import { MAX_WALL_SECONDS } from "../src/scenarios/limits.js";
import { formatProblem } from "../src/scenarios/problems.js";

const MM1 = `name: b
description: d
model: { name: mmc, params: { serviceRate: 1, servers: 1, customers: 200 } }
experiment: queue
sweep: { arrivalRate: [0.2, 0.5] }
replications: 2
seed: 1
`;

async function rejected(dir: string, name: string, text: string, path: RegExp, expected: RegExp): Promise<void> {
  const r = await hrtsim(["validate", await writeText(dir, name, text)]);
  assert.is(r.code, 1, `${name}: ${r.stderr}`);
  assert.match(r.stderr, path, name);
  assert.match(r.stderr, expected, name);
  assert.not.match(r.stderr, NO_STACK_TRACE, name);
}

test("NO_STACK_TRACE finds a crash's report and frames, not a rejected input's problems (control)", () => {
  const stack = new RangeError("boom").stack!;
  assert.match(stack, NO_STACK_TRACE, "the frames");
  assert.match(stack.split("\n")[1]!, NO_STACK_TRACE, "one frame");
  assert.match("internal error (please report): RangeError: boom", NO_STACK_TRACE);
  const problem = formatProblem({ file: "s.yaml", path: "replications", line: 3, column: 5, message: "invalid value", expected: "at least 1 (at most 10)", found: "0", hint: "set it at the top" });
  assert.not.match(problem, NO_STACK_TRACE);
});

test("claims that no data could make pass are validate errors", async () => {
  const dir = await tempDir();
  const claim = (c: string) => `${MM1}claims:\n  - { id: c, text: a claim, metric: waitMean, statistic: mean, ${c} }\n`;
  await rejected(dir, "between.yaml", claim("op: between, threshold: 5"), /claims\[0\]: invalid value/, /op "between" needs a threshold \[low, high\]/);
  await rejected(dir, "low-high.yaml", claim("op: between, threshold: [5, 1]"), /claims\[0\]/, /has low > high/);
  await rejected(dir, "single.yaml", claim("op: '>', threshold: [1, 2]"), /claims\[0\]/, /needs a single number threshold/);
  await rejected(dir, "num.yaml", claim("op: '>', threshold: 1, numerator: { arrivalRate: 0.5 }"), /claims\[0\]/, /numerator and denominator must be given together/);
  await rejected(dir, "compare.yaml", claim("op: '>', threshold: 1, compare: ratio"), /claims\[0\]/, /compares a numerator with a denominator/);
  await rejected(dir, "aggregate.yaml", claim("op: '>', threshold: 1, aggregate: any"), /claims\[0\]/, /give groupBy/);
  await rejected(dir, "rep.yaml", claim("op: '>', threshold: 1, where: { replication: 99 }"), /claims\[0\]\.where\.replication: value not in the replications \(0\.\.1\)/, /found:\s+99/);
  await rejected(dir, "empty.yaml", claim("op: '>', threshold: 1, where: { arrivalRate: [] }"), /empty\.yaml:\d+:\d+: claims\[0\]\.where\.arrivalRate: invalid value/, /expected: a value with a length of at least 1\n/);
});

test("limits, names and seeds a run could not use are validate errors, --seed '' too", async () => {
  const dir = await tempDir();
  await rejected(dir, "wall.yaml", `${MM1}limits: { wallSeconds: 1e10 }\n`, /wall\.yaml:\d+:\d+: limits\.wallSeconds: invalid value/, new RegExp(`${MAX_WALL_SECONDS}`));
  await rejected(dir, "name.yaml", MM1.replace("name: b", `name: ${"x".repeat(300)}`), /name\.yaml:1:\d+: name: invalid value/, /expected: a value with a length of at most 100\n/);
  await rejected(dir, "seed.yaml", MM1.replace("seed: 1", "seed: ''"), /seed\.yaml:7:\d+: seed: invalid value/, /expected: a value with a length of at least 1\n\s+found:\s+""/);
  await rejected(dir, "cycle.yaml", `${MM1}x: &a [*a]\n`, /x\[0\]: an alias refers to a node that contains it/, /a tree/);
  await rejected(dir, "scale.yaml", `${MM1.replace("sweep: { arrivalRate: [0.2, 0.5] }", "sweep: { x64.atomic: { scale: [] } }").replace("mmc, params: { serviceRate: 1, servers: 1, customers: 200 }", "microbench, params: { machine: x64, kernel: linux, trials: 2 }").replace("experiment: queue", "experiment: condvar")}`, /sweep\.x64\.atomic\.scale: invalid value/, /a list of scale factors ≥ 0 \(must not be empty\)/);
  const shard = await hrtsim(["run", await writeText(dir, "ok.yaml", MM1), "--shard", "1/9999999999999999999", "--out", `${dir}/o`]);
  assert.is(shard.code, 2, shard.stderr);
  assert.match(shard.stderr, /--shard must be i\/n/);
  const r = await hrtsim(["run", await writeText(dir, "ok.yaml", MM1), "--seed", "", "--out", `${dir}/o`]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /--seed: empty seed\n\s+expected: a non-empty seed\n\s+found:\s+""/);
});

test("report.explain parameters must be runnable (the model's constraints), like every sweep point", async () => {
  const dir = await tempDir();
  const text = `name: e\ndescription: d\nmodel: { name: hvm, params: { trials: 2 } }\nexperiment: async-call\nreplications: 1\nseed: 1\nreport:\n  explain:\n    - { experiment: async-call, params: { hrtCores: 100 } }\n`;
  await rejected(dir, "explain.yaml", text, /report\.explain\[0\]\.params → model\.params\.hrtCores: impossible combination/, /expected:/);
});

test("--out that is a file, merging a file, NaN in --set, and --with problems name what is wrong", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "b.yaml", MM1);
  const out = await hrtsim(["run", file, "--out", file]);
  assert.is(out.code, 1, out.stderr);
  assert.match(out.stderr, /b\.yaml: the output directory is not a directory\n\s+expected: a directory/);
  const merge = await hrtsim(["merge", file, "--out", `${dir}/m`]);
  assert.is(merge.code, 1, merge.stderr);
  assert.match(merge.stderr, /not an hrtsim output directory/);
  const nan = await hrtsim(["params", "--machine", "x64", "--kernel", "linux", "--set", "x64.atomic=.nan"]);
  assert.is(nan.code, 1, nan.stderr);
  assert.match(nan.stderr, /found:\s+NaN/);
  const withBad = await hrtsim(["sensitivity", "microbench-paper", "--with", "trials=abc", "--out", `${dir}/s`]);
  assert.is(withBad.code, 1, withBad.stderr);
  assert.match(withBad.stderr, /--with trials: invalid value/);
  assert.match(withBad.stderr, /found:\s+"abc"/);
  const only = await hrtsim(["sensitivity", "microbench-paper", "--only", "x64.atomik", "--out", `${dir}/s`]);
  assert.is(only.code, 1, only.stderr);
  assert.match(only.stderr, /did you mean "x64\.atomic"\?/);
  for (const r of [out, merge, nan, withBad, only]) assert.not.match(r.stderr, NO_STACK_TRACE);
});

test("a measurement set that cannot be calibrated is bad input for calibrate", async () => {
  const dir = await tempDir();
  const { hostMeasurementsDir } = await import("../src/scenarios/host-files.js");
  const { readFile } = await import("node:fs/promises");
  const set = `${dir}/set`;
  await mkdir(set);
  await writeFile(`${set}/machine.json`, await readFile(`${hostMeasurementsDir()}/machine.json`));
  const samples = (await readFile(`${hostMeasurementsDir()}/samples.csv`, "utf8")).split("\n").filter((l) => !l.startsWith("condvar,")).join("\n");
  await writeFile(`${set}/samples.csv`, samples);
  const r = await hrtsim(["calibrate", set, "--out", `${dir}/cal`]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot be calibrated\n\s+expected: at least 1 sample\(s\) of "condvar" in samples\.csv\n\s+found:\s+0/);
  assert.not.ok((await readdir(dir)).includes("cal"), "nothing written");
});

test("a reader that closes the pipe early ends the output quietly (hrtsim schema | head)", async () => {
  const { child, done } = startCli(["schema"]);
  child.stdout!.destroy(); // closed before the first write: the child's write meets a closed pipe
  const r = await done;
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, NO_STACK_TRACE);
  assert.not.match(r.stderr, /EPIPE/);
});

test.run();
