import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EXPERIMENTS,
  MeasurementFormatError,
  decodeMachineInfo,
  formatSamplesCsv,
  parseHarnessOutput,
  parseMeasurementSet,
  parseSamplesCsv,
  summarize,
} from "../src/models/host/measurements.js";
import { readMeasurementSet } from "../src/scenarios/host-files.js";

const HEADER = [
  "# harness=hrtsim-native",
  "# harness_version=1",
  "# clock=rdtsc",
  "# tsc_hz=2100000000",
  "# tsc_invariant=1",
  "# tsc_overhead=33",
  "# ncpu=2",
  "# trials=3",
].join("\n");

const GOOD = `${HEADER}
experiment,core,trial,cycles
thread-create,1,0,85012
condvar,1,0,-1834
ctx-switch,1,0,1690.02
threads-long,2,0,55510
# elapsed_s=0.2
`;

const MACHINE = {
  schemaVersion: 1,
  cpuModel: "Test CPU",
  cores: 2,
  onlineCpus: 2,
  arch: "x64",
  tscHz: 2.1e9,
  clockSource: "rdtsc",
  unit: "cycles",
  tscInvariant: true,
  tscOverhead: 30,
  kernel: "6.1.0",
  virtualMachine: true,
  hypervisorFlag: true,
  vmType: "kvm",
  containerType: null,
  date: "2025-01-01T00:00:00.000Z",
  harnessHash: "ab",
  harnessVersion: 1,
  compiler: "cc 12",
  helloLink: "static",
  trials: 3,
  experiments: ["thread-create"],
  wallSeconds: 1.5,
  loadAverage: [0.1, 0.2, 0.3],
  cpuBusyFraction: 0.1,
};

/** Run fn, expect a MeasurementFormatError, return it. */
function formatError(fn: () => unknown): MeasurementFormatError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, MeasurementFormatError);
    return e as MeasurementFormatError;
  }
  assert.unreachable("expected a MeasurementFormatError");
  throw new Error("unreachable");
}

test("parses the header and rows of good harness output", () => {
  const out = parseHarnessOutput(GOOD);
  assert.equal(out.info, { clockSource: "rdtsc", tscHz: 2.1e9, ncpu: 2, trials: 3, tscOverhead: 33, harnessVersion: 1 });
  assert.is(out.header["elapsed_s"], "0.2");
  assert.equal(out.samples, [
    { experiment: "thread-create", core: 1, trial: 0, cycles: 85012 },
    { experiment: "condvar", core: 1, trial: 0, cycles: -1834 },
    { experiment: "ctx-switch", core: 1, trial: 0, cycles: 1690.02 },
    { experiment: "threads-long", core: 2, trial: 0, cycles: 55510 },
  ]);
});

test("samples.csv text round-trips", () => {
  const samples = parseHarnessOutput(GOOD).samples;
  assert.equal(parseSamplesCsv(formatSamplesCsv(samples)), samples);
});

test("a non-numeric cycles value names line and field", () => {
  const bad = GOOD.replace("condvar,1,0,-1834", "condvar,1,0,abc");
  const e = formatError(() => parseHarnessOutput(bad, "out.txt"));
  assert.is(e.line, 11);
  assert.is(e.field, "cycles");
  assert.match(e.message, /^out\.txt:11: field "cycles": .*"abc"/);
});

test("NaN, blanks and non-integer cores are rejected", () => {
  for (const [row, field] of [
    ["spinlock,0,0,NaN", "cycles"],
    ["spinlock,0,0,", "cycles"],
    ["spinlock,0.5,0,12", "core"],
    ["spinlock,0,-1,12", "trial"],
    ["spinlock,0,0,1e999", "cycles"],
  ] as const) {
    const e = formatError(() => parseSamplesCsv(`experiment,core,trial,cycles\n${row}\n`, "s.csv"));
    assert.is(e.field, field, row);
    assert.is(e.line, 2, row);
    assert.ok(e.message.startsWith(`s.csv:2: field "${field}"`), e.message);
  }
});

test("an unknown experiment names the experiment field", () => {
  const e = formatError(() => parseSamplesCsv("experiment,core,trial,cycles\nspinlock,0,0,1\nmutex,0,0,5\n", "s.csv"));
  assert.is(e.line, 3);
  assert.is(e.field, "experiment");
  assert.match(e.message, /"mutex"/);
});

