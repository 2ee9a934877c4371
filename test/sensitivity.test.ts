/**
 * `hrtsim sensitivity` on a scenario where the answer is known analytically: the spinlock's
 * median is one locked xchg plus a store, so a claim "median < 5000 cycles" flips when the
 * atomic is scaled ×500 (≈ 20,000 cycles) and not when the store moves within 1..3 cycles.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { claimMarkers, tornadoRows, type SensitivityAnalysis } from "../src/reports/sensitivity.js";
import { InputError } from "../src/scenarios/problems.js";
import { decodeStoredAnalysis } from "../src/scenarios/sensitivity-store.js";
import { NO_STACK_TRACE, hrtsim, readCsv, tempDir, writeText } from "./cli-helpers.js";

async function fixture(dir: string): Promise<string> {
  const x64 = JSON.parse(await readFile(new URL("../../src/models/hardware/data/x64.json", import.meta.url), "utf8"));
  x64.machine = "rangebox";
  for (const e of Object.values(x64.parameters) as Array<{ range?: unknown }>) delete e.range;
  x64.parameters.atomic.range = { low: 0.5, high: 500, why: "test: wide enough to flip the claim" };
  x64.parameters.store.range = { low: 1, high: 3, why: "test: too narrow to flip it" };
  await writeText(dir, "rangebox.json", JSON.stringify(x64));
  return writeText(dir, "sens.yaml", `name: sens
description: spinlock on a machine with two ranged parameters
model:
  name: microbench
  params: { machine: x64, kernel: nautilus, trials: 200 }
machineFile: rangebox.json
experiment: spinlock
replications: 1
seed: 5
claims:
  - { id: cheap, text: "spinlock under 5000 cycles", metric: cycles, statistic: median, op: "<", threshold: 5000 }
  - { id: positive, text: "spinlock costs something", metric: cycles, statistic: median, op: ">", threshold: 0 }
`);
}

test("sensitivity finds the one parameter whose range flips the claim, and only that end of it", async () => {
  const dir = await tempDir();
  const file = await fixture(dir);
  const out = join(dir, "out");
  const only = ["rangebox.atomic", "rangebox.store", "rangebox.apic.accept"].flatMap((p) => ["--only", p]);
  const r = await hrtsim(["sensitivity", file, "--out", out, "--workers", "1", "--quiet", "--with", "trials=100", ...only]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /cheap: depends on rangebox\.atomic \(high end 500\)/);
  assert.match(r.stdout, /positive: robust \(4 range ends of 2 parameters; 1 without a range not varied\)/);
  const a = JSON.parse(await readFile(join(out, "sensitivity.json"), "utf8")) as SensitivityAnalysis;
  assert.equal(a.variants.map((v) => `${v.path}:${v.setting}`), ["rangebox.atomic:low", "rangebox.atomic:high", "rangebox.store:low", "rangebox.store:high"]);
  assert.equal(a.noRange, ["rangebox.apic.accept"]);
  assert.match(a.command, /^hrtsim sensitivity .*sens\.yaml --with trials=100 --only rangebox\.atomic/);
  // The median moves by about the atomic's change: ×500 of a ~40-cycle xchg.
  const base = a.baseline.find((b) => b.id === "cheap")!.value;
  const high = a.variants[1]!.verdicts.find((v) => v.id === "cheap")!.value;
  assert.ok(high - base > 40 * 499 * 0.8 && high - base < 40 * 499 * 1.2, `${base} → ${high}`);
  assert.equal(claimMarkers(a).map((m) => m.flips.length), [1, 0]);
  assert.equal(tornadoRows(a, "cheap").map((t) => t.path), ["rangebox.atomic", "rangebox.store"]);
  const rows = await readCsv(join(out, "sensitivity.csv"));
  assert.equal(rows.filter((x) => x.flips === "true").map((x) => `${x.claim} ${x.parameter} ${x.setting}`), ["cheap rangebox.atomic high"]);
  const svg = await readFile(join(out, "figures", "tornado-cheap.svg"), "utf8");
  assert.ok(svg.startsWith("<svg") && svg.includes("rangebox.atomic"));

  // Checked in beside the scenario, the analysis marks the claims of an ordinary run.
  await mkdir(join(dir, "sensitivity"));
  await copyFile(join(out, "sensitivity.json"), join(dir, "sensitivity", "sens.json"));
  const run = join(dir, "run");
  const ran = await hrtsim(["run", file, "--out", run, "--workers", "1", "--quiet"]);
  assert.is(ran.code, 0, ran.stderr);
  const claims = await readCsv(join(run, "claims.csv"));
  assert.match(claims.find((c) => c.id === "cheap")!.sensitivity!, /^depends on rangebox\.atomic \(high end 500\) \[`hrtsim sensitivity .*`\]$/);
  assert.match(claims.find((c) => c.id === "positive")!.sensitivity!, /^robust /);
  assert.match(await readFile(join(run, "report.md"), "utf8"), /Under the parameters' plausible ranges: depends on rangebox\.atomic/);

  // An analysis of other parameter data says so.
  const stored = JSON.parse(await readFile(join(dir, "sensitivity", "sens.json"), "utf8"));
  await writeText(dir, "sensitivity/sens.json", JSON.stringify({ ...stored, parametersHash: "0".repeat(64) }));
  const again = await hrtsim(["run", file, "--out", join(dir, "run2"), "--workers", "1", "--quiet"]);
  assert.is(again.code, 0, again.stderr);
  assert.match((await readCsv(join(dir, "run2", "claims.csv")))[0]!.sensitivity!, /; the parameter data changed since the analysis\]$/);

  // A damaged analysis is found by validate, and stops a run before anything is written.
  const damaged = { ...stored, variants: [{ ...stored.variants[0], setting: "middle" }] };
  await writeText(dir, "sensitivity/sens.json", JSON.stringify(damaged));
  for (const args of [["validate", file], ["run", file, "--out", join(dir, "run3"), "--workers", "1", "--quiet"]]) {
    const bad = await hrtsim(args);
    assert.is(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /sensitivity[\\/]sens\.json: variants\[0\]\.setting: invalid value/);
    assert.match(bad.stderr, /found: +"middle"/);
    assert.match(bad.stderr, /hint: +re-make it \(hrtsim sensitivity .*sens\.yaml --out DIR/);
    assert.not.match(bad.stderr, NO_STACK_TRACE, "no stack trace");
  }
  assert.not.ok(existsSync(join(dir, "run3")), "nothing written");
  await writeText(dir, "sensitivity/sens.json", JSON.stringify(stored).slice(0, 100));
  const cut = await hrtsim(["validate", file]);
  assert.is(cut.code, 1, cut.stderr);
  assert.match(cut.stderr, /sens\.json: not valid JSON/);
});

test("a stored analysis reads back as written, a claim without a value (NaN, stored as null) included", () => {
  const verdict = { id: "c", value: Number.NaN, pass: false, problem: "no observations" };
  const a: SensitivityAnalysis = {
    version: 1, scenario: "s", contentHash: "h", parametersHash: "p", command: "hrtsim sensitivity s.yaml", method: "one at a time",
    claims: [{ id: "c", text: "t", op: "<", threshold: 1 }], baseline: [verdict],
    variants: [{ path: "x.atomic", setting: "high", end: 2, value: { scale: 2 }, verdicts: [{ ...verdict, value: 0.5, pass: true }] }],
    noRange: [], skipped: [], runs: 2,
  };
  const text = JSON.stringify(a);
  assert.match(text, /"value":null/);
  const back = decodeStoredAnalysis(text, "s.json", { file: "s.yaml", meta: { name: "s" } });
  assert.ok(Number.isNaN(back.baseline[0]!.value));
  assert.equal({ ...back, baseline: [] }, { ...a, baseline: [] });
  assert.throws(() => decodeStoredAnalysis(text, "s.json", { file: "t.yaml", meta: { name: "t" } }), (e: InputError) => e.problems[0]!.path === "scenario");
});

test("sensitivity rejects an unknown --only path and bad --with parameters with exit 1", async () => {
  const dir = await tempDir();
  const file = await fixture(dir);
  const only = await hrtsim(["sensitivity", file, "--out", join(dir, "o"), "--only", "rangebox.atomc"]);
  assert.is(only.code, 1, only.stderr);
  assert.match(only.stderr, /--only: not a parameter of this scenario/);
  const bad = await hrtsim(["sensitivity", file, "--out", join(dir, "o"), "--with", "trials=-1"]);
  assert.is(bad.code, 1, bad.stderr);
});

test.run();
