/**
 * `figures --host DIR`: the host's measured distributions beside the simulated `host`
 * Linux model's, per experiment (CDFs, log x), with the gaps — median and p99 relative
 * error, two-sample KS distance — for fitted and held-out experiments, marked as such. The
 * model uses DIR's calibration (DIR/calibration, else fitted in memory the same way).
 * Deterministic: same measurements and model → same bytes. Gaps are reported, not judged.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { calibrate, type CalibrationRecord, FIT_TABLE_COLUMNS, fitTableRows, cdfPoints, compareHost, type CompareOptions, type ExperimentGap, type MeasurementSet, type HostModelData, MEASUREMENT_FILES, quantileSorted, sorted } from "../models/host/index.js";
import { FIGURE_CONFIG, display, renderSvg, type ReportSection, type SectionFigure } from "../reports/index.js";
import { REPEAT_SUBDIR, calibrationDir, measurementLabel, readCalibration, readMeasurementSet } from "./host-files.js";

const MEASURED = "measured (host harness)";
const SIMULATED = "simulated (host Linux model)";
const ROLE_ORDER = ["fitted", "held out", "not modeled"] as const;

const pct = (x: number) => (Number.isNaN(x) ? "–" : `${x >= 0 ? "+" : "−"}${display(Math.abs(x) * 100, 3)}%`);
const ks = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(3));

/** The calibration in DIR if it was made from this very measurement set, else a fresh fit. */
async function modelFor(dir: string, set: MeasurementSet): Promise<{ data: HostModelData; record: CalibrationRecord; how: string }> {
  const label = measurementLabel(dir);
  const saved = await readCalibration(calibrationDir(dir));
  const m = set.machine;
  if (saved && saved.record.measurements.date === m.date && saved.record.measurements.harnessHash === m.harnessHash) {
    return { data: saved, record: saved.record, how: `the calibration in \`${label}/calibration\` (\`hrtsim calibrate\`)` };
  }
  const fresh = calibrate(set, label);
  const why = saved ? "the calibration there was made from other measurements, so it was refitted here" : "no calibration there; fitted here";
  return { data: fresh, record: fresh.record, how: `a calibration fitted from these measurements as \`hrtsim calibrate ${label}\` would (${why})` };
}

