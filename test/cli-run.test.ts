/** End to end through the real CLI: outputs, the M/M/1 analytic check, workers, shards + merge, failures. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LOSSY_SWEEP as SWEEP, differingFiles, header, hrtsim, readCsv, reproducibleFiles, stableManifest, tempDir, writeText } from "./cli-helpers.js";


test("run writes every output file with the expected columns, records failures and exits 4 with a warning (0 with --allow-failures)", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", SWEEP);
  const out = join(dir, "out");
  const r = await hrtsim(["run", file, "--out", out, "--workers", "2"]);
  assert.is(r.code, 4, r.stderr);
  assert.match(r.stderr, /warning: 6 of 12 runs failed/);
  assert.match(r.stderr, /6 runs failed \(exit status 4; --allow-failures makes it 0\)/);
  const allowed = await hrtsim(["run", file, "--out", join(dir, "allowed"), "--workers", "2", "--allow-failures"]);
  assert.is(allowed.code, 0, allowed.stderr);
  assert.equal(await differingFiles(out, join(dir, "allowed")), [], "the exit status changes nothing written");
  assert.match(r.stdout, /wrote .*: 12 runs/);
  const files = await reproducibleFiles(out);
  for (const f of ["observations.csv", "summary.csv", "claims.csv", "failures.csv", "report.md", "figures/small/wait.svg", "figures/small/wait.vl.json"]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  assert.ok(existsSync(join(out, "report.html")) && existsSync(join(out, "manifest.json")));
  assert.equal(await header(join(out, "observations.csv")), ["scenario", "model.params.arrivalRate", "model.params.customers", "replication", "seed", "metric", "value"]);
  assert.equal((await header(join(out, "summary.csv"))).slice(0, 5), ["scenario", "model.params.arrivalRate", "model.params.customers", "metric", "unit"]);
  assert.equal(await header(join(out, "failures.csv")), ["scenario", "runIndex", "model.params.arrivalRate", "model.params.customers", "replication", "seed", "error"]);
  const failures = await readCsv(join(out, "failures.csv"));
  assert.is(failures.length, 6);
  assert.ok(failures.every((f) => f["model.params.customers"] === "6000" && f.error!.startsWith("limit:")), "the limit point fails, with its diagnosis");
  const claims = await readCsv(join(out, "claims.csv"));
  assert.is(claims[0]!.id, "grows");
  assert.is(claims[0]!.pass, "true");
  // Manifest: versions, content hash of the file's bytes, per-run fingerprints.
  const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
  assert.is(manifest.hrtsimVersion, JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")).version);
  assert.is(manifest.nodeVersion, process.version);
  assert.is(manifest.scenarios[0].contentHash, createHash("sha256").update(await readFile(file)).digest("hex"));
  assert.is(manifest.scenarios[0].runs.length, 12);
  assert.ok(manifest.scenarios[0].runs.filter((x: { status: string }) => x.status === "ok").every((x: { fingerprint?: string; events?: number }) => x.fingerprint && x.events! > 0));
  // The report stands alone: figures inline, nothing fetched.
  const html = await readFile(join(out, "report.html"), "utf8");
  assert.ok(html.includes("<svg"), "figures are inlined");
  assert.not.match(html, /(src|href)="https?:/);
});

test("M/M/1 mean wait matches ρ/(μ−λ) within its 95% CI", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "mm1.yaml", `
name: mm1-check
description: analytic check
model: { name: mmc, params: { serviceRate: 1, servers: 1, customers: 20000, warmup: 2000 } }
experiment: queue
sweep: { arrivalRate: [0.3, 0.6] }
replications: 10
seed: 11
`);
  const r = await hrtsim(["run", file, "--out", join(dir, "out"), "--quiet"]);
  assert.is(r.code, 0, r.stderr);
  const rows = (await readCsv(join(dir, "out", "summary.csv"))).filter((x) => x.metric === "wait");
  assert.is(rows.length, 2);
  for (const row of rows) {
    const lambda = Number(row["model.params.arrivalRate"]);
    const analytic = lambda / (1 - lambda); // ρ/(μ−λ) with μ = 1
    const lo = Number(row.ci95_lo), hi = Number(row.ci95_hi);
    assert.is(row.replications, "10");
    assert.ok(lo <= analytic && analytic <= hi, `λ=${lambda}: ${analytic} outside [${lo}, ${hi}]`);
  }
});

test("--workers 1 and --workers 4 write identical bytes", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", SWEEP);
  const [a, b] = await Promise.all([
    hrtsim(["run", file, "--out", join(dir, "w1"), "--workers", "1", "--allow-failures"]),
    hrtsim(["run", file, "--out", join(dir, "w4"), "--workers", "4", "--allow-failures"]),
  ]);
  assert.is(a.code, 0, a.stderr);
  assert.is(b.code, 0, b.stderr);
  assert.equal(await differingFiles(join(dir, "w1"), join(dir, "w4")), []);
  assert.equal(await stableManifest(join(dir, "w1")), await stableManifest(join(dir, "w4")));
});

test("shards 1/2 + 2/2 merged equal the single run", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", SWEEP);
  const runs = await Promise.all([
    hrtsim(["run", file, "--out", join(dir, "single"), "--workers", "2", "--allow-failures"]),
    hrtsim(["run", file, "--out", join(dir, "s1"), "--shard", "1/2", "--workers", "1", "--allow-failures"]),
    hrtsim(["run", file, "--out", join(dir, "s2"), "--shard", "2/2", "--workers", "1", "--allow-failures"]),
  ]);
  for (const r of runs) assert.is(r.code, 0, r.stderr);
  const shard1 = await readCsv(join(dir, "s1", "observations.csv"));
  assert.ok(shard1.length > 0 && shard1.length < (await readCsv(join(dir, "single", "observations.csv"))).length, "a shard holds part of the runs");
  const merged = await hrtsim(["merge", join(dir, "s1"), join(dir, "s2"), "--out", join(dir, "merged"), "--allow-failures"]);
  assert.is(merged.code, 0, merged.stderr);
  assert.equal(await differingFiles(join(dir, "single"), join(dir, "merged")), []);
  assert.equal(await stableManifest(join(dir, "single")), await stableManifest(join(dir, "merged")));
  // One shard alone is incomplete: merge refuses rather than writing a partial "single run".
  const partial = await hrtsim(["merge", join(dir, "s1"), "--out", join(dir, "partial")]);
  assert.is(partial.code, 1);
  assert.match(partial.stderr, /runs are missing/);
});

test.run();
