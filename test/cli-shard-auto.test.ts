/**
 * --shard auto from a Slurm job array or a Kubernetes Indexed Job: each task's variables pick
 * its shard, and merging the tasks' outputs gives exactly the one-machine run.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { shardFromEnvironment } from "../src/scenarios/shard-env.js";
import { LOSSY_SWEEP, differingFiles, hrtsim, stableManifest, tempDir, writeText } from "./cli-helpers.js";

test("Slurm arrays (0- or 1-based, stepped) and Kubernetes indices map onto shards 1..n", () => {
  assert.equal(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "3" }), { index: 1, count: 3 });
  assert.equal(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MIN: "1" }), { index: 3, count: 3 });
  assert.equal(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "14", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_MIN: "2", SLURM_ARRAY_TASK_STEP: "4" }), { index: 4, count: 4 });
  assert.equal(shardFromEnvironment({ JOB_COMPLETION_INDEX: "1", HRTSIM_SHARD_COUNT: "2" }), { index: 2, count: 2 });
});

test("missing or inconsistent variables are usage errors naming them", () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /no scheduler variables found/],
    [{ SLURM_ARRAY_TASK_ID: "1" }, /SLURM_ARRAY_TASK_COUNT is not set/],
    [{ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "3" }, /shard 4 of 3/],
    [{ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "3" }, /SLURM_ARRAY_TASK_ID must be an integer ≥ 0, found "x"/],
    [{ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "2", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_STEP: "2" }, /shard 2 of 2|not in the array/],
    [{ JOB_COMPLETION_INDEX: "0" }, /HRTSIM_SHARD_COUNT is not/],
    [{ JOB_COMPLETION_INDEX: "2", HRTSIM_SHARD_COUNT: "2" }, /shard 3 of 2/],
    [{ JOB_COMPLETION_INDEX: "0", HRTSIM_SHARD_COUNT: "2", SLURM_ARRAY_TASK_ID: "0" }, /both Slurm/],
  ];
  for (const [env, message] of cases) assert.throws(() => shardFromEnvironment(env), message, JSON.stringify(env));
});

test("Slurm array tasks and Kubernetes indexed pods, merged, equal the one-machine run byte for byte", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const run = (out: string, env?: Record<string, string>) =>
    hrtsim(["run", file, "--out", join(dir, out), "--workers", "1", "--allow-failures", "--quiet", ...(env ? ["--shard", "auto"] : [])], undefined, env);
  const results = await Promise.all([
    run("single"),
    ...[1, 2, 3].map((id) => run(`slurm-${id}`, { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MIN: "1" })),
    ...[0, 1].map((i) => run(`k8s-${i}`, { JOB_COMPLETION_INDEX: String(i), HRTSIM_SHARD_COUNT: "2" })),
  ]);
  for (const r of results) assert.is(r.code, 0, r.stderr);
  for (const [name, parts] of [["slurm", ["slurm-1", "slurm-2", "slurm-3"]], ["k8s", ["k8s-0", "k8s-1"]]] as const) {
    const merged = await hrtsim(["merge", ...parts.map((p) => join(dir, p)), "--out", join(dir, `${name}-merged`), "--allow-failures"]);
    assert.is(merged.code, 0, merged.stderr);
    assert.equal(await differingFiles(join(dir, "single"), join(dir, `${name}-merged`)), [], name);
    assert.equal(await stableManifest(join(dir, "single")), await stableManifest(join(dir, `${name}-merged`)), name);
  }
  const missing = await hrtsim(["run", file, "--out", join(dir, "x"), "--shard", "auto"], undefined, { JOB_COMPLETION_INDEX: "0" });
  assert.is(missing.code, 2, "a missing variable is a usage error");
  assert.match(missing.stderr, /HRTSIM_SHARD_COUNT/);
});

test.run();
