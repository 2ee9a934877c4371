/**
 * Model parameter combinations that used to pass `validate` and fail (or silently misbehave) at
 * run time: each is now a validate error naming the file, the field path, what was expected and
 * what was found, never a stack trace.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

const doc = (model: string, experiment: string, params: string): string =>
  `name: combo\ndescription: an impossible combination\nmodel:\n  name: ${model}\n  params: { ${params} }\nexperiment: ${experiment}\nreplications: 1\nseed: 1\n`;

interface Case { readonly name: string; readonly model: string; readonly experiment: string; readonly params: string; readonly path: string; readonly expected: RegExp; readonly found: string }

const CASES: readonly Case[] = [
  { name: "bsp-threads-x64", model: "bsp", experiment: "superstep", params: "machine: x64, kernel: nautilus, threads: 65", path: "model.params.threads", expected: /threads ≤ 64 \(x64 has 64 CPUs\)/, found: "65" },
  { name: "bsp-threads-phi", model: "bsp", experiment: "parallel-for", params: "machine: phi, kernel: linux, threads: 229", path: "model.params.threads", expected: /threads ≤ 228 \(phi has 228 CPUs\)/, found: "229" },
  { name: "bsp-grain-huge", model: "bsp", experiment: "parallel-for", params: "machine: x64, kernel: linux, grains: [9007199254740991]", path: "model.params.grains\\[0\\]", expected: /less than or equal to 1000000000/, found: "9007199254740991" },
  { name: "bsp-grains-none", model: "bsp", experiment: "parallel-for", params: "machine: x64, kernel: linux, grains: []", path: "model.params.grains", expected: /length of at least 1/, found: "a list of 0 items" },
  { name: "bsp-scale", model: "bsp", experiment: "superstep", params: "machine: x64, kernel: linux, costScale: 1001", path: "model.params.costScale", expected: /between 1 and 1000/, found: "1001" },
  { name: "bsp-work-and-workload", model: "bsp", experiment: "superstep", params: "machine: x64, kernel: linux, work: 5, workload: { kernel: hpcg.dot, elements: 10 }", path: "model.params.workload", expected: /one of them: work \(cycles or a distribution\) or workload/, found: "both" },
  { name: "bsp-workload-huge", model: "bsp", experiment: "superstep", params: "machine: phi, kernel: nautilus, workload: { kernel: hpcg.spmv, elements: 500000000 }", path: "model.params.workload.elements", expected: /at most [\d,]+ elements of hpcg\.spmv \([\d.]+ phi cycles each\)/, found: "500000000" },
  { name: "bsp-workload-kernel", model: "bsp", experiment: "superstep", params: "machine: x64, kernel: linux, workload: { kernel: hpcg.bogus, elements: 10 }", path: "model.params.workload.kernel", expected: /"hpcg\.spmv"/, found: '"hpcg\.bogus"' },
  { name: "legion-circuit-cores", model: "legion", experiment: "circuit", params: "machine: x64, cores: 65", path: "model.params.cores", expected: /cores ≤ 64 \(x64 has 64 CPUs\)/, found: "65" },
  { name: "legion-launch-2", model: "legion", experiment: "task-launch", params: "machine: x64, cores: 2", path: "model.params.cores", expected: /cores ≥ 3/, found: "2" },
  { name: "legion-launch-huge", model: "legion", experiment: "task-launch", params: "machine: x64, cores: 100000", path: "model.params.cores", expected: /cores ≤ 64/, found: "100000" },
  { name: "legion-hvm-phi", model: "legion", experiment: "circuit", params: "machine: phi, placement: hvm", path: "model.params.placement", expected: /machine x64 or placement native/, found: "machine phi" },
  { name: "legion-hvm-64", model: "legion", experiment: "hpcg", params: "machine: x64, placement: hvm, cores: 64, kernels: [nautilus]", path: "model.params.cores", expected: /cores ≤ 63/, found: "64" },
  { name: "legion-hvm-all", model: "legion", experiment: "circuit", params: "machine: x64, placement: hvm, cores: all", path: "model.params.cores", expected: /cores ≤ 63/, found: "64" },
  { name: "legion-kernels-twice", model: "legion", experiment: "circuit", params: "machine: x64, kernels: [linux, linux]", path: "model.params.kernels", expected: /each kernel once/, found: "a list of 2 items" },
  { name: "legion-compute-ratio", model: "legion", experiment: "circuit", params: "machine: x64, compute: { cyclesPerHostTsc: 1e300 }", path: "model.params.compute.cyclesPerHostTsc", expected: /less than or equal to 1000/, found: "1e\\+300" },
  { name: "hvm-costs-unknown", model: "hvm", experiment: "async-call", params: "costs: { bogus: 1 }", path: "model.params.costs.bogus", expected: /a parameter of hvm\/data\/x64-svm.json/, found: '"bogus"' },
  { name: "hvm-costs-negative", model: "hvm", experiment: "async-call", params: "costs: { svm.vmexit: -100 }", path: "model.params.costs.svm.vmexit", expected: /a value in \[0, /, found: "-100" },
  { name: "hvm-scale", model: "hvm", experiment: "async-call", params: "costScale: 5000", path: "model.params.costScale", expected: /between 1 and 1000/, found: "5000" },
  { name: "microbench-scale", model: "microbench", experiment: "spinlock", params: "machine: x64, kernel: nautilus, costScale: 9007199254740991", path: "model.params.costScale", expected: /between 1 and 1000/, found: "9007199254740991" },
];

test("validate rejects each impossible model combination with file, path, expected and found", async () => {
  const dir = await tempDir();
  for (const c of CASES) {
    const file = await writeText(dir, `${c.name}.yaml`, doc(c.model, c.experiment, c.params));
    const r = await hrtsim(["validate", file]);
    assert.is(r.code, 1, `${c.name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${c.name}\\.yaml:5:\\d+: ${c.path}: `), c.name);
    assert.match(r.stderr, new RegExp(`expected: .*${c.expected.source}`), c.name);
    assert.match(r.stderr, new RegExp(`found: +${c.found}\\n`), c.name);
    assert.not.match(r.stderr, NO_STACK_TRACE, c.name);
  }
});

test("a swept experiment and a report.explain request are checked against the model's constraints too", async () => {
  const dir = await tempDir();
  const swept = doc("legion", "circuit", "machine: x64, cores: 2") + "sweep:\n  experiment: [circuit, task-launch]\n";
  const r = await hrtsim(["validate", await writeText(dir, "swept.yaml", swept)]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /swept\.yaml:5:\d+: model\.params\.cores: impossible combination: task-launch needs two workers/);
  const explained = doc("legion", "circuit", "machine: x64, cores: 8") + "report:\n  explain:\n    - { experiment: circuit, params: { cores: 65 } }\n";
  const e = await hrtsim(["validate", await writeText(dir, "explained.yaml", explained)]);
  assert.is(e.code, 1, e.stderr);
  assert.match(e.stderr, /report\.explain\[0\]\.params → model\.params\.cores: impossible combination/);
  assert.match(e.stderr, /found: +65\n/);
});

test("the limits themselves still validate: threads 64, task-launch on 3, 64 and all cores, HVM on 63, costScale 1000, a valid costs what-if", async () => {
  const dir = await tempDir();
  const ok = [
    doc("bsp", "superstep", "machine: x64, kernel: nautilus, threads: 64, costScale: 1000"),
    doc("legion", "task-launch", "machine: x64, cores: 3"),
    doc("legion", "task-launch", "machine: x64, cores: 64"),
    doc("legion", "task-launch", "machine: phi, cores: all"),
    doc("legion", "circuit", "machine: x64, placement: hvm, cores: 63"),
    doc("hvm", "async-call", "costs: { svm.vmexit: 100, config: { hypercallLock: 1 } }"),
  ];
  for (const [i, text] of ok.entries()) {
    const r = await hrtsim(["validate", await writeText(dir, `ok${i}.yaml`, text)]);
    assert.is(r.code, 0, `ok${i}: ${r.stderr}`);
  }
});

test("explain checks the model's constraints: a clean exit-1 error naming the --set, no stack", async () => {
  const r = await hrtsim(["explain", "async-invoke", "--set", "hrtCores=100"]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /<command line>: --set hrtCores: impossible combination/);
  assert.match(r.stderr, /expected: hrtFirstPcpu \+ hrtCores ≤ 64/);
  assert.not.match(r.stderr, NO_STACK_TRACE);
  assert.not.match(r.stderr, /RangeError/);
  const c = await hrtsim(["explain", "async-call", "--set", "costs.svm.vmexit=-1"]);
  assert.is(c.code, 1, c.stderr);
  assert.match(c.stderr, /--set costs\.svm\.vmexit: impossible combination: value out of range in costs/);
});

test("legion refuses a machine file it would ignore (placement hvm), or one it has no compute-scale ratio for (native)", async () => {
  const dir = await tempDir();
  const { machineProfile } = await import("../src/models/hardware/profile.js");
  await writeText(dir, "box.json", JSON.stringify({ ...machineProfile("x64"), machine: "mybox" }));
  const text = doc("legion", "circuit", "machine: x64, cores: 4, placement: hvm") + "machineFile: box.json\n";
  const r = await hrtsim(["validate", await writeText(dir, "hvm-box.yaml", text)]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /hvm-box\.yaml:\d+:\d+: machineFile: impossible combination: placement hvm runs on the built-in x64 profile/);
  assert.match(r.stderr, /found:\s+"mybox"/);
  // Natively it runs on the file's machine, whose name has no compute-scale ratio: the scenario must give one.
  const native = await hrtsim(["validate", await writeText(dir, "native-box.yaml", text.replace("placement: hvm", "placement: native"))]);
  assert.is(native.code, 1, native.stderr);
  assert.match(native.stderr, /native-box\.yaml:\d+:\d+: model\.params\.compute\.cyclesPerHostTsc: impossible combination: legion\/data\/compute-scale\.json has no ratio for machine "mybox"/);
  assert.match(native.stderr, /found:\s+none given/);
  const given = await writeText(dir, "native-ratio.yaml", text.replace("placement: hvm", "placement: native, problem: small, iterations: 2, compute: { cyclesPerHostTsc: 2.5 }"));
  const ok = await hrtsim(["validate", given]);
  assert.is(ok.code, 0, ok.stderr);
  // What validate passes runs (before, the ratio-less scenario passed validate and every run failed).
  const run = await hrtsim(["run", given, "--out", `${dir}/out`]);
  assert.is(run.code, 0, run.stderr);
});

test("atscale kernel noise on a 16-CPU machine file: per-node runs (its netNoise pool fits CPUs 1..15); a pool of 16 is refused by validate", async () => {
  const dir = await tempDir();
  const { machineProfile } = await import("../src/models/hardware/profile.js");
  const x64 = machineProfile("x64");
  await writeText(dir, "small.json", JSON.stringify({ ...x64, machine: "mybox", topology: { ...x64.topology, sockets: 1 } }));
  const scenario = (noise: string) => doc("atscale", "collectives", `ranks: 2, collective: dissemination, collectives: 1, workUs: 1, noise: { kind: kernel, kernel: nautilus, machine: x64${noise} }`) + "machineFile: small.json\n";
  // Before, this passed validate and every run failed: per-node sampling measured netNoise on a pool of 16 CPUs 1..16.
  const perNode = await writeText(dir, "per-node.yaml", scenario(""));
  assert.is((await hrtsim(["validate", perNode])).code, 0);
  const run = await hrtsim(["run", perNode, "--out", `${dir}/out`]);
  assert.is(run.code, 0, run.stderr);
  const pooled = await hrtsim(["validate", await writeText(dir, "pooled.yaml", scenario(", sampling: pooled"))]);
  assert.is(pooled.code, 1, pooled.stderr);
  assert.match(pooled.stderr, /pooled\.yaml:\d+:\d+: model\.params\.noise\.traces: impossible combination: too many noise traces for mybox/);
  assert.match(pooled.stderr, /expected: at most 15 noise traces: mybox has 16 CPUs/);
  assert.match(pooled.stderr, /found:\s+16/);
});

test("on a machine file, validate reads the kernel files the run loads (x64's, not those of the profile it copies)", async () => {
  const dir = await tempDir();
  const { machineProfile } = await import("../src/models/hardware/profile.js");
  const phi = machineProfile("phi");
  await writeText(dir, "knc.json", JSON.stringify({ ...phi, machine: "mybox", topology: { ...phi.topology, cores: 1 } }));
  // x64's linux file gives noise.deviceIrq.duration in µs: 4986 µs × 200/s takes CPU 0 whole. Phi's
  // derived file has it in cycles, where 4986 is harmless: validate read that one and passed, and every run failed.
  const text = doc("microbench", "thread-create", "machine: phi, kernel: linux") + "machineFile: knc.json\nparameters:\n  linux.noise.deviceIrq.duration: 4986\n";
  const r = await hrtsim(["validate", await writeText(dir, "knc.yaml", text)]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /knc\.yaml:\d+:\d+: parameters\.linux\.noise\.deviceIrq\.duration: impossible combination: Linux noise leaves threads no CPU time/);
  assert.match(r.stderr, /would take 100% of CPU 0/);
});

test.run();
