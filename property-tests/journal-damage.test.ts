/**
 * Random damage (truncation, byte flips, valid-JSON non-records, duplicated lines) fed into
 * journals and merge inputs (issue 13 §6). A damaged journal read for `--resume` yields only
 * records identical to ones written (the rest are redone), never a wrong one; `merge` on
 * damaged inputs either fails with an InputError (exit 1) or writes exactly the undamaged
 * result — never another error (exit 3), never a wrong result. Counts are printed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunRecord } from "../src/reports/results.js";
import { JournalWriter, encodeRecord, readJournal } from "../src/scenarios/journal.js";
import { validateDoc } from "../src/scenarios/load.js";
import { mergeDirs } from "../src/scenarios/merge.js";
import { InputError } from "../src/scenarios/problems.js";
import { execute } from "../src/scenarios/session.js";
import { plainSource } from "../src/scenarios/source.js";
import { differingFiles } from "../test/cli-helpers.js";
import { fcParams } from "./config.js";

const NON_RECORDS = ["{}", "1", "[]", "null", '"x"', '{"run":{}}', '{"run":{},"sum":"0000000000000000"}', '{"journal":1}'];

type Damage =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number; mask: number }
  | { kind: "insert"; line: number; text: string }
  | { kind: "duplicate"; line: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), line: fc.nat(20), text: fc.constantFrom(...NON_RECORDS) }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat(20) }),
);

function applyDamage(bytes: Buffer, d: Damage): Buffer {
  if (d.kind === "truncate") return bytes.subarray(0, Math.floor(d.at * bytes.length));
  if (d.kind === "flip") {
    const out = Buffer.from(bytes);
    const i = Math.min(out.length - 1, Math.floor(d.at * out.length));
    if (i >= 0) out[i] = out[i]! ^ d.mask;
    return out;
  }
  const lines = bytes.toString("utf8").split("\n");
  const at = Math.min(lines.length - 1, d.line);
  if (d.kind === "insert") lines.splice(at, 0, d.text);
  else lines.splice(at, 0, lines[at]!);
  return Buffer.from(lines.join("\n"), "utf8");
}

const counts = { tried: 0, cleanErrors: 0, correct: 0, crashes: 0, wrong: 0 };

const recordArb = (runIndex: number): fc.Arbitrary<RunRecord> =>
  fc.record({
    value: fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity)),
    events: fc.nat(1e6),
    fp: fc.stringMatching(/^[0-9a-f]{16}$/),
  }).map(({ value, events, fp }) => ({
    runIndex, point: { "model.params.x": runIndex % 3 }, replication: runIndex, seed: String(1000 + runIndex), status: "ok" as const,
    fingerprint: fp, events, simTime: events * 2, wallMs: 1, observations: [{ metric: "m", value, labels: { op: "a" } }],
  }));

test("a damaged journal yields only records identical to those written; every other one is reported or absent", async () => {
  const root = await mkdtemp(join(tmpdir(), "hrtsim-damage-j-"));
  const recordsArb = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => recordArb(i))));
  let caseNo = 0;
  await fc.assert(fc.asyncProperty(recordsArb, fc.array(damageArb, { minLength: 1, maxLength: 3 }), async (records, damages) => {
    const dir = join(root, String(caseNo++));
    const w = await JournalWriter.open(dir, { scenario: "s", contentHash: "h", seed: "1" });
    for (const r of records) w.append(r);
    w.close();
    const file = join(dir, "runs-0.jsonl");
    let bytes: Buffer = await readFile(file);
    const written = bytes.toString("utf8").split("\n");
    for (const d of damages) bytes = applyDamage(bytes, d);
    await writeFile(file, bytes);
    counts.tried++;
    let j;
    try {
      j = await readJournal(dir, { contentHash: "h", seed: "1" });
    } catch (e) {
      counts.crashes++;
      throw e;
    }
    for (const [i, r] of j.runs) {
      if (encodeRecord(r) !== encodeRecord(records[i]!)) {
        counts.wrong++;
        assert.unreachable(`run ${i} read back differently`);
      }
    }
    // Nothing usable is dropped: with the header intact, every line that is still exactly a
    // written record is read back, and every other non-empty line is reported as damaged.
    const lines = bytes.toString("utf8").split("\n");
    if (lines[0] === written[0]) {
      const reported = new Set(j.damaged.map((d) => d.line));
      for (let k = 1; k < lines.length; k++) {
        const at = written.indexOf(lines[k]!, 1);
        if (lines[k] !== "" && at >= 1) assert.ok(j.runs.has(at - 1), `line ${k + 1}, run ${at - 1} intact but not read back`);
        else if (lines[k] !== "" || k < lines.length - 1) assert.ok(reported.has(k + 1), `line ${k + 1} neither read back nor reported`);
      }
    }
    if (j.runs.size === records.length) counts.correct++;
    else counts.cleanErrors++; // resume redoes the rest (reported as damaged, or cut off)
  }), fcParams(200));
  await rm(root, { recursive: true, force: true });
});

const SCENARIO = {
  name: "dmg", description: "damage target", model: { name: "mmc", params: { serviceRate: 1, servers: 1, customers: 50 } },
  experiment: "queue", sweep: { arrivalRate: [0.3, 0.6] }, replications: 2, seed: 3,
};

test("merge of damaged inputs: exit 1 (InputError) or exactly the undamaged result", async () => {
  const root = await mkdtemp(join(tmpdir(), "hrtsim-damage-m-"));
  const scenario = validateDoc(plainSource("dmg.yaml", SCENARIO), "hash-of-dmg");
  const shard = join(root, "shard");
  const quiet = { workers: 1, resume: false, quiet: true, createdBy: "test", log: () => undefined };
  await execute([scenario], shard, { command: "run", title: "t", reproducibleCommand: "hrtsim run dmg.yaml" }, quiet);
  const reference = join(root, "reference");
  await mergeDirs([shard], reference, "test");
  const targets = ["journal/run.json", "journal/dmg/scenario.json", "journal/dmg/runs-0.jsonl"];
  let caseNo = 0;
  await fc.assert(fc.asyncProperty(fc.constantFrom(...targets), fc.array(damageArb, { minLength: 1, maxLength: 2 }), async (target, damages) => {
    const copy = join(root, `c${caseNo}`);
    const out = join(root, `m${caseNo++}`);
    await cp(shard, copy, { recursive: true });
    const path = join(copy, target);
    let bytes: Buffer = await readFile(path);
    for (const d of damages) bytes = applyDamage(bytes, d);
    await writeFile(path, bytes);
    counts.tried++;
    try {
      await mergeDirs([copy], out, "test");
    } catch (e) {
      if (e instanceof InputError) {
        counts.cleanErrors++;
        assert.ok(e.problems.every((p) => p.file.startsWith(copy) || p.file === "dmg"), e.message);
        return;
      }
      counts.crashes++;
      throw e;
    }
    const diff = await differingFiles(out, reference);
    if (diff.length) counts.wrong++;
    else counts.correct++;
    assert.equal(diff, [], `merge after damage to ${target} wrote a different result`);
  }), fcParams(25));
  assert.ok((await readdir(root)).length > 2);
  await rm(root, { recursive: true, force: true });
});

test("counts", () => {
  console.log(`\n  damage campaign: ${counts.tried} damaged inputs, ${counts.cleanErrors} clean errors or redone records, ${counts.correct} read back whole, crashes ${counts.crashes}, wrong results ${counts.wrong}`);
  assert.is(counts.crashes, 0);
  assert.is(counts.wrong, 0);
});

test.run();
