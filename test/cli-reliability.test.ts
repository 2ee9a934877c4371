/**
 * Issue 13 end to end: nothing lost (user files under --out survive, no writing through
 * links), one writer per --out (a lock), nothing unbounded (run-count ceiling, wall-clock
 * limit), and damaged inputs are clean errors (exit 1 naming file and line), never exit 3.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { NO_STACK_TRACE, differingFiles, hrtsim, readCsv, startCli, tempDir, writeText } from "./cli-helpers.js";

const scenario = (name: string, extra = "", figure = "wait") => `
name: ${name}
description: a tiny queue
model: { name: mmc, params: { serviceRate: 1, servers: 1, customers: 300 } }
experiment: queue
sweep: { arrivalRate: [0.3, 0.6] }
replications: 2
seed: 7
outputs:
  figures: [{ name: ${figure}, title: wait, kind: line, metric: wait, x: arrivalRate }]
${extra}`;

test("files a user put under --out survive a rerun; only hrtsim's stale figure goes", async () => {
  const dir = await tempDir();
  const out = join(dir, "out");
  const first = await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s")), "--out", out, "--workers", "1", "--quiet"]);
  assert.is(first.code, 0, first.stderr);
  await writeFile(join(out, "figures", "s", "my-notes.txt"), "mine");
  await writeFile(join(out, "journal", "s", "my-notes.txt"), "mine too");
  const second = await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s", "", "renamed")), "--out", out, "--workers", "1", "--quiet"]);
  assert.is(second.code, 0, second.stderr);
  assert.is(await readFile(join(out, "figures", "s", "my-notes.txt"), "utf8"), "mine");
  assert.is(await readFile(join(out, "journal", "s", "my-notes.txt"), "utf8"), "mine too");
  assert.equal((await readdir(join(out, "figures", "s"))).sort(), ["my-notes.txt", "renamed.svg", "renamed.vl.json"]);
});

for (const linked of ["figures", "journal"]) {
  test(`a '${linked}' symlink out of --out is refused; nothing is deleted or written through it`, async () => {
    const dir = await tempDir();
    const out = join(dir, "out");
    const outside = join(dir, "outside");
    await mkdir(join(outside, "s"), { recursive: true });
    await writeFile(join(outside, "s", "precious.txt"), "keep me");
    await mkdir(out);
    await symlink(outside, join(out, linked));
    const r = await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s")), "--out", out, "--workers", "1", "--quiet"]);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${join(out, linked)}.*symbolic link`));
    assert.equal(await readdir(join(outside, "s")), ["precious.txt"]);
    assert.is(await readFile(join(outside, "s", "precious.txt"), "utf8"), "keep me");
  });
}

test("a second writer on one --out is refused while the first runs; the lock is released at the end", async () => {
  const dir = await tempDir();
  const out = join(dir, "out");
  // Long enough (minutes) that the first is certainly still running when the second starts; killed afterwards.
  const slow = await writeText(dir, "slow.yaml", scenario("slow").replace("customers: 300", "customers: 5000000"));
  const first = startCli(["run", slow, "--out", out, "--workers", "1", "--quiet"]);
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(out, ".hrtsim.lock")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const second = await hrtsim(["run", slow, "--out", out, "--workers", "1", "--quiet"]);
  first.child.kill("SIGKILL");
  assert.is((await first.done).signal, "SIGKILL", "the first writer was still running");
  assert.is(second.code, 1, second.stderr);
  assert.match(second.stderr, /another hrtsim is writing to this output directory/);
  assert.match(second.stderr, new RegExp(`pid ${first.child.pid} on host ${hostname()}`));
  // A finished run leaves no lock behind.
  const tiny = join(dir, "tiny");
  assert.is((await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s")), "--out", tiny, "--workers", "1", "--quiet"])).code, 0);
  assert.not.ok(existsSync(join(tiny, ".hrtsim.lock")), "the lock is released");
});

test("a stale lock of a dead process is taken over, with a note", async () => {
  const dir = await tempDir();
  const out = join(dir, "out");
  const dead = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => dead.on("exit", r));
  await mkdir(out);
  await writeFile(join(out, ".hrtsim.lock"), JSON.stringify({ pid: dead.pid, host: hostname(), since: "then", command: "hrtsim run" }));
  const r = await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s")), "--out", out, "--workers", "1", "--quiet"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`removing a stale lock of process ${dead.pid}`));
});

test("an unbounded expansion fails validate (and run) at once, naming the ceiling; raising it on purpose passes", async () => {
  const dir = await tempDir();
  const huge = await writeText(dir, "huge.yaml", scenario("huge").replace("replications: 2", "replications: 1000000000"));
  const axis = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]`;
  const wide = await writeText(dir, "wide.yaml", scenario("wide")
    .replace("sweep: { arrivalRate: [0.3, 0.6] }", `sweep: { customers: ${axis(100)}, serviceRate: ${axis(100)} }`)
    .replace("replications: 2", "replications: 1000").replace(/outputs:\n.*\n/, ""));
  for (const f of [huge, wide]) {
    for (const cmd of ["validate", "run"]) {
      const r = await hrtsim([cmd, f, "--out", join(dir, "o"), "--quiet"].slice(0, cmd === "validate" ? 2 : 5));
      assert.is(r.code, 1, `${cmd} ${f}: ${r.stderr}`);
      assert.match(r.stderr, /replications: the scenario expands to (2,000,000,000|10,000,000) runs/);
      assert.match(r.stderr, /limits\.maxRuns/);
    }
  }
  const raised = await writeText(dir, "raised.yaml", scenario("raised").replace("replications: 2", "replications: 60000") + "limits: { maxRuns: 200000 }\n");
  const ok = await hrtsim(["validate", raised]);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /120000 runs/);
});

test("a run over the wall-clock limit fails with the reason; the sweep goes on", async () => {
  const dir = await tempDir();
  const out = join(dir, "out");
  const f = await writeText(dir, "w.yaml", scenario("w", "limits: { wallSeconds: 1.5 }")
    .replace("customers: 300", "customers: 300, arrivalRate: 0.5").replace("x: arrivalRate", "x: customers")
    .replace("sweep: { arrivalRate: [0.3, 0.6] }", "sweep: { customers: [100, 1000000000] }").replace("replications: 2", "replications: 1"));
  const r = await hrtsim(["run", f, "--out", out, "--workers", "1", "--quiet"]);
  assert.is(r.code, 4, r.stderr); // some runs failed: outputs written, exit 4 (README exit codes)
  assert.match(r.stderr, /1 of 2 runs failed/);
  const failures = await readCsv(join(out, "failures.csv"));
  assert.is(failures.length, 1);
  assert.match(JSON.stringify(failures[0]), /wall-clock limit of 1\.5 s per run exceeded/);
  assert.match(JSON.stringify(failures[0]), /1000000000/);
});

test("damaged journal records: --resume skips and redoes them, says how many and where, and ends byte-identical", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "s.yaml", scenario("s"));
  const out = join(dir, "out");
  const fresh = join(dir, "fresh");
  assert.is((await hrtsim(["run", file, "--out", out, "--workers", "1", "--quiet"])).code, 0);
  assert.is((await hrtsim(["run", file, "--out", fresh, "--workers", "1", "--quiet"])).code, 0);
  const journal = join(out, "journal", "s", "runs-0.jsonl");
  const lines = (await readFile(journal, "utf8")).split("\n");
  // An edited value (valid JSON, wrong checksum), then valid-JSON non-records.
  lines[2] = lines[2]!.replace(/"value":([0-9.]+)/, (_m, v: string) => `"value":${Number(v) + 1}`);
  await writeFile(journal, lines.join("\n") + "{}\n1\n[]\n");
  const r = await hrtsim(["run", file, "--out", out, "--resume", "--workers", "1", "--quiet"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`skipped 4 damaged journal record\\(s\\) \\(${journal}:3, ${journal}:6, ${journal}:7, ${journal}:8\\)`));
  assert.match(r.stdout, /1 run now, 3 resumed/);
  assert.equal(await differingFiles(out, fresh), []);
});

test("damaged merge inputs: exit 1 naming the file (and line), never an internal error", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "s.yaml", scenario("s"));
  const shard = join(dir, "shard");
  assert.is((await hrtsim(["run", file, "--out", shard, "--workers", "1", "--quiet"])).code, 0);
  const cases: Array<[string, string, (text: string) => string, RegExp]> = [
    ["run.json {}", "journal/run.json", () => "{}", /run\.json: sum: missing checksum/],
    ["run.json edited", "journal/run.json", (t) => t.replace('"title": "', '"title": "X'), /run\.json: sum: checksum mismatch/],
    ["run.json truncated", "journal/run.json", (t) => t.slice(0, 30), /run\.json: not valid JSON/],
    ["scenario.json garbage", "journal/s/scenario.json", () => "\u0000garbage", /scenario\.json: not valid JSON/],
    ["scenario.json of another shape", "journal/s/scenario.json", () => "[1,2]", /scenario\.json: sum: missing checksum/],
    ["an edited record", "journal/s/runs-0.jsonl", (t) => t.replace('"replication":1', '"replication":0'), /runs-0\.jsonl:3: checksum mismatch/],
    ["a non-record line", "journal/s/runs-0.jsonl", (t) => t.replace("\n", "\n{}\n"), /runs-0\.jsonl:2: not a journal record/],
  ];
  for (const [name, rel, damage, message] of cases) {
    const copy = join(dir, `copy-${cases.findIndex((c) => c[0] === name)}`);
    await hrtsim(["merge", shard, "--out", copy]);
    const path = join(copy, rel);
    await writeFile(path, damage(await readFile(path, "utf8")));
    const r = await hrtsim(["merge", copy, "--out", join(dir, "merged")]);
    assert.is(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.not.match(r.stderr, NO_STACK_TRACE, name);
  }
});

test("__proto__ / constructor / prototype in a sweep key or --set path: exit 1, never run", async () => {
  const dir = await tempDir();
  for (const key of ["__proto__", "'__proto__.servers'", "constructor", "a.prototype"]) {
    const f = await writeText(dir, "p.yaml", scenario("p").replace("sweep: { arrivalRate: [0.3, 0.6] }", `sweep: { ${key}: [1] }`));
    const r = await hrtsim(["validate", f]);
    assert.is(r.code, 1, `${key}: ${r.stderr}`);
    assert.match(r.stderr, /the key segment "(__proto__|constructor|prototype)" is not allowed/);
  }
  const set = await hrtsim(["params", "--set", "__proto__.x=1"]);
  assert.is(set.code, 1, set.stderr);
  assert.match(set.stderr, /the path segment "__proto__" is not allowed/);
});

test("OS errors exit 1 naming the path", async () => {
  const dir = await tempDir();
  const blocker = await writeText(dir, "a-file", "not a directory");
  const r = await hrtsim(["run", await writeText(dir, "s.yaml", scenario("s")), "--out", join(blocker, "out"), "--quiet"]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`${blocker}`));
  assert.match(r.stderr, /ENOTDIR|EEXIST/);
});

test.run();
