/** The build path of the native harness: one tiny real run when a C compiler exists. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CompilerNotFoundError,
  buildHarness,
  hasCompiler,
  measureHost,
  readMeasurementSet,
  type Progress,
} from "../src/scenarios/measure.js";

const ccAvailable = await hasCompiler();

test("no compiler: a typed error that says to install one", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hrtsim-measure-nocc-"));
  try {
    let err: unknown;
    await buildHarness({ cc: ["/nonexistent/hrtsim-cc"], cacheDir: dir }).catch((e: unknown) => (err = e));
    assert.instance(err, CompilerNotFoundError);
    assert.equal((err as CompilerNotFoundError).tried, ["/nonexistent/hrtsim-cc"]);
    assert.match((err as Error).message, /install gcc or cc/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("unknown experiment names are rejected before building", async () => {
  let err: unknown;
  await measureHost({ outDir: os.tmpdir(), only: ["nope" as "spinlock"] }).catch((e: unknown) => (err = e));
  assert.instance(err, Error, "measureHost accepted an unknown experiment");
  assert.match((err as Error).message, /unknown experiment "nope"/);
});

(ccAvailable ? test : test.skip)("builds and runs the harness (2 trials of spinlock, syscall)", async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), "hrtsim-measure-run-"));
  try {
    const progress: Progress[] = [];
    const run = await measureHost({ outDir: out, trials: 2, only: ["spinlock", "syscall"], onProgress: (p) => progress.push(p) });
    assert.equal([...run.machine.experiments], ["spinlock", "syscall"]);
    assert.is(run.machine.trials, 2);
    assert.is(run.samples.filter((s) => s.experiment === "spinlock").length, 20);
    assert.is(run.samples.filter((s) => s.experiment === "syscall").length, 20);
    assert.ok(run.samples.every((s) => Number.isFinite(s.cycles) && s.cycles >= 0));
    assert.ok(progress.some((p) => p.experiment === "syscall" && p.done === p.total && p.total === 20));
    const back = await readMeasurementSet(out);
    assert.equal(back.samples, run.samples);
    assert.equal(back.machine, run.machine);
    const csv = await readFile(path.join(out, "samples.csv"), "utf8");
    assert.ok(csv.startsWith("experiment,core,trial,cycles\nspinlock,0,0,"));
    const again = await buildHarness();
    assert.is(again.hash, run.machine.harnessHash, "cached build is reused");
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test.run();