function cdfSpec(g: ExperimentGap): Record<string, unknown> {
  const dropped = (xs: readonly number[]) => xs.filter((x) => !(x > 0)).length;
  const values = [
    ...cdfPoints(g.measured).filter(([x]) => x > 0).map(([x, f]) => ({ series: MEASURED, cycles: x, F: f })),
    ...cdfPoints(g.simulated).filter(([x]) => x > 0).map(([x, f]) => ({ series: SIMULATED, cycles: x, F: f })),
  ];
  const lost = dropped(g.measured) + dropped(g.simulated);
  const subtitle = [
    `${g.role}; n = ${g.measured.length} measured, ${g.simulated.length} simulated; median ${pct(g.medianRelError)}, p99 ${pct(g.p99RelError)}, KS D = ${ks(g.ks)}`,
    ...(lost > 0 ? [`${lost} values ≤ 0 are not drawn on the log axis`] : []),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${g.experiment}: measured vs simulated`, subtitle },
    data: { values },
    width: 520, height: 260,
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "cycles", type: "quantitative", title: "cycles (log scale)", scale: { type: "log", nice: false, zero: false } },
      y: { field: "F", type: "quantitative", title: "fraction of trials ≤ x", scale: { domain: [0, 1] } },
      color: { field: "series", type: "nominal", title: null, scale: { domain: [MEASURED, SIMULATED] }, legend: { orient: "bottom", labelLimit: 400 } },
    },
    config: FIGURE_CONFIG,
  };
}

/** The same experiment measured again (DIR/repeat): its median and p99 relative to the first run's — the host's own run-to-run spread. */
type Repeat = ReadonlyMap<string, { readonly median: number; readonly p99: number }>;

async function readRepeat(dir: string): Promise<Repeat | undefined> {
  const again = path.join(dir, REPEAT_SUBDIR);
  if (!existsSync(path.join(again, MEASUREMENT_FILES.samples))) return undefined;
  const byExperiment = new Map<string, number[]>();
  for (const s of (await readMeasurementSet(again)).samples) {
    const xs = byExperiment.get(s.experiment);
    if (xs === undefined) byExperiment.set(s.experiment, [s.cycles]);
    else xs.push(s.cycles);
  }
  return new Map([...byExperiment].map(([e, xs]) => {
    const s = sorted(xs);
    return [e, { median: quantileSorted(s, 0.5), p99: quantileSorted(s, 0.99) }];
  }));
}

function gapTable(gaps: readonly ExperimentGap[], repeat: Repeat | undefined): ReportSection["table"] {
  const rel = (x: number | undefined, ref: number) => (x === undefined ? NaN : (x - ref) / Math.abs(ref));
  const rows = ROLE_ORDER.flatMap((role) => gaps.filter((g) => g.role === role)).map((g) => [
    g.experiment, g.role, String(g.measured.length), String(g.simulated.length),
    display(g.measuredMedian), display(g.simulatedMedian), pct(g.medianRelError),
    display(g.measuredP99), display(g.simulatedP99), pct(g.p99RelError), ks(g.ks),
    ...(repeat === undefined ? [] : [pct(rel(repeat.get(g.experiment)?.median, g.measuredMedian)), pct(rel(repeat.get(g.experiment)?.p99, g.measuredP99))]),
  ]);
  return {
    columns: ["experiment", "role", "n measured", "n simulated", "median measured", "median simulated", "median rel. error",
      "p99 measured", "p99 simulated", "p99 rel. error", "KS D", ...(repeat === undefined ? [] : ["median, measured again", "p99, measured again"])],
    rows,
  };
}

function interferenceText(record: CalibrationRecord): string {
  const n = record.noise;
  if ("kind" in n) {
    return `Interference is the measured detour trace (${n.cpus} CPUs, ${n.stolen.map((x) => `${display(x * 100, 3)}%`).join(" / ")} of the time), ` +
      "replayed on each CPU from a random point with its measured gaps and lengths, so its bursts and periodic host activity are as measured. " +
      "It was taken on a spinning CPU; a halted vCPU's wait for its host core is in it only as far as the host ran something else then too.";
  }
  return `Interference is one fitted Poisson process per CPU (from the syscall tail, see the calibration section); the measured tails come ` +
    "in bursts (a busy VM: other processes, hypervisor preemption), which independent arrivals do not reproduce — read p99 gaps with that in mind " +
    "(a measurement set with a detour trace, harness version ≥ 2, replays the measured interference instead).";
}

/** The sections for one measurement directory (exported for tests: `options` trims the simulation). */
export async function hostComparisonSections(dir: string, options: CompareOptions = {}): Promise<ReportSection[]> {
  const set = await readMeasurementSet(dir);
  const { data, record, how } = await modelFor(dir, set);
  const gaps = compareHost(set, data, options);
  const repeat = await readRepeat(dir);
  const m = set.machine;
  const label = measurementLabel(dir);
  const figures: SectionFigure[] = [];
  for (const g of gaps.filter((x) => x.role !== "not modeled")) {
    const vegaLite = cdfSpec(g);
    figures.push({ path: `figures/sections/host/${encodeURIComponent(g.experiment)}.svg`, title: `${g.experiment} (${g.role}): measured vs simulated CDF`, svg: await renderSvg(vegaLite), vegaLite });
  }
  const capped = gaps.filter((g) => g.simulated.length > 0 && g.simulated.length < g.measured.length);
  const notModeled = gaps.filter((g) => g.role === "not modeled").map((g) => `${g.experiment} (${g.via})`);
  const intro = [
    `Measurements: \`${label}\` — ${m.cpuModel}, ${m.cores} CPUs, Linux ${m.kernel}` +
      `${m.virtualMachine ? `, ${m.vmType ?? "virtual machine"} guest (hypervisor flag ${m.hypervisorFlag})` : ""}, ${m.date.slice(0, 10)}, ` +
      `load average ${m.loadAverage.join(" ")} at the start, CPUs ${display((m.cpuBusyFraction ?? NaN) * 100, 3)}% busy during the run.`,
    "",
    `Model: the microbench model's Linux on machine \`host\`, with ${how}. Counterparts: ` +
      `${gaps.filter((g) => g.role !== "not modeled").map((g) => `${g.experiment} — ${g.via}`).join("; ")}. All cores are pooled on both sides.`,
    "",
    `**Fitted** experiments set parameters (each the median of one of them), so their median gaps only show how the fit carries over to ` +
      `an independent simulation (other seed, more trials); their tails and shapes were not fitted. **Held out** (${gaps.filter((g) => g.role === "held out").map((g) => g.experiment).join(", ")}) ` +
      "were not read by the fit: their gaps test the model. Relative error = (simulated − measured) / |measured|; KS D = the largest " +
      "vertical distance between the two CDFs (0: identical, 1: disjoint). No pass/fail thresholds: the gaps are reported as they are.",
    "",
    interferenceText(record),
    ...(m.rounds === undefined ? [] : ["", `The harness interleaved the experiments in ${m.rounds} rounds (each ran 1/${m.rounds} of its trials per round, the order rotated from round to round), so fitted and held-out experiments saw the same mix of the host's drifting load.`]),
    ...(repeat === undefined ? [] : ["", `\`${label}/${REPEAT_SUBDIR}\` is the same harness run again right after, on the same host: its columns give each median and p99 relative to this run's — how far the host itself moves between two runs, the floor under any model-vs-measurement gap.`]),
    ...(capped.length ? ["", `Simulated trials capped for speed: ${capped.map((g) => `${g.experiment} ${g.simulated.length}`).join(", ")}.`] : []),
    ...(notModeled.length ? ["", `Not compared (no model counterpart): ${notModeled.join("; ")}.`] : []),
  ].join("\n");
  const fitRows = fitTableRows(record);
  return [
    { title: "Host: measured vs simulated", markdown: intro, table: gapTable(gaps, repeat), figures },
    {
      title: "Host calibration: which parameter comes from which measurement",
      markdown: "Machine facts from machine.json; each path fit scales the listed parameters (x64 shapes and split kept) by one factor " +
        "until the model's median of the source experiment equals the measured one. Every other parameter keeps its x64 value, its source " +
        "marked \"(not fitted; from x64)\" (`hrtsim params --machine host --kernel linux` lists them all).",
      table: { columns: [...FIT_TABLE_COLUMNS], rows: fitRows },
    },
  ];
}

/** Section provider: only `figures --host DIR` adds these; a DIR that cannot be read yields a section saying why. */
export async function hostSections(ctx: { readonly command: string; readonly hostDir?: string }): Promise<ReportSection[]> {
  if (ctx.hostDir === undefined) return [];
  try {
    return await hostComparisonSections(ctx.hostDir);
  } catch (e) {
    return [{ title: "Host: measured vs simulated", markdown: `Could not compare with the host measurements in \`${ctx.hostDir}\`: ${(e as Error).message}` }];
  }
}
