/** The checked-in host measurement sets (src/models/host/data/measurements, measurements-*). */
import { statSync } from "node:fs";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TRACE_EXPERIMENTS } from "../src/models/host/fit-table.js";
import { EXPERIMENTS, summarizeByExperiment, type Experiment, type MeasurementSet } from "../src/models/host/measurements.js";
import { checkedInMeasurementDirs, readMeasurementSet } from "../src/scenarios/host-files.js";
import { detourTraces } from "../src/models/host/measurements.js";

const DIRS = checkedInMeasurementDirs();
const cached = new Map<string, MeasurementSet>();
async function loadDir(dir: string): Promise<MeasurementSet> {
  let s = cached.get(dir);
  if (s === undefined) cached.set(dir, (s = await readMeasurementSet(dir)));
  return s;
}

/** Loose bounds on the median, in seconds: any Linux host of the last 15 years is inside. */
const PLAUSIBLE: Record<Exclude<Experiment, "detour" | "detour-start">, readonly [number, number]> = {
  "thread-create": [100e-9, 10e-3],
  "thread-run": [50e-9, 10e-3],
  "thread-both": [100e-9, 20e-3],
  "threads-long": [100e-9, 100e-3],
  "ctx-switch": [10e-9, 1e-3],
  condvar: [-1e-3, 10e-3],
  "condvar-bcast": [0, 10e-3],
  spinlock: [0, 1e-6],
  syscall: [5e-9, 100e-6],
  "sync-event": [-10e-6, 100e-6],
  "sync-roundtrip": [1e-9, 100e-6],
  "fork-exec": [10e-6, 100e-3],
  "posix-spawn": [10e-6, 100e-3],
  "thread-create-sleep100us": [100e-9, 10e-3],
  "thread-create-sleep1ms": [100e-9, 10e-3],
  "condvar-sleep1ms": [-1e-3, 10e-3],
};

