/**
 * Bad machine files and absurd parameter values are found by `validate` (file, field, expected,
 * found; never an internal error), and a run given such values anyway (bypassing validate)
 * fails fast with a limit diagnosis instead of spinning until the wall-clock limit.
 */
import { Worker } from "node:worker_threads";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CLOCK_GHZ_MAX, MAX_ARRIVALS_PER_QUERY, MAX_COST_CYCLES, MAX_CPUS, MAX_RATE, maxTime } from "../src/models/hardware/bounds.js";
import { checkOverride, describeFile } from "../src/models/hardware/overrides.js";
import { machineProfile } from "../src/models/hardware/profile.js";
import type { RunRecord } from "../src/reports/results.js";
import type { RunTask } from "../src/scenarios/execute.js";
import type { FromWorker, ToWorker } from "../src/scenarios/worker.js";
import { NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

type Json = Record<string, any>;

/** The x64 profile as a user machine file named mybox, changed by `edit`. */
function machine(edit: (m: Json) => void): Json {
  const m = structuredClone({ ...machineProfile("x64"), machine: "mybox" }) as Json;
  edit(m);
  return m;
}

const scenario = (name: string, extra: string) => `name: ${name}
description: machine-file and parameter bounds
model:
  name: microbench
  params: { machine: x64, kernel: linux, trials: 20, remoteCpus: 2 }
experiment: condvar
replications: 1
seed: 7
${extra}
`;

/** Wall time a run that fails fast stays far below (about a second each on a busy machine). */
const RUN_MS = 60_000;

/**
 * `task` run on the runner's own worker thread, ended after `ms`: a run that would not end
 * fails its test instead of hanging the suite (a thread, since the run never yields to a timer).
 */
async function runWithin(ms: number, task: RunTask): Promise<RunRecord> {
  const worker = new Worker(new URL("../src/scenarios/worker.js", import.meta.url));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<RunRecord>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the run did not end within ${ms} ms`)), ms);
      worker.on("message", (m: FromWorker) => m.type === "result" && resolve(m.record));
      worker.on("error", reject);
      worker.on("exit", (code) => reject(new Error(`the worker exited (code ${code}) without a result`)));
      worker.postMessage({ type: "batch", id: 0, tasks: [task] } satisfies ToWorker);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** `validate` of a scenario naming the machine file `m`: exit 1 with readable problems, no internal error. */
async function validateMachine(m: Json, extra = ""): Promise<string> {
  const dir = await tempDir();
  await writeText(dir, "box.json", JSON.stringify(m, null, 1));
  const r = await hrtsim(["validate", await writeText(dir, "s.yaml", scenario("s", `machineFile: box.json\n${extra}`))]);
  assert.is(r.code, 1, r.stderr);
  assert.not.match(r.stderr, NO_STACK_TRACE);
  return r.stderr;
}

test("a machine file's bad distribution and unknown kernel entry are validate problems in the machine file, not internal errors", async () => {
  const sd = await validateMachine(machine((m) => (m.parameters.atomic.value = { dist: "normal", mean: 5, sd: -1 })));
  assert.match(sd, /box\.json:\d+:\d+: parameters\.atomic\.value: invalid distribution/);
  assert.match(sd, /sd: expected a number ≥ 0, found -1/);
  const kernel = await validateMachine(machine((m) => (m.kernels = { linux: { subject: "linux on mybox", parameters: { "bogus.entry": { value: 1, source: "assumption: a test entry" } } } })));
  assert.match(kernel, /box\.json:\d+:\d+: kernels\.linux\.parameters\."bogus\.entry": unknown linux parameter/);
  const unit = await validateMachine(machine((m) => (m.kernels = { linux: { subject: "linux on mybox", parameters: { "config.hz": { value: 1000, source: "assumption: a test entry" } } } })));
  assert.match(unit, /kernels\.linux\.parameters\."config\.hz"\.unit: wrong unit/);
});

test("machine-file entries get the overrides' domain checks; an unknown hardware entry is an error", async () => {
  const out = await validateMachine(machine((m) => {
    m.parameters.atomic.value = -5;
    m.parameters.store.value = { dist: "normal", mean: -50, sd: 1 };
    m.parameters.bogus = { value: 1, source: "assumption: a test entry" };
  }));
  assert.match(out, /parameters\.atomic\.value: value out of range[\s\S]*found:\s+-5/);
  assert.match(out, /parameters\.store\.value: value out of range[\s\S]*a distribution with mean in \[0, 1e\+10\]/);
  assert.match(out, /parameters\.bogus: unknown hardware parameter/);
});

test("validate rejects huge costs, absurd rates, topologies, clocks and interference leaving no CPU time", async () => {
  const dir = await tempDir();
  const r = await hrtsim(["validate", await writeText(dir, "o.yaml", scenario("o", `parameters:
  x64.atomic: 1e300
  x64.store: { scale: 1e300 }
  x64.rdtsc: { dist: exponential, mean: 1e300 }
  x64.smi.rate: 1e300
  x64.apic.eoi: { scale: 2 }`))]);
  assert.is(r.code, 1, r.stderr);
  for (const p of ["atomic", "store", "rdtsc", "smi\\.rate"]) assert.match(r.stderr, new RegExp(`parameters\\.x64\\.${p}: value out of range`));
  assert.not.match(r.stderr, /apic\.eoi/);
  const cases: Array<[(m: Json) => void, RegExp]> = [
    [(m) => (m.parameters.atomic.value = 1e300), /parameters\.atomic\.value: value out of range/],
    [(m) => (m.topology.sockets = 100_000), new RegExp(`topology: too many CPUs[\\s\\S]*from 2 to ${MAX_CPUS} CPUs`)],
    [(m) => (m.clockGHz.value = 1e-300), /clockGHz\.value: implausible clock rate/],
    [(m) => (m.clockGHz.value = 1e300), /clockGHz\.value: implausible clock rate/],
    [(m) => (m.interference = { source: "test: detours covering the whole trace", traces: [{ length: 10_000, detours: [[0, 5000], [5000, 5000]] }] }), /interference\.traces\[0\]: interference leaves no CPU time/],
  ];
  for (const [edit, expected] of cases) assert.match(await validateMachine(machine(edit)), expected);
});

test("the bounds: a time up to MAX_COST_CYCLES (at the fastest clock for ns), rates, ratios; a scale is checked with the value it makes", () => {
  const infos = new Map(describeFile("x64", machineProfile("x64")).map((i) => [i.name, i]));
  const atomic = infos.get("atomic")!, haltExit = infos.get("idle.haltExit")!, smi = infos.get("smi.rate")!;
  assert.is(checkOverride(atomic, MAX_COST_CYCLES), undefined);
  assert.ok(checkOverride(atomic, MAX_COST_CYCLES * 1.01));
  assert.is(checkOverride(haltExit, maxTime("us")), undefined, "MAX_COST_CYCLES in us at the fastest clock");
  assert.is(maxTime("us"), MAX_COST_CYCLES / (CLOCK_GHZ_MAX * 1e3));
  assert.ok(checkOverride(haltExit, maxTime("us") * 1.01));
  assert.ok(checkOverride(atomic, { scale: MAX_COST_CYCLES }));
  assert.is(checkOverride(atomic, { scale: 2 }), undefined);
  assert.is(checkOverride(smi, MAX_RATE), undefined);
  assert.ok(checkOverride(smi, MAX_RATE * 1.01));
});

test("explain rejects a huge --set value up front (it has no event limit)", async () => {
  const r = await hrtsim(["explain", "condvar", "--machine", "x64", "--kernel", "linux", "--set", "x64.atomic=1e300"]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /--set x64\.atomic: value out of range/);
});

test("a run given a huge cost or whole-length interference anyway fails fast with a limit diagnosis", async () => {
  const edits: Array<(m: Json) => void> = [
    (m) => (m.parameters.atomic.value = 1e300),
    (m) => (m.interference = { source: "test: detours covering the whole trace", traces: [{ length: 10_000, detours: [[0, 5000], [5000, 5000]] }] }),
  ];
  for (const edit of edits) {
    // Without the per-question limit this run would not end (one event draws arrivals without end).
    const r = await runWithin(RUN_MS, {
      model: "microbench", limits: { maxEvents: 1e7 },
      spec: { runIndex: 0, point: {}, replication: 0, seed: "7", experiment: "sync-event", params: { machine: "x64", kernel: "nautilus", trials: 20, remoteCpus: 2 }, machine: machine(edit) as never },
    });
    assert.is(r.status, "failed");
    assert.match(r.error!, new RegExp(`^limit: .*cpu\\d+: more than ${MAX_ARRIVALS_PER_QUERY.toLocaleString("en-US")} noise arrivals drawn`));
  }
});

test.run();
