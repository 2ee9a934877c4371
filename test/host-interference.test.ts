/**
 * Measured interference (issue 9: burst noise): a detour trace replayed as measured
 * (hardware/noise.ts TraceNoise, a profile's `interference`), the harness's trace read from a
 * measurement set (detourTraces), and the calibration that takes it instead of the Poisson tail fit.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Cpu } from "../src/models/hardware/cpu.js";
import { Machine } from "../src/models/hardware/machine.js";
import { TraceNoise } from "../src/models/hardware/noise.js";
import { ParameterFileError } from "../src/models/hardware/params.js";
import { decodeMachineProfile, machineProfile, type MachineProfile } from "../src/models/hardware/profile.js";
import { calibrate } from "../src/models/host/calibration.js";
import { userMachineProblems } from "../src/models/kernel/registry.js";
import { MeasurementFormatError, detourTraces, type MeasurementSet, type Sample } from "../src/models/host/measurements.js";
import { readMeasurementSet } from "../src/scenarios/host-files.js";
import { hostMeasurementsDir } from "../src/scenarios/host-files.js";

const TRACE = [[100, 10], [130, 5], [500, 40]] as const;

function arrivals(src: TraceNoise, n: number): Array<[number, number]> {
  return Array.from({ length: n }, () => { const t = src.nextArrival(); return [t, src.duration()] as [number, number]; });
}

test("the replay keeps the measured gaps and lengths from its offset and wraps at the trace's length", () => {
  assert.equal(arrivals(new TraceNoise("m", TRACE, 1000, 0, 1), 4), [[100, 10], [130, 5], [500, 40], [1100, 10]]);
  // From 120: the detour at 100 is behind; the one at 130 comes 10 cycles in; 100 comes back at 1000 − 120 + 100.
  assert.equal(arrivals(new TraceNoise("m", TRACE, 1000, 120, 1), 4), [[10, 5], [380, 40], [980, 10], [1010, 5]]);
  // The cost scale multiplies times and lengths alike; the duration factor only lengths.
  assert.equal(arrivals(new TraceNoise("m", TRACE, 1000, 0, 3, 2), 2), [[300, 60], [390, 30]]);
});

test("interference.scale 0 and an empty trace fire nothing", () => {
  assert.is(new TraceNoise("m", TRACE, 1000, 0, 1, 0).nextArrival(), Infinity);
  assert.is(new TraceNoise("m", [], 1000, 0, 1).nextArrival(), Infinity);
  assert.throws(() => new TraceNoise("m", TRACE, 1000, 1000, 1), /offset/);
});

test("work on a CPU is delayed by exactly the replayed detours it overlaps", () => {
  const sim = new Simulation({ seed: 1 });
  const cpu = new Cpu(0, sim, sim.streams.get("c"), [new TraceNoise("m", TRACE, 1000, 0, 1)], null);
  let doneAt = -1;
  cpu.exec(450, "work", () => { doneAt = sim.now; });
  sim.run();
  assert.is(doneAt, 450 + 10 + 5, "the first two detours fall inside the work; it ends (465) before the third (500)");
  const again = new Simulation({ seed: 1 });
  const cpu2 = new Cpu(0, again, again.streams.get("c"), [new TraceNoise("m", TRACE, 1000, 0, 1)], null);
  cpu2.exec(500, "work", () => { doneAt = again.now; });
  again.run();
  assert.is(doneAt, 500 + 10 + 5 + 40, "all three: work left at 500 is pushed behind the detour");
});

function profileWith(traces: MachineProfile["interference"]): MachineProfile {
  const x64 = machineProfile("x64");
  return { ...x64, machine: "x64", ...(traces === undefined ? {} : { interference: traces }) };
}

/** One unit of work of `cycles` on `cpu` of a machine with `profile`; when it ends. */
function runOn(profile: MachineProfile, cpu: number, cycles: number, seed = 5): number {
  const sim = new Simulation({ seed });
  const m = new Machine({ sim, machine: profile, streamPrefix: "t" });
  let doneAt = -1;
  m.cpu(cpu).exec(cycles, "work", () => { doneAt = sim.now; });
  sim.run();
  return doneAt;
}

test("a profile's interference reaches every CPU (trace i mod n); interference.scale 0 is no interference", () => {
  const interference = { source: "test: two synthetic traces", traces: [{ length: 1000, detours: [[0, 200], [400, 200]] as Array<[number, number]> }, { length: 1000, detours: [] }] };
  const plain = profileWith(undefined);
  const busy = profileWith(interference);
  assert.is(runOn(plain, 0, 10_000), 10_000);
  assert.ok(runOn(busy, 0, 10_000) > 14_000, "CPU 0 loses 40% of its time to trace 0");
  assert.is(runOn(busy, 1, 10_000), 10_000, "CPU 1 replays the empty trace 1");
  assert.ok(runOn(busy, 2, 10_000) > 14_000, "CPU 2 replays trace 0 again");
  const off = { ...busy, parameters: { ...busy.parameters, "interference.scale": { value: 0, source: "test: interference switched off" } } };
  assert.is(runOn(off, 0, 10_000), 10_000);
});

