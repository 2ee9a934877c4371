/** The journal's reader tolerates a kill mid-line and ignores other scenario versions; atomic writes. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { appendFile, readFile, readdir, writeFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunRecord } from "../src/reports/results.js";
import { writeFileAtomic } from "../src/scenarios/atomic.js";
import { JournalWriter, decodeRecord, encodeRecord, readJournal } from "../src/scenarios/journal.js";

const rec = (runIndex: number, value = 1): RunRecord => ({
  runIndex, point: { "model.params.x": runIndex }, replication: 0, seed: String(100 + runIndex), status: "ok",
  fingerprint: "f", events: 1, simTime: 2, wallMs: 0.5, observations: [{ metric: "m", value }],
});

test("records round-trip, including non-finite values JSON cannot carry", () => {
  const r = rec(1, NaN);
  const back = decodeRecord(encodeRecord({ ...r, observations: [{ metric: "m", value: NaN }, { metric: "m", value: -Infinity }] }));
  assert.ok(Number.isNaN(back.observations[0]!.value));
  assert.is(back.observations[1]!.value, -Infinity);
});

test("reader skips a partial last line and ignores files of another scenario version", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hrtsim-journal-"));
  const w = await JournalWriter.open(dir, { scenario: "s", contentHash: "h1", seed: "1" });
  w.append(rec(0));
  w.append(rec(1));
  w.close();
  await appendFile(join(dir, "runs-0.jsonl"), encodeRecord(rec(2)).slice(0, 20)); // killed mid-write
  const w2 = await JournalWriter.open(dir, { scenario: "s", contentHash: "h1", seed: "1" });
  w2.append(rec(3));
  w2.close();
  await writeFile(join(dir, "runs-7.jsonl"), JSON.stringify({ journal: 1, scenario: "s", contentHash: "OLD", seed: "1" }) + "\n" + encodeRecord(rec(4)) + "\n");
  assert.equal((await readdir(dir)).sort(), ["runs-0.jsonl", "runs-1.jsonl", "runs-7.jsonl"]);
  const j = await readJournal(dir, { contentHash: "h1", seed: "1" });
  assert.equal([...j.runs.keys()].sort(), [0, 1, 3]);
  assert.equal(j.damaged.map((d) => [d.line, d.partialLast]), [[4, true]]);
  assert.equal(j.foreign, ["runs-7.jsonl"]);
  const other = await readJournal(dir, { contentHash: "h1", seed: "2" });
  assert.is(other.runs.size, 0, "another seed's runs are not reused");
});

test("writeFileAtomic replaces the whole file and leaves no temp files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hrtsim-atomic-"));
  const path = join(dir, "sub", "f.txt");
  await writeFileAtomic(path, "first");
  await writeFileAtomic(path, "second");
  assert.is(await readFile(path, "utf8"), "second");
  assert.equal(await readdir(join(dir, "sub")), ["f.txt"]);
});

test.run();