for (const dir of DIRS) {
  const name = path.relative(path.dirname(DIRS[0]!), dir);
  const load = () => loadDir(dir);
  test(`${name}: the checked-in set loads and validates`, async () => {
    const set = await load();
    assert.ok(set.samples.length > 0);
  });

  test(`${name}: machine.json has every field the fit needs`, async () => {
    const { machine } = await load();
    assert.ok(machine.cpuModel.trim().length > 0, "cpuModel");
    assert.ok(machine.cores >= 2, "at least two cores (cross-core experiments)");
    assert.ok(machine.onlineCpus >= machine.cores);
    assert.ok(machine.tscHz > 1e8 && machine.tscHz < 1e11, `tscHz ${machine.tscHz}`);
    assert.ok(machine.clockSource === "rdtsc" || machine.clockSource === "monotonic");
    assert.is(machine.unit, machine.clockSource === "rdtsc" ? "cycles" : "ns");
    assert.ok(machine.kernel.length > 0, "kernel");
    assert.type(machine.virtualMachine, "boolean");
    assert.ok(!Number.isNaN(Date.parse(machine.date)), "date is ISO 8601");
    assert.match(machine.harnessHash, /^[0-9a-f]{64}$/);
    assert.ok(machine.trials >= 1);
    assert.ok(machine.experiments.length > 0 && machine.experiments.every((e) => EXPERIMENTS.includes(e)), "experiments are known ones");
    for (const e of EXPERIMENTS.slice(0, 13)) assert.ok(machine.experiments.includes(e), `the 13 timed primitives of harness version 1 (${e})`);
  });

  test(`${name}: every experiment is present with enough finite samples`, async () => {
    const { machine, samples } = await load();
    for (const e of machine.experiments.filter((x) => !TRACE_EXPERIMENTS.includes(x))) {
      const xs = samples.filter((s) => s.experiment === e);
      const perCore = e === "spinlock" || e === "syscall" ? 10 * machine.trials : machine.trials;
      // condvar trials may be dropped on a lost wake-up; allow 1%.
      assert.ok(xs.length >= Math.floor(perCore * 0.99), `${e}: ${xs.length} samples, expected ≥ ${perCore}`);
      for (const s of xs) assert.ok(Number.isFinite(s.cycles), `${e} trial ${s.trial}: ${s.cycles}`);
    }
  });

  test(`${name}: remote-core experiments cover cores 1..n-1; threads-long covers k = 2..n`, async () => {
    const { machine, samples } = await load();
    const cores = (e: Experiment) => [...new Set(samples.filter((s) => s.experiment === e).map((s) => s.core))].sort((a, b) => a - b);
    const remote = Array.from({ length: machine.cores - 1 }, (_, i) => i + 1);
    for (const e of ["condvar", "condvar-bcast", "sync-event", "sync-roundtrip"] as const) assert.equal(cores(e), remote, e);
    for (const e of ["thread-create", "thread-run", "thread-both", "ctx-switch"] as const) assert.equal(cores(e), [1], e);
    for (const e of ["spinlock", "syscall", "fork-exec", "posix-spawn"] as const) assert.equal(cores(e), [0], e);
    const ks = cores("threads-long");
    assert.is(ks[0], 2);
    assert.is(ks[ks.length - 1], machine.cores);
  });

  test(`${name}: (experiment, core, trial) keys are unique`, async () => {
    const { samples } = await load();
    const keys = new Set(samples.map((s) => `${s.experiment}/${s.core}/${s.trial}`));
    assert.is(keys.size, samples.length);
  });

  test(`${name}: medians are plausible for a Linux host`, async () => {
    const { machine, samples } = await load();
    const summary = summarizeByExperiment(samples);
    for (const e of machine.experiments.filter((x) => !TRACE_EXPERIMENTS.includes(x))) {
      const s = summary.get(e);
      assert.ok(s, e);
      const seconds = s.median / machine.tscHz;
      const [lo, hi] = PLAUSIBLE[e as keyof typeof PLAUSIBLE];
      assert.ok(seconds >= lo && seconds <= hi, `${e}: median ${s.median} ticks = ${seconds} s, outside [${lo}, ${hi}]`);
    }
    // Structure that holds on any host: a spinlock is cheaper than a system call,
    // which is cheaper than starting a thread, which is cheaper than starting a process.
    const med = (e: Experiment) => summary.get(e)!.median;
    assert.ok(med("spinlock") < med("syscall"));
    assert.ok(med("syscall") < med("thread-create"));
    assert.ok(med("thread-create") < med("fork-exec"));
  });

  test(`${name}: the checked-in files stay small`, () => {
      for (const f of ["samples.csv", "machine.json"]) {
      const size = statSync(path.join(dir, f)).size;
      assert.ok(size < 2 * 1024 * 1024, `${f}: ${size} bytes`);
    }
  });

  test(`${name}: a detour trace, if present, pairs every detour with its start, in time order`, async () => {
    const set = await load();
    const traces = detourTraces(set);
    if (!set.machine.experiments.includes("detour")) return assert.is(traces.length, 0);
    assert.is(traces.length, set.machine.cores, "one trace per CPU");
    for (const t of traces) {
      assert.ok(t.detours.length > 0, `CPU ${t.cpu} has detours`);
      // From the raw rows (detourTraces sorts and checks order itself): one start per detour, and
      // every detour ends within the loop time the header gives.
      const rows = (x: Experiment) => set.samples.filter((s) => s.experiment === x && s.core === t.cpu).length;
      assert.is(rows("detour-start"), rows("detour"), `CPU ${t.cpu}: as many starts as detours`);
      const last = t.detours[t.detours.length - 1]!;
      assert.ok(last[0] + last[1] <= set.machine.detourSeconds! * set.machine.tscHz * 1.01, `CPU ${t.cpu}: detours end within the loop time`);
    }
  });
}

test.run();
