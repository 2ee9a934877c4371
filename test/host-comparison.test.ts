/**
 * The `host` machine in the microbench model (adapts to the host's CPU count), and the
 * `figures --host` comparison section: roles marked, gaps consistent, deterministic bytes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { median as d3median, quantile as d3quantile } from "d3-array";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { machineProfile } from "../src/models/hardware/profile.js";
import { compareHost } from "../src/models/host/comparison.js";
import { HELD_OUT, fittedExperiments } from "../src/models/host/fit-table.js";
import { ksDistance } from "../src/models/host/stats.js";
import { HOST_SIMULATIONS, NOT_MODELED, simulateHost, type HostModelData } from "../src/models/host/simulate.js";
import { microbenchModel } from "../src/models/microbench/plugin.js";
import { renderReport } from "../src/reports/index.js";
import { hostCalibrationDir, hostMeasurementsDir, readCalibration, readMeasurementSet } from "../src/scenarios/host-files.js";
import { hostComparisonSections, hostSections } from "../src/scenarios/host-section.js";

const DIR = hostMeasurementsDir();
const cores = (experiment: string, trials = 2) =>
  [...new Set(microbenchModel.run({ params: { machine: "host", kernel: "linux", trials }, experiment, seed: "t", limits: {} })
    .observations.filter((o) => o.metric === "cycles").map((o) => o.labels!.core))];

test("the microbench model runs on machine host, sized by the host's CPU count", async () => {
  const n = (await readMeasurementSet(DIR)).machine.cores;
  const t = machineProfile("host").topology;
  assert.is(t.kind === "numa-modules" ? t.modulesPerDie * t.cpusPerModule * t.sockets * t.diesPerSocket : 0, n);
  // threads-long: k = 2, 4, ... up to the CPU count (the native harness's sizes); per-core experiments: CPUs 1..n-1.
  const ks: number[] = [];
  for (let k = 2; k <= n; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== n) ks.push(n);
  assert.equal(cores("threads-long"), ks);
  assert.equal(cores("condvar"), Array.from({ length: n - 1 }, (_, i) => i + 1));
  assert.equal(cores("condvar-bcast", 1), Array.from({ length: n - 1 }, (_, i) => i + 1));
});

test("Nautilus has no host parameters: a clear error, not x64's numbers", () => {
  assert.throws(
    () => microbenchModel.run({ params: { machine: "host", kernel: "nautilus", trials: 1 }, experiment: "thread-create", seed: "t", limits: {} }),
    /nautilus has no parameter file for machine "host"/,
  );
});

const OPTIONS = {
  experiments: ["syscall", "thread-run", "fork-exec", "posix-spawn"] as const,
  trials: { syscall: 300, "thread-run": 30, "fork-exec": 40 },
};
const ROLES = [["syscall", "fitted"], ["thread-run", "held out"], ["fork-exec", "held out"], ["posix-spawn", "not modeled"]];

test("gaps: medians, p99 and roles as computed here from the two samples", async () => {
  const set = await readMeasurementSet(DIR);
  const data = (await readCalibration(hostCalibrationDir()))!;
  const gaps = compareHost(set, data, OPTIONS);
  assert.equal(gaps.map((g) => [g.experiment, g.role]), ROLES);
  for (const g of gaps.slice(0, 3)) {
    const meas = set.samples.filter((s) => s.experiment === g.experiment).map((s) => s.cycles);
    assert.is(g.measuredMedian, d3median(meas));
    assert.is(g.simulatedMedian, d3median(g.simulated));
    assert.is(g.measuredP99, d3quantile(meas, 0.99));
    assert.is(g.medianRelError, (g.simulatedMedian - g.measuredMedian) / Math.abs(g.measuredMedian));
    // KS distance as defined (and hand-checked in host-stats.test) on the two samples, not just a range check.
    assert.is(g.ks, ksDistance(meas, g.simulated));
  }
  assert.is(gaps[0]!.simulated.length, 300);
  assert.is(gaps[2]!.simulated.length, 40);
  assert.is(gaps[3]!.simulated.length, 0);
  assert.ok(Number.isNaN(gaps[3]!.ks));
  assert.is(gaps[3]!.via, NOT_MODELED["posix-spawn"]);
});

test("the comparison section is deterministic (same inputs, same bytes) and marks fitted vs held out", async () => {
  const a = await hostComparisonSections(DIR, OPTIONS);
  const b = await hostComparisonSections(DIR, OPTIONS);
  assert.ok(JSON.stringify(a) === JSON.stringify(b), "two runs differ");
  const [gaps, fit] = a;
  assert.is(gaps!.title, "Host: measured vs simulated");
  assert.equal(gaps!.table!.rows.map((r) => [r[0], r[1]]), ROLES);
  assert.equal(gaps!.figures!.map((f) => f.path), ["figures/sections/host/syscall.svg", "figures/sections/host/thread-run.svg", "figures/sections/host/fork-exec.svg"]);
  assert.match(gaps!.figures![0]!.svg, /^<svg/);
  const spec = gaps!.figures![1]!.vegaLite as { encoding: { x: { scale: { type: string } } }; title: { subtitle: string[] } };
  assert.is(spec.encoding.x.scale.type, "log");
  assert.match(spec.title.subtitle[0]!, /^held out; n = \d+ measured, 30 simulated; median [+−]/);
  assert.match(gaps!.markdown!, /No pass\/fail thresholds/);
  assert.match(gaps!.markdown!, /\*\*Held out\*\* \([^)]*fork-exec/);
  assert.match(gaps!.markdown!, /Not compared \(no model counterpart\): posix-spawn \(glibc's posix_spawn is clone\(CLONE_VM\|CLONE_VFORK\)/);
  assert.not.match(gaps!.markdown!, /Not compared[^\n]*fork-exec \(/);
  assert.match(fit!.title, /which parameter comes from which measurement/);
  const syscallTrials = (await readMeasurementSet(DIR)).samples.filter((s) => s.experiment === "syscall").length;
  assert.ok(syscallTrials > 0);
  assert.ok(fit!.table!.rows.some((r) => r[0] === "system call" && r[1] === `median of syscall (${syscallTrials} trials)`), "the fit table names the syscall sample count");
});

test("fork-exec is simulated as a held-out experiment; posix-spawn is not modeled and says so", () => {
  assert.ok(HELD_OUT.includes("fork-exec"));
  assert.not.ok(fittedExperiments().includes("fork-exec"));
  assert.ok(HOST_SIMULATIONS["fork-exec"] !== undefined && NOT_MODELED["fork-exec"] === undefined);
  assert.ok(HOST_SIMULATIONS["posix-spawn"] === undefined && NOT_MODELED["posix-spawn"] !== undefined);
});

/** The data with one Linux parameter replaced by a constant. */
function withLinux(data: HostModelData, name: string, value: number): HostModelData {
  const p = data.linux.parameters[name]!;
  return { ...data, linux: { ...data.linux, parameters: { ...data.linux.parameters, [name]: { ...p, value } } } };
}

