/**
 * The `host` machine in the microbench model (adapts to the host's CPU count), and the
 * `figures --host` comparison section: roles marked, gaps consistent, deterministic bytes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { median as d3median, quantile as d3quantile } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { machineProfile } from "../src/models/hardware/profile.js";
import { compareHost } from "../src/models/host/comparison.js";
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
  assert.equal(cores("sync-event"), Array.from({ length: n - 1 }, (_, i) => i + 1));
});

test("Nautilus has no host parameters: a clear error, not x64's numbers", () => {
  assert.throws(
    () => microbenchModel.run({ params: { machine: "host", kernel: "nautilus", trials: 1 }, experiment: "thread-create", seed: "t", limits: {} }),
    /nautilus has no parameter file for machine "host"/,
  );
});

const OPTIONS = { experiments: ["syscall", "thread-run", "fork-exec"] as const, trials: { syscall: 300, "thread-run": 30 } };

test("gaps: medians, p99 and roles as computed here from the two samples", async () => {
  const set = await readMeasurementSet(DIR);
  const data = (await readCalibration(hostCalibrationDir()))!;
  const gaps = compareHost(set, data, OPTIONS);
  assert.equal(gaps.map((g) => [g.experiment, g.role]), [["syscall", "fitted"], ["thread-run", "held out"], ["fork-exec", "not modeled"]]);
  for (const g of gaps.slice(0, 2)) {
    const meas = set.samples.filter((s) => s.experiment === g.experiment).map((s) => s.cycles);
    assert.is(g.measuredMedian, d3median(meas));
    assert.is(g.simulatedMedian, d3median(g.simulated));
    assert.is(g.measuredP99, d3quantile(meas, 0.99));
    assert.is(g.medianRelError, (g.simulatedMedian - g.measuredMedian) / Math.abs(g.measuredMedian));
    assert.ok(g.ks >= 0 && g.ks <= 1);
  }
  assert.is(gaps[0]!.simulated.length, 300);
  assert.is(gaps[2]!.simulated.length, 0);
  assert.ok(Number.isNaN(gaps[2]!.ks));
});

test("the comparison section is deterministic (same inputs, same bytes) and marks fitted vs held out", async () => {
  const a = await hostComparisonSections(DIR, OPTIONS);
  const b = await hostComparisonSections(DIR, OPTIONS);
  assert.ok(JSON.stringify(a) === JSON.stringify(b), "two runs differ");
  const [gaps, fit] = a;
  assert.is(gaps!.title, "Host: measured vs simulated");
  assert.equal(gaps!.table!.rows.map((r) => [r[0], r[1]]), [["syscall", "fitted"], ["thread-run", "held out"], ["fork-exec", "not modeled"]]);
  assert.equal(gaps!.figures!.map((f) => f.path), ["figures/sections/host/syscall.svg", "figures/sections/host/thread-run.svg"]);
  assert.match(gaps!.figures![0]!.svg, /^<svg/);
  const spec = gaps!.figures![1]!.vegaLite as { encoding: { x: { scale: { type: string } } }; title: { subtitle: string[] } };
  assert.is(spec.encoding.x.scale.type, "log");
  assert.match(spec.title.subtitle[0]!, /^held out; n = \d+ measured, 30 simulated; median [+−]/);
  assert.match(gaps!.markdown!, /No pass\/fail thresholds/);
  assert.match(fit!.title, /which parameter comes from which measurement/);
  assert.ok(fit!.table!.rows.some((r) => r[0] === "system call" && r[1] === "median of syscall (10000 trials)"));
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

test.run();
