/**
 * Fingerprint regression (issue 13 §9): every run of every built-in scenario must reproduce
 * its checked-in engine fingerprint and event count. A behaviour change — one cost doubled,
 * one event more — fails here naming the scenario and run; re-record on purpose with
 * `npm run fingerprints:record` and say in the commit why the behaviour changed.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  RECORD_COMMAND, builtinFingerprints, compareFingerprints, fingerprintFile, formatFingerprints, readFingerprints, type RunPrint,
} from "../src/scenarios/fingerprints.js";
import { InputError } from "../src/scenarios/problems.js";

const run = (i: number, fingerprint: string, events = 10): RunPrint => ({
  run: i, point: { "model.params.kernel": "nautilus" }, replication: i, status: "ok", fingerprint, events,
});

test("the comparison names each differing run, and nothing when identical", () => {
  const recorded = new Map([["s", [run(0, "aa"), run(1, "bb")]]]);
  assert.equal(compareFingerprints(recorded, recorded), []);
  const changed = new Map([["s", [run(0, "aa"), run(1, "cc", 11)]]]);
  assert.equal(compareFingerprints(recorded, changed), [
    "s run 1 (kernel=nautilus, replication 1): recorded fingerprint bb, 10 events; now fingerprint cc, 11 events",
  ]);
  const failed = new Map([["s", [run(0, "aa"), { ...run(1, ""), status: "failed" as const, error: "limit: maxEvents" }]], ["t", []]]);
  const lines = compareFingerprints(recorded, failed);
  assert.ok(lines.some((l) => l.startsWith("s run 1 ") && l.endsWith("now failed: limit: maxEvents")), lines.join("\n"));
  assert.ok(lines.includes("t: a built-in scenario without recorded fingerprints"));
});

test("the file format reads back to the same prints", async () => {
  const prints = new Map([["a", [run(0, "aa")]], ["b", [run(0, "bb"), run(1, "cc")]]]);
  const file = join(await mkdtemp(join(tmpdir(), "hrtsim-fp-")), "f.json");
  await writeFile(file, formatFingerprints(prints));
  assert.equal(compareFingerprints((await readFingerprints(file))!, prints), []);
});

test("a damaged fingerprint file is an input error naming the file and the field", async () => {
  const file = join(await mkdtemp(join(tmpdir(), "hrtsim-fp-")), "f.json");
  await writeFile(file, formatFingerprints(new Map([["s", [run(0, "aa")]]])).replace('"events":10', '"events":"ten"'));
  const e = await readFingerprints(file).then(() => undefined, (x: unknown) => x);
  assert.instance(e, InputError);
  const p = (e as InputError).problems;
  assert.equal(p.map((x) => [x.file, x.path]), [[file, "scenarios.s[0].events"]]);
  assert.match(p[0]!.hint ?? "", /fingerprints:record/);
  await writeFile(file, "{}");
  const missing = await readFingerprints(file).then(() => undefined, (x: unknown) => x);
  assert.equal((missing as InputError).problems.map((x) => x.path).sort(), ["recordWith", "scenarios"]);
});

test("every built-in scenario's runs reproduce their recorded fingerprints and event counts", async () => {
  const recorded = await readFingerprints(fingerprintFile());
  assert.ok(recorded, `no ${fingerprintFile()}: record it with ${RECORD_COMMAND}`);
  const now = await builtinFingerprints(Math.max(2, availableParallelism()));
  const diff = compareFingerprints(recorded!, now);
  const shown = diff.slice(0, 20).join("\n") + (diff.length > 20 ? `\n… and ${diff.length - 20} more` : "");
  assert.ok(diff.length === 0, `${diff.length} run(s) behave differently from the recording:\n${shown}\n` +
    `If this behaviour change is intended, re-record with \`${RECORD_COMMAND}\` and say in the commit message why it changed.`);
});

test.run();