test("fork-exec runs the process path: execve, exit_group and fork's copy_mm are each inside the stamps", async () => {
  const data = (await readCalibration(hostCalibrationDir()))!;
  assert.throws(() => simulateHost(data, "posix-spawn", 1, "t"), /no model counterpart for host experiment posix-spawn/);
  const median = (d: HostModelData) => d3median(simulateHost(d, "fork-exec", 30, "fork-exec-path"))!;
  const extra = 1_000_000;
  for (const name of ["proc.exec", "proc.exit", "fork.copyMm", "proc.libcInit"]) {
    // Same seed, the parameter made a constant, then the same constant + extra: each trial is
    // longer by about `extra` (noise arrivals may shift), so the median moves by about that.
    const base = median(withLinux(data, name, 100_000));
    const more = median(withLinux(data, name, 100_000 + extra));
    assert.ok(more - base > 0.9 * extra && more - base < 1.2 * extra, `${name}: median moved by ${more - base}, not about ${extra}`);
  }
  // One trial per waitpid: as many values as trials, all positive.
  const values = simulateHost(data, "fork-exec", 25, "fork-exec-count");
  assert.is(values.length, 25);
  assert.ok(values.every((v) => v > 0));
});

test("the sections render into report.md and report.html with their figures", async () => {
  const sections = await hostComparisonSections(DIR, { experiments: ["syscall"], trials: { syscall: 50 } });
  const manifest = { hrtsimVersion: "0", nodeVersion: "v20", createdBy: "hrtsim figures --host x", totalWallMs: 0, scenarios: [] };
  const { md, html } = renderReport({ title: "t", results: [], verdicts: [], figures: [], sections, manifest } as never);
  assert.match(md, /!\[syscall \(fitted\): measured vs simulated CDF\]\(figures\/sections\/host\/syscall\.svg\)/);
  assert.match(html, /<figure id="figure-0-host-measured-vs-simulated-0">/);
});

test("figures --host with an unreadable directory: a section saying why", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hrtsim-host-none-"));
  try {
    const [s] = await hostSections({ command: "figures", hostDir: dir });
    assert.match(s!.markdown!, /Could not compare with the host measurements/);
    assert.equal(await hostSections({ command: "figures" }), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the layers above reach the host model through its one entry point; the model side reads only its data files", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");
  const files = (dir: string): string[] => readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
  const bad: string[] = [];
  for (const f of [...files("scenarios"), ...files("cli"), ...files("models")]) {
    if (f.startsWith(join("models", "host"))) continue;
    for (const m of readFileSync(join(root, f), "utf8").matchAll(/from\s+["']([^"']*models\/host\/[^"']*|\.\.\/host\/[^"']*)["']/g)) {
      const spec = m[1]!;
      const ok = f.startsWith("models") ? spec.includes("/data/") && spec.endsWith(".json") : spec.endsWith("models/host/index.js");
      if (!ok) bad.push(`${f} imports ${spec}`);
    }
  }
  assert.equal(bad, []);
});

test.run();
