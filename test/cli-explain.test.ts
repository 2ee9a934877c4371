/**
 * `hrtsim params` and `hrtsim explain` conveniences, end to end through the built CLI:
 * --machine/--kernel as sugar for --set, the default model, HVM operation names, and errors
 * that list the valid primitives.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hrtsim } from "./cli-helpers.js";

test("params --machine x64 --kernel linux lists the Linux and hardware parameters with sources", async () => {
  const r = await hrtsim(["params", "--machine", "x64", "--kernel", "linux"]);
  assert.is(r.code, 0, r.stderr);
  for (const want of ["x64.clockGHz", "linux.syscall.entry", "linux.config.c6", "linux.proc.exec", "source"]) assert.ok(r.stdout.includes(want), `lacks ${want}`);
});

test("params on the Phi shows each derived value's derivation; --model/--set still work", async () => {
  const phi = await hrtsim(["params", "--machine", "phi", "--kernel", "nautilus"]);
  assert.is(phi.code, 0, phi.stderr);
  assert.ok(phi.stdout.includes("phi.inOrderFactor"));
  // The text table wraps long sources; the JSON form has each row whole.
  const json = await hrtsim(["params", "--machine", "phi", "--kernel", "nautilus", "--json"]);
  const malloc = JSON.parse(json.stdout).parameters.find((p: { name: string }) => p.name === "nautilus.malloc");
  assert.match(malloc.source, /^derived: x64 value × phi\.inOrderFactor \(/);
  const sets = await hrtsim(["params", "--model", "microbench", "--set", "machine=phi", "--set", "kernel=nautilus"]);
  assert.is(sets.code, 0, sets.stderr);
  assert.is(sets.stdout, phi.stdout);
});

test("explain <primitive> --kernel K --machine M prints one execution step by step with cycles", async () => {
  const r = await hrtsim(["explain", "condvar", "--machine", "x64", "--kernel", "linux"]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("cost (cycles)") && r.stdout.includes("total:"), r.stdout.slice(0, 400));
  assert.ok(r.stdout.includes("futex"), "a Linux condvar wake-up goes through futexes");
});

test("explain resolves HVM operations (and the Linux baselines) to the hvm model", async () => {
  const invoke = await hrtsim(["explain", "async-invoke"]);
  assert.is(invoke.code, 0, invoke.stderr);
  assert.ok(invoke.stdout.includes("#VMEXIT (hypercall)"));
  const start = await hrtsim(["explain", "linux-process-start"]);
  assert.is(start.code, 0, start.stderr);
  assert.ok(start.stdout.includes("execve"));
  const asExperiment = await hrtsim(["explain", "merge", "--model", "hvm"]);
  assert.is(asExperiment.code, 0, asExperiment.stderr);
});

test("unknown primitives and missing choices are input errors that say what is valid", async () => {
  const typo = await hrtsim(["explain", "condvr", "--machine", "x64", "--kernel", "linux"]);
  assert.is(typo.code, 1);
  assert.ok(typo.stderr.includes("condvar"), typo.stderr);
  assert.ok(typo.stderr.includes("async-invoke"), "lists the hvm operations too");
  const noMachine = await hrtsim(["explain", "thread-create"]);
  assert.is(noMachine.code, 1);
  assert.ok(noMachine.stderr.includes("--machine"), noMachine.stderr);
  const hvmKernel = await hrtsim(["explain", "async-invoke", "--kernel", "linux"]);
  assert.is(hvmKernel.code, 1);
  const badKernel = await hrtsim(["params", "--machine", "x64", "--kernel", "windows"]);
  assert.is(badKernel.code, 1);
  assert.ok(badKernel.stderr.includes("nautilus"), badKernel.stderr);
});

test.run();
