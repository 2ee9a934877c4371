/**
 * `hrtsim calibrate` on the checked-in measurement set: each fitted parameter against the
 * statistic of its source experiment computed here independently (raw CSV + d3-array),
 * sources naming the measurement, the rest x64's, byte-identical output equal to the
 * checked-in files, and held-out experiments never read.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { median as d3median } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { distribution, type DistributionSpec } from "../src/engine/index.js";
import { machineProfile } from "../src/models/hardware/profile.js";
import { calibrate, type Calibration } from "../src/models/host/calibration.js";
import { CALIBRATION_FILES, calibrationTexts, decodeCalibration } from "../src/models/host/calibration-format.js";
import { HELD_OUT, NOISE_EXPERIMENT, PATH_FITS } from "../src/models/host/fit-table.js";
import type { MeasurementSet } from "../src/models/host/measurements.js";
import { linuxData } from "../src/models/linux/kernel.js";
import { calibrateDir, calibrationDir, checkedInMeasurementDirs, hostCalibrationDir, hostMeasurementsDir, measurementLabel, readMeasurementSet } from "../src/scenarios/host-files.js";
import { compareHost, heldOutOf } from "../src/models/host/comparison.js";

const DIR = hostMeasurementsDir();
const LABEL = "src/models/host/data/measurements";
const machine = JSON.parse(readFileSync(path.join(DIR, "machine.json"), "utf8")) as { tscHz: number; tscOverhead: number; cores: number; date: string; virtualMachine: boolean };
const DATE = machine.date.slice(0, 10);

/** samples.csv parsed here, not by the code under test. */
const raw = readFileSync(path.join(DIR, "samples.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const values = (e: string) => raw.filter((r) => r[0] === e).map((r) => Number(r[3]));

let first: { texts: Record<string, string>; calibration: Calibration } | undefined;
async function fitted(): Promise<Calibration> {
  if (first === undefined) {
    const out = await mkdtemp(path.join(os.tmpdir(), "hrtsim-cal-a-"));
    try {
      const r = await calibrateDir(DIR, out);
      const texts: Record<string, string> = {};
      for (const f of CALIBRATION_FILES) texts[f] = await readFile(path.join(out, f), "utf8");
      first = { texts, calibration: r.calibration };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  return first.calibration;
}

const meanOf = (v: unknown) => distribution(v as DistributionSpec).mean;
const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

test("the measurement directory is named relative to the package root", () => {
  assert.is(measurementLabel(DIR), LABEL);
});

test("machine facts are machine.json's: clock, core count, stamp cost", async () => {
  const c = await fitted();
  assert.is(c.hardware.machine, "host");
  assert.is(c.hardware.clockGHz.value, machine.tscHz / 1e9);
  const t = c.hardware.topology;
  assert.is(t.kind === "numa-modules" ? t.sockets * t.diesPerSocket * t.modulesPerDie * t.cpusPerModule : -1, machine.cores);
  assert.is(c.hardware.parameters.rdtsc!.value, machine.tscOverhead);
  for (const src of [c.hardware.clockGHz.source, t.source, c.hardware.parameters.rdtsc!.source]) {
    assert.ok(src.startsWith("host harness: "), src);
    assert.ok(src.includes(`(machine.json), ${LABEL}, ${DATE}; fitted`), src);
  }
});

test("each path fit: its statistic is the d3 median of its experiment, and the model reproduces it", async () => {
  const c = await fitted();
  assert.is(c.record.fits.length, PATH_FITS.filter((f) => !f.optional).length, "the optional fits' experiments are not in this (version 1) set");
  const x64 = { hardware: machineProfile("x64").parameters, linux: linuxData("x64").parameters };
  for (const fit of c.record.fits) {
    const xs = values(fit.experiment);
    assert.is(fit.n, xs.length, fit.id);
    assert.is(fit.measured, d3median(xs), `${fit.id}: statistic`);
    assert.ok(fit.matched, `${fit.id} matched`);
    // The model's median of the source experiment at the fitted values (the fit's own simulation).
    assert.ok(close(fit.modelAtFit, fit.measured, 0.02), `${fit.id}: model ${fit.modelAtFit} vs measured ${fit.measured}`);
    for (const ref of fit.parameters) {
      const [file, name] = ref.split(":") as ["hardware" | "linux", string];
      const e = file === "hardware" ? c.hardware.parameters[name]! : c.linux.parameters[name]!;
      const base = x64[file][name]!;
      assert.ok(close(meanOf(e.value), fit.factor * meanOf(base.value), 1e-5), `${name}: mean = factor × x64 mean`);
      assert.is(e.unit, base.unit, `${name}: unit kept`);
      assert.ok(e.source.startsWith(`host harness: median of ${fit.experiment} (${xs.length} trials), ${LABEL}, ${DATE}; fitted`), e.source);
    }
  }
});

test("simple paths in closed form: entry + exit = median(syscall) − one stamp; atomic + store = median(spinlock)", async () => {
  const c = await fitted();
  const entryExit = meanOf(c.linux.parameters["syscall.entry"]!.value) + meanOf(c.linux.parameters["syscall.exit"]!.value);
  const expected = (d3median(values("syscall"))! as number) - machine.tscOverhead;
  // Draws are whole cycles, so the model's median pins the sum down to about a cycle per draw.
  assert.ok(Math.abs(entryExit - expected) <= 2, `${entryExit} vs ${expected}`);
  const atomic = meanOf(c.hardware.parameters.atomic!.value);
  const store = meanOf(machineProfile("x64").parameters.store!.value);
  assert.ok(Math.abs(atomic + store - (d3median(values("spinlock")) as number)) <= 0.5, `atomic ${atomic}`);
});

test("interference: rate and durations recomputed from the syscall tail", async () => {
  const c = await fitted();
  const hw = machineProfile("x64").parameters;
  const lx = linuxData("x64").parameters;
  const xs = raw.filter((r) => r[0] === NOISE_EXPERIMENT);
  const med = d3median(xs.map((r) => Number(r[3])))!;
  const threshold = meanOf(hw["irq.entry"]!.value) + meanOf(hw["apic.eoi"]!.value) + meanOf(hw["irq.exit"]!.value);
  const warm = xs.filter((r) => r[2] !== "0");
  const excess = warm.map((r) => Number(r[3]) - med).filter((x) => x > threshold);
  const rate = excess.length / ((warm.length * med) / machine.tscHz) - ((lx["config.hz"]!.value as number) + (lx["noise.kthread.rate"]!.value as number) + (lx["noise.deviceIrq.rate"]!.value as number));
  const fittedRate = c.linux.parameters["noise.daemon.rate"]!;
  assert.ok(close(fittedRate.value as number, Math.max(0, rate), 1e-3), `${fittedRate.value} vs ${rate}`);
  assert.ok(fittedRate.source.startsWith(`host harness: tail of ${NOISE_EXPERIMENT} (${warm.length} trials after the first, cold one), ${LABEL}, ${DATE}; fitted`));
  const d = c.linux.parameters["noise.daemon.duration"]!;
  const logs = excess.map(Math.log);
  const geo = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  assert.ok(close((d.value as { median: number }).median, geo, 1e-5), "lognormal median = geometric mean of the excesses");
  assert.is(d.unit, "cycles");
});

test("every parameter not fitted keeps its x64 value, with its source marked", async () => {
  const c = await fitted();
  const fittedNames = new Set(c.record.fits.flatMap((f) => f.parameters));
  const facts = new Set(["hardware:rdtsc", "linux:config.c6", "linux:noise.daemon.rate", "linux:noise.daemon.duration"]);
  // A VM's calibration adds the host side of its wake-ups (x64 is bare metal: no such entries), after x64's.
  const vmOnly = machine.virtualMachine ? ["vm.haltPollWindow", "vm.worldSwitch"] : [];
  const check = (file: string, mine: Record<string, { value: unknown; source: string; unit?: string }>, x64: Record<string, { value: unknown; source: string; unit?: string }>) => {
    assert.equal(Object.keys(mine), [...Object.keys(x64), ...(file === "hardware" ? vmOnly : [])], `${file}: same parameters, same order`);
    for (const [name, e] of Object.entries(x64)) {
      if (fittedNames.has(`${file}:${name}`) || facts.has(`${file}:${name}`)) continue;
      assert.equal(mine[name]!.value, e.value, name);
      assert.is(mine[name]!.source, `${e.source} (not fitted; from x64)`, name);
    }
  };
  check("hardware", c.hardware.parameters, machineProfile("x64").parameters);
  check("linux", c.linux.parameters, linuxData("x64").parameters);
});

test("calibrate writes identical bytes on a second run, equal to the checked-in calibration", async () => {
  await fitted();
  const out = await mkdtemp(path.join(os.tmpdir(), "hrtsim-cal-b-"));
  try {
    await calibrateDir(DIR, out);
    for (const f of CALIBRATION_FILES) {
      const again = await readFile(path.join(out, f), "utf8");
      assert.ok(again === first!.texts[f], `${f} differs between two runs`);
      const checkedIn = await readFile(path.join(hostCalibrationDir(), f), "utf8");
      assert.ok(again === checkedIn, `${f} differs from the checked-in one: run \`hrtsim calibrate\` and commit the result`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

function perturbed(set: MeasurementSet, which: (e: string) => boolean): MeasurementSet {
  return { ...set, samples: set.samples.map((s) => (which(s.experiment) ? { ...s, cycles: s.cycles * 7 + 1000 } : s)) };
}

test("held-out experiments are not read: perturbing them leaves every output byte unchanged", async () => {
  await fitted();
  const set = await readMeasurementSet(DIR);
  // A version-1 set holds out exactly the experiments no fit ever reads (those it has).
  assert.equal(heldOutOf(new Set(set.samples.map((s) => s.experiment))), HELD_OUT.filter((e) => set.samples.some((s) => s.experiment === e)));
  const held = new Set<string>([...HELD_OUT, "fork-exec", "posix-spawn"]);
  const texts = calibrationTexts(calibrate(perturbed(set, (e) => held.has(e)), LABEL));
  for (const f of CALIBRATION_FILES) assert.ok(texts[f] === first!.texts[f], `${f} changed when held-out samples changed`);
});

test("a fitted experiment is read: perturbing it changes the fit (control)", async () => {
  await fitted();
  const set = await readMeasurementSet(DIR);
  const c = calibrate(perturbed(set, (e) => e === "sync-event"), LABEL);
  const line = (x: Calibration) => JSON.stringify(x.hardware.parameters["cacheLine.sameDie"]!.value);
  assert.not.equal(line(c), line(first!.calibration));
});

// The later sets (harness version 2): warm creation variant, condvar past the halt-poll window, detour trace.
const LATER = checkedInMeasurementDirs().filter((d) => path.basename(d).startsWith("measurements-"));

for (const dir of LATER) {
  const label = measurementLabel(dir);
  let laterFit: { set: MeasurementSet; texts: Record<string, string> } | undefined;
  const later = async () => {
    if (laterFit === undefined) {
      const set = await readMeasurementSet(dir);
      laterFit = { set, texts: calibrationTexts(calibrate(set, label)) };
    }
    return laterFit;
  };

  test(`${label}: its checked-in calibration is what calibrate writes`, async () => {
    const { texts } = await later();
    for (const f of CALIBRATION_FILES) {
      assert.ok(texts[f] === (await readFile(path.join(calibrationDir(dir), f), "utf8")), `${f}: run \`hrtsim calibrate ${label}\` and commit the result`);
    }
  });

  test(`${label}: creation is fitted on its warm variant, the sleeping vCPU's wake-up on condvar-sleep1ms, interference is the trace`, async () => {
    const { texts } = await later();
    const record = JSON.parse(texts["calibration.json"]!) as Calibration["record"];
    const by = new Map(record.fits.map((f) => [f.id, f.experiment]));
    assert.is(by.get("thread creation"), "thread-create-sleep100us");
    assert.is(by.get("sleeping vCPU's wake-up"), "condvar-sleep1ms");
    assert.ok("kind" in record.noise && record.noise.kind === "trace");
  });

  test(`${label}: thread-create (10 ms idle) is then held out: perturbing it changes no byte, and the comparison says "held out"`, async () => {
    const { set, texts } = await later();
    const again = calibrationTexts(calibrate(perturbed(set, (e) => e === "thread-create" || HELD_OUT.includes(e as never)), label));
    for (const f of CALIBRATION_FILES) assert.ok(again[f] === texts[f], `${f} changed`);
    const gaps = compareHost(set, decodeCalibration(texts as Record<(typeof CALIBRATION_FILES)[number], string>), { experiments: ["thread-create", "thread-create-sleep100us"], trials: { "thread-create": 20, "thread-create-sleep100us": 20 } });
    assert.equal(gaps.map((g) => g.role), ["held out", "fitted"]);
    const held = heldOutOf(new Set(set.samples.map((s) => s.experiment)));
    assert.ok(held.includes("thread-create") && !held.includes("thread-create-sleep100us") && !held.includes("condvar-sleep1ms"), held.join(", "));
  });
}

test.run();