test("a row with the wrong number of fields is rejected", () => {
  const e = formatError(() => parseSamplesCsv("experiment,core,trial,cycles\nspinlock,0,0\n", "s.csv"));
  assert.is(e.line, 2);
  assert.match(e.message, /expected 4 fields/);
});

test("rows before the CSV header row are rejected", () => {
  const e = formatError(() => parseSamplesCsv("spinlock,0,0,1\n", "s.csv"));
  assert.is(e.line, 1);
  assert.match(e.message, /header row/);
  assert.match(formatError(() => parseSamplesCsv("# only comments\n")).message, /no "experiment,core,trial,cycles" header/);
});

test("a missing or bad header key is named", () => {
  const missing = formatError(() => parseHarnessOutput(GOOD.replace("# tsc_hz=2100000000\n", "")));
  assert.is(missing.field, "tsc_hz");
  assert.match(missing.message, /missing header line "# tsc_hz=/);
  const bad = formatError(() => parseHarnessOutput(GOOD.replace("# clock=rdtsc", "# clock=hpet")));
  assert.is(bad.field, "clock");
  assert.is(bad.line, 3);
  const zero = formatError(() => parseHarnessOutput(GOOD.replace("tsc_hz=2100000000", "tsc_hz=0")));
  assert.is(zero.field, "tsc_hz");
  assert.is(zero.line, 4);
});

test("every experiment name is accepted", () => {
  const rows = EXPERIMENTS.map((e, i) => `${e},0,${i},${i}`).join("\n");
  assert.is(parseSamplesCsv(`experiment,core,trial,cycles\n${rows}\n`).length, EXPERIMENTS.length);
});

test("machine.json: a bad field is named", () => {
  assert.is(decodeMachineInfo(MACHINE).cores, 2);
  const e = formatError(() => decodeMachineInfo({ ...MACHINE, tscHz: "fast" }, "m.json"));
  assert.is(e.field, "tscHz");
  assert.match(e.message, /^m\.json: field "tscHz": /);
  const missing = formatError(() => decodeMachineInfo({ ...MACHINE, kernel: undefined }));
  assert.is(missing.field, "kernel");
  const nested = formatError(() => decodeMachineInfo({ ...MACHINE, experiments: ["thread-create", "nope"] }));
  assert.is(nested.field, "experiments.1");
});

test("readMeasurementSet names the file that is wrong", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hrtsim-measure-parse-"));
  try {
    await writeFile(path.join(dir, "machine.json"), JSON.stringify(MACHINE));
    await writeFile(path.join(dir, "samples.csv"), "experiment,core,trial,cycles\nspinlock,0,0,25\n");
    const set = await readMeasurementSet(dir);
    assert.is(set.machine.cpuModel, "Test CPU");
    assert.equal(set.samples, [{ experiment: "spinlock", core: 0, trial: 0, cycles: 25 }]);

    await writeFile(path.join(dir, "samples.csv"), "experiment,core,trial,cycles\nspinlock,0,0,25\nspinlock,x,1,25\n");
    let err: unknown;
    await readMeasurementSet(dir).catch((e: unknown) => (err = e));
    assert.instance(err, MeasurementFormatError);
    assert.match((err as Error).message, /samples\.csv:3: field "core"/);

    await writeFile(path.join(dir, "machine.json"), "{ not json");
    err = undefined;
    await readMeasurementSet(dir).catch((e: unknown) => (err = e));
    assert.match((err as Error).message, /machine\.json: not JSON/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("parseMeasurementSet works on texts alone and names the files it was given", () => {
  const set = parseMeasurementSet({ machine: JSON.stringify(MACHINE), samples: "experiment,core,trial,cycles\nsyscall,0,0,90\n" });
  assert.equal(set.samples, [{ experiment: "syscall", core: 0, trial: 0, cycles: 90 }]);
  assert.throws(() => parseMeasurementSet({ machine: "[", samples: "" }), /^machine\.json: not JSON/);
  assert.throws(
    () => parseMeasurementSet({ machine: JSON.stringify(MACHINE), samples: "experiment,core,trial,cycles\nsyscall,0,0,\n" }, { machine: "m", samples: "set/s.csv" }),
    /^set\/s\.csv:2: field "cycles"/,
  );
});

test("summarize: quantiles of sorted values", () => {
  const s = summarize([5, 1, 3, 2, 4]);
  assert.equal([s.n, s.min, s.median, s.max], [5, 1, 3, 5]);
  assert.ok(Number.isNaN(summarize([]).median));
});

test.run();
