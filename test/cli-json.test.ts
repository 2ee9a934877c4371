/** --json on every command (parsed here), JSON Lines progress, the plain progress line and the report phase. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { LOSSY_SWEEP, NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

const parse = (text: string) => JSON.parse(text) as Record<string, any>;

test("list, validate, params and explain print JSON with --json", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const bad = await writeText(dir, "bad.yaml", "name: bad\ndescription: x\n");
  const [list, valid, invalid, params, explain] = await Promise.all([
    hrtsim(["list", "--json"]),
    hrtsim(["validate", file, "--json"]),
    hrtsim(["validate", bad, "--json"]),
    hrtsim(["params", "--machine", "phi", "--kernel", "linux", "--json"]),
    hrtsim(["explain", "condvar", "--machine", "x64", "--kernel", "linux", "--json"]),
  ]);
  const l = parse(list.stdout);
  assert.ok(l.scenarios.some((s: any) => s.name === "microbench-paper" && s.tags.includes("paper")));
  assert.ok(l.models.some((m: any) => m.name === "mmc" && m.experiments.includes("queue")));
  assert.equal(parse(valid.stdout), { valid: true, scenarios: [{ file, scenario: "small", runs: 12 }], problems: [] });
  assert.is(invalid.code, 1, "invalid input still exits 1");
  const v = parse(invalid.stdout);
  assert.is(v.valid, false);
  assert.ok(v.problems.some((p: any) => p.file === bad && p.path === "model" && p.message === "missing required key"));
  const p = parse(params.stdout);
  assert.is(p.model, "microbench");
  const clock = p.parameters.find((x: any) => x.name === "phi.clockGHz");
  assert.ok(clock && clock.source.length > 0);
  assert.ok(p.parameters.every((x: any) => !/\d\.\d{7,}/.test(x.value)), "no float noise in values");
  assert.ok(p.parameters.some((x: any) => x.unit === "cycles"), "units split into their own field");
  const e = parse(explain.stdout);
  const b = e.breakdowns[0];
  assert.is(e.primitive, "condvar");
  assert.is(b.unit, "cycles");
  assert.ok(b.steps.length > 0 && b.steps.every((s: any) => typeof s.cost === "number"));
});

test("params text fits 100 columns with units in a column and numbers right-aligned", async () => {
  const r = await hrtsim(["params", "--machine", "phi", "--kernel", "linux"]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.ok(lines.every((l) => [...l].length <= 100), `widest line ${Math.max(...lines.map((l) => [...l].length))}`);
  assert.match(lines[0]!, /^parameter\s+value\s+unit\s+source$/);
  assert.not.match(r.stdout, /\d\.\d{7,}/, "no float noise such as 2499.9999999999995");
  // The value column ends where its dashes end; a plain number ends there too (right-aligned).
  const valueEnd = lines[1]!.split("  ").slice(0, 2).join("  ").length;
  const clock = lines.find((l) => l.startsWith("phi.clockGHz"))!;
  assert.is(clock.slice(0, valueEnd).trimEnd().length, valueEnd, clock);
});

test("run --json: one summary object; figures --json shape; --progress json: JSON Lines on stderr with phases", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const r = await hrtsim(["run", file, "--out", join(dir, "out"), "--json", "--progress", "json", "--allow-failures"]);
  assert.is(r.code, 0, r.stderr);
  const o = parse(r.stdout).outputs[0];
  assert.equal([o.out, o.runs, o.failed, o.figures, o.executed, o.resumed], [join(dir, "out"), 12, 6, 1, 12, 0]);
  assert.equal([o.claims.passed, o.claims.total, o.claims.verdicts[0].id], [1, 1, "grows"]);
  const events = r.stderr.split("\n").filter((l) => l.startsWith("{")).map(parse);
  assert.equal(events.filter((x) => x.event === "phase").map((x) => x.phase), ["running", "writing report"]);
  const last = events.filter((x) => x.event === "progress").at(-1)!;
  assert.equal([last.done, last.total], [12, 12]);
});

test("without a terminal: a plain progress line and the report phase, no carriage returns; --quiet silences them", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const [plain, quiet] = await Promise.all([
    hrtsim(["run", file, "--out", join(dir, "a"), "--allow-failures"]),
    hrtsim(["run", file, "--out", join(dir, "b"), "--allow-failures", "--quiet"]),
  ]);
  assert.match(plain.stderr, /^running \(12 runs\)…$/m);
  assert.match(plain.stderr, /^progress: 12\/12 runs \(100%\)/m);
  assert.match(plain.stderr, /^writing report…$/m);
  assert.not.match(plain.stderr, /\r/);
  assert.not.match(quiet.stderr, /progress:|writing report/);
});

test("user mistakes exit 1 or 2 with a message, never 3", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const aFile = await writeText(dir, "a-file", "");
  const cases: Array<[string[], number, RegExp]> = [
    // OS errors on a path the user gave exit 1 naming the path (docs/reliability.md).
    [["run", file, "--out", join(aFile, "out")], 1, /ENOTDIR[^]*a-file/],
    [["run", file, "--progress", "xml"], 2, /--progress must be auto or json/],
    [["run", file, "--shard", "0/2"], 2, /--shard must be i\/n/],
    [["merge", join(dir, "nowhere"), "--out", join(dir, "m")], 1, /not an hrtsim output directory/],
    [["params", "--set", "nokey=1", "--json"], 1, /unknown key/],
  ];
  const results = await Promise.all(cases.map(([args]) => hrtsim(args)));
  results.forEach((r, i) => {
    assert.is(r.code, cases[i]![1], `${cases[i]![0].join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, cases[i]![2]);
    assert.not.match(r.stderr, NO_STACK_TRACE, "no stack trace");
  });
});

test.run();
