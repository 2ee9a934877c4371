/** A run killed mid-sweep and resumed ends with the same bytes as an uninterrupted run, redoing nothing. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { differingFiles, hrtsim, startCli, tempDir, writeText } from "./cli-helpers.js";

const SCENARIO = `
name: slow
description: enough runs of ~50 ms that a kill lands mid-sweep
model: { name: mmc, params: { serviceRate: 1, servers: 2, customers: 15000 } }
experiment: queue
sweep: { arrivalRate: [0.5, 1, 1.5] }
replications: 12
seed: resume-test
outputs:
  figures: [{ name: wait, title: wait, kind: line, metric: wait, x: arrivalRate }]
`;

/** Finished runs in the journal: every line of every session file but the header. */
async function journalRuns(out: string): Promise<number[]> {
  const dir = join(out, "journal", "slow");
  if (!existsSync(dir)) return [];
  const indices: number[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith(".jsonl"))) {
    const lines = (await readFile(join(dir, f), "utf8")).split("\n").slice(1);
    for (const l of lines) {
      try {
        indices.push(JSON.parse(l).run.runIndex);
      } catch {
        // a partial last line from the kill
      }
    }
  }
  return indices;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("SIGKILL mid-sweep, then --resume: identical output and no finished run redone", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "slow.yaml", SCENARIO);
  const killed = join(dir, "killed");
  const { child, done } = startCli(["run", file, "--out", killed, "--workers", "1"]);
  const deadline = Date.now() + 30_000;
  while ((await journalRuns(killed)).length < 5 && Date.now() < deadline) await sleep(25);
  child.kill("SIGKILL");
  const k = await done;
  assert.is(k.signal, "SIGKILL", "the run was still going when killed");
  const before = await journalRuns(killed);
  assert.ok(before.length >= 5 && before.length < 36, `killed mid-sweep (${before.length} runs journaled)`);
  assert.not.ok(existsSync(join(killed, "summary.csv")), "no outputs yet");

  const [resumed, fresh] = await Promise.all([
    hrtsim(["run", file, "--out", killed, "--resume", "--workers", "2"]),
    hrtsim(["run", file, "--out", join(dir, "fresh"), "--workers", "1"]),
  ]);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.is(fresh.code, 0, fresh.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming: ${before.length} of 36 runs already in the journal; running ${36 - before.length}`));
  const after = await journalRuns(killed);
  assert.is(after.length, 36, "each run journaled exactly once: nothing redone, nothing lost");
  assert.is(new Set(after).size, 36);
  assert.equal(await differingFiles(killed, join(dir, "fresh")), []);

  // Resuming a finished run does nothing and rewrites the same outputs.
  const again = await hrtsim(["run", file, "--out", killed, "--resume", "--quiet"]);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 run now, 36 resumed/);
  assert.equal(await differingFiles(killed, join(dir, "fresh")), []);
});

test.run();