test("the replay's starting point comes from the CPU's named stream: other seeds, other phases", () => {
  const busy = profileWith({ source: "test: one synthetic trace", traces: [{ length: 100_000, detours: [[10, 5000]] }] });
  const ends = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => runOn(busy, 0, 50_000, seed)));
  assert.ok(ends.size > 1, "the detour falls inside the work for some seeds, not others");
  assert.is(runOn(busy, 0, 50_000, 3), runOn(busy, 0, 50_000, 3), "and the same seed gives the same phase");
});

test("a profile whose detours overlap or run past the trace is rejected, naming where", () => {
  const raw = (detours: number[][]) => ({ ...machineProfile("x64"), interference: { source: "test: a bad trace here", traces: [{ length: 1000, detours }] } });
  assert.throws(() => decodeMachineProfile(raw([[0, 100], [50, 10]]), "bad.json"), (e: unknown) => e instanceof ParameterFileError && /interference\.traces\[0\]\.detours\[1\]/.test((e as Error).message));
  assert.throws(() => decodeMachineProfile(raw([[990, 100]]), "bad.json"), /after the trace's length/);
  decodeMachineProfile(raw([[0, 100], [100, 10]]), "ok.json");
});

test("a machine file's bad trace is a problem at the same field, with the reason the profile's decoder gives", () => {
  const file = (detours: Array<[number, number]>) => ({
    ...structuredClone(machineProfile("x64")), machine: "mybox",
    interference: { source: "test: a bad second trace", traces: [{ length: 1000, detours: [[0, 1]] as Array<[number, number]> }, { length: 1000, detours }] },
  });
  const cases: Array<[Array<[number, number]>, Array<string | number>, string]> = [
    [[[0, 10], [20, 10], [25, 1]], ["interference", "traces", 1, "detours", 2], "starts at 25, before the previous detour ends (30); expected detours in time order, not overlapping"],
    [[[990, 100]], ["interference", "traces", 1], "the last detour ends at 1090, after the trace's length 1000"],
  ];
  for (const [detours, at, reason] of cases) {
    const [p, ...rest] = userMachineProblems(file(detours));
    assert.equal(rest, []);
    assert.equal(p!.at, at);
    assert.is(p!.message, "bad interference trace");
    assert.is(p!.found, reason);
    assert.throws(() => decodeMachineProfile(file(detours), "bad.json"), (e: unknown) => (e as Error).message === `machine profile bad.json: ${p!.path}: ${reason}`);
  }
  assert.is(userMachineProblems(file([[0, 10], [10, 10]])).length, 0);
});

function sample(experiment: Sample["experiment"], core: number, trial: number, cycles: number): Sample {
  return { experiment, core, trial, cycles };
}

test("detourTraces pairs each detour with its start, per CPU, and rejects a detour without one", async () => {
  const base = await readMeasurementSet(hostMeasurementsDir());
  const set: MeasurementSet = {
    machine: { ...base.machine, detourSeconds: 1e-6 },
    samples: [sample("detour-start", 1, 0, 50), sample("detour", 1, 0, 7), sample("detour-start", 0, 0, 10), sample("detour", 0, 0, 3), sample("detour-start", 0, 1, 20), sample("detour", 0, 1, 4)],
  };
  const traces = detourTraces(set);
  assert.equal(traces.map((t) => [t.cpu, t.detours]), [[0, [[10, 3], [20, 4]]], [1, [[50, 7]]]]);
  assert.is(traces[0]!.length, Math.max(1e-6 * base.machine.tscHz, 24));
  assert.throws(() => detourTraces({ ...set, samples: [...set.samples, sample("detour", 0, 9, 1)] }), (e: unknown) => e instanceof MeasurementFormatError && /no detour-start/.test((e as Error).message));
  assert.throws(() => detourTraces({ ...set, samples: [...set.samples, sample("detour-start", 0, 2, 22), sample("detour", 0, 2, 1)] }), /overlap/);
});

test("a set with a detour trace is calibrated with it: the trace becomes the interference, Linux's own noise is not drawn twice", async () => {
  const base = await readMeasurementSet(hostMeasurementsDir());
  const detours: Sample[] = [];
  for (const core of [0, 1]) for (let i = 0; i < 50; i++) detours.push(sample("detour-start", core, i, 1e6 * i), sample("detour", core, i, 20_000));
  const set: MeasurementSet = { machine: { ...base.machine, detourSeconds: 0.025, detourMinNs: 250 }, samples: [...base.samples, ...detours] };
  const traced = calibrate(set, "test-set");
  const plain = calibrate(base, "test-set");
  assert.is(plain.hardware.interference, undefined);
  assert.ok(!("kind" in plain.record.noise) && plain.linux.parameters["noise.daemon.rate"]!.value !== 0, "without a trace: the fitted daemon source");
  const i = traced.hardware.interference!;
  assert.is(i.traces.length, 2);
  assert.equal(i.traces[1]!.detours.slice(0, 2), [[0, 20_000], [1_000_000, 20_000]]);
  for (const n of ["noise.daemon.rate", "noise.kthread.rate", "noise.deviceIrq.rate", "noise.tick.duration"]) {
    assert.is(traced.linux.parameters[n]!.value, 0, n);
    assert.match(traced.linux.parameters[n]!.source, /interference trace/);
  }
  assert.ok("kind" in traced.record.noise && traced.record.noise.stolen.every((s) => Math.abs(s - 0.02) < 1e-3), "20k of every 1M cycles");
  assert.is(traced.hardware.parameters["interference.scale"]!.value, 1);
});

test.run();
