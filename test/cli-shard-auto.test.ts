/**
 * --shard auto from a Slurm job array or a Kubernetes Indexed Job: each task's variables pick
 * its shard, and merging the tasks' outputs (run by the scripts in examples/) gives exactly the one-machine run.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { shardFromEnvironment } from "../src/scenarios/shard-env.js";
import { CLI, LOSSY_SWEEP, differingFiles, hrtsim, stableManifest, tempDir, writeText } from "./cli-helpers.js";

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

/** Runs a shell command line as a scheduler would, with its variables and `hrtsim` meaning this build. */
function shell(script: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(script.endsWith(".sbatch") ? "bash" : "/bin/sh", [script, ...args], { env: { ...process.env, HRTSIM: `${process.execPath} ${CLI}`, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

test("examples/: the sbatch array + merge scripts and the Indexed Job's command, merged, equal the one-machine run byte for byte", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "small.yaml", LOSSY_SWEEP);
  const single = await hrtsim(["run", file, "--out", join(dir, "single"), "--workers", "2", "--allow-failures", "--quiet"]);
  assert.is(single.code, 0, single.stderr);

  // Slurm: the array 0-2 as three tasks of sweep.sbatch, then merge.sbatch.
  const slurm = { SCENARIO: file, RESULTS: join(dir, "slurm"), SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MIN: "0", SLURM_CPUS_PER_TASK: "1" };
  for (const r of await Promise.all([0, 1, 2].map((id) => shell(join(EXAMPLES, "slurm/sweep.sbatch"), [], { ...slurm, SLURM_ARRAY_TASK_ID: String(id) })))) {
    assert.is(r.code, 0, r.stderr);
  }
  const slurmMerge = await shell(join(EXAMPLES, "slurm/merge.sbatch"), [], slurm);
  assert.is(slurmMerge.code, 4, "the merge reports the sweep's failed runs: " + slurmMerge.stderr);
  assert.is(JSON.parse(await readFile(join(dir, "slurm", "merged-summary.json"), "utf8")).failed, 6);

  // Kubernetes: the Job's own command line, for each completion index, then the merge Job's.
  const docs = await Promise.all(["hrtsim-sweep.yaml", "hrtsim-merge.yaml"].map(async (f) => parseYaml(await readFile(join(EXAMPLES, "kubernetes", f), "utf8"))));
  const [job, mergeJob] = docs.map((d) => d.spec.template.spec.containers[0]);
  const completions = docs[0].spec.completions as number;
  assert.is(job.env.find((e: { name: string }) => e.name === "HRTSIM_SHARD_COUNT").value, String(completions), "the count equals spec.completions");
  const asLocal = (command: string) => command.replaceAll("/scenario/scenario.yaml", file).replaceAll("/results", join(dir, "k8s")).replace(/^hrtsim /, '$HRTSIM ');
  const script = await writeText(dir, "k8s.sh", `${asLocal(job.args[0])}\n`);
  const pods = Array.from({ length: completions }, (_, i) => shell(script, [], { JOB_COMPLETION_INDEX: String(i), HRTSIM_SHARD_COUNT: String(completions) }));
  for (const r of await Promise.all(pods)) assert.is(r.code, 0, r.stderr);
  const merge = await shell(await writeText(dir, "k8s-merge.sh", `${asLocal(mergeJob.args[0])} > /dev/null\n`), [], {});
  assert.is(merge.code, 4, merge.stderr);

  for (const name of ["slurm", "k8s"]) {
    assert.equal(await differingFiles(join(dir, "single"), join(dir, name, "merged")), [], name);
    assert.equal(await stableManifest(join(dir, "single")), await stableManifest(join(dir, name, "merged")), name);
  }
  const missing = await hrtsim(["run", file, "--out", join(dir, "x"), "--shard", "auto"], undefined, { JOB_COMPLETION_INDEX: "0" });
  assert.is(missing.code, 2, "a missing variable is a usage error");
  assert.match(missing.stderr, /HRTSIM_SHARD_COUNT/);
});

test.run();
