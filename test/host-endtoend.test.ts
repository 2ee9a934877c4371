/**
 * measure → calibrate → comparison, on this machine (when a C compiler exists): a tiny real
 * measurement, calibrated through the CLI and in process (same bytes), then compared.
 * Asserts structure only, never speed.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CALIBRATION_FILES } from "../src/models/host/calibration-format.js";
import { EXPERIMENTS } from "../src/models/host/measurements.js";
import { TRACE_EXPERIMENTS } from "../src/models/host/fit-table.js";
import { NOT_MODELED } from "../src/models/host/simulate.js";
import { calibrateDir, readCalibration } from "../src/scenarios/host-files.js";
import { hostComparisonSections } from "../src/scenarios/host-section.js";
import { hasCompiler, measureHost } from "../src/scenarios/measure.js";

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");

const ccAvailable = await hasCompiler();

(ccAvailable ? test : test.skip)("measure (3 trials) → calibrate (CLI = in process) → measured-vs-simulated sections", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "hrtsim-host-e2e-"));
  try {
    const dir = path.join(root, "m");
    await measureHost({ outDir: dir, trials: 3, detourSeconds: 0.2 });
    const cli = execFileSync(process.execPath, [main, "calibrate", dir, "--out", path.join(root, "cli")], { encoding: "utf8" });
    assert.match(cli, /parameters/);
    assert.match(cli, /median of thread-create-sleep100us \(\d+ trials\)/, "a version-2 set: creation fitted on its warm variant");
    const inProcess = await calibrateDir(dir);
    for (const f of CALIBRATION_FILES) {
      assert.ok((await readFile(path.join(root, "cli", f), "utf8")) === (await readFile(path.join(dir, "calibration", f), "utf8")), f);
    }
    const saved = await readCalibration(path.join(dir, "calibration"));
    assert.is(saved!.hardware.machine, "host");
    assert.is(saved!.record.fits.length, inProcess.calibration.record.fits.length);
    const few = Object.fromEntries(EXPERIMENTS.map((e) => [e, e === "spinlock" || e === "syscall" ? 30 : 3]));
    const [gaps, fit] = await hostComparisonSections(dir, { trials: few });
    const timed = EXPERIMENTS.filter((e) => !TRACE_EXPERIMENTS.includes(e));
    assert.equal(gaps!.table!.rows.map((r) => r[0]).sort(), [...timed].sort());
    // The trace was taken and replaced the fitted Poisson interference.
    assert.ok(saved!.hardware.interference !== undefined && saved!.hardware.interference.traces.length === saved!.record.measurements.cores, "the detour trace (one per CPU) is the interference");
    assert.match(gaps!.markdown!, /measured detour trace/);
    assert.match(gaps!.markdown!, /calibration in `.*calibration` \(`hrtsim calibrate`\)/);
    // One CDF per experiment with a model counterpart (all but NOT_MODELED's: posix-spawn).
    const modeled = timed.filter((e) => NOT_MODELED[e] === undefined);
    assert.equal(gaps!.figures!.map((f) => f.path), modeled.map((e) => `figures/sections/host/${e}.svg`));
    assert.ok(fit!.table!.rows.length >= 9);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test.run();
