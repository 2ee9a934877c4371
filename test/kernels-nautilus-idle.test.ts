/**
 * Paper-era Nautilus idle CPUs (b512503 idle.c, thread.c, Kconfig): they poll their run queue;
 * a remote wake-up is enqueue + the target's next poll, not an IPI (KICK_SCHEDULE default n);
 * CPU 0 has no idle thread, so a blocked thread there spins in nk_schedule(); with kicks on the
 * kick usually arrives after the poll found the thread; the poll phase is the wake-up's jitter;
 * halted idle CPUs (HALT_WHILE_IDLE) wait for the next tick.
 */
import { quantile } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ParameterFile } from "../src/models/hardware/params.js";
import { Harness } from "../src/models/microbench/harness.js";
import { condvar } from "../src/models/microbench/sync.js";
import { threadCreate, threadRun } from "../src/models/microbench/threads.js";
import { nautilusData } from "../src/models/nautilus/kernel.js";

type Machine = "x64" | "phi";

/** The Nautilus file of `machine` with some entries' values replaced. */
function withValues(machine: Machine, values: Record<string, number>): ParameterFile {
  const base = nautilusData(machine);
  const parameters = { ...base.parameters };
  for (const [k, v] of Object.entries(values)) {
    assert.ok(k in parameters, `no entry ${k}`);
    parameters[k] = { ...parameters[k]!, value: v };
  }
  return { ...base, parameters };
}

/** Runs an experiment on Nautilus with the given entries; returns the harness (recording if asked). */
function run(machine: Machine, run: (h: Harness) => void, values: Record<string, number>, opts: { trials: number; record?: boolean; remoteCpus?: number; seed?: string }): Harness {
  const h = new Harness({ machine, kernel: "nautilus", trials: opts.trials, ...(opts.remoteCpus ? { remoteCpus: opts.remoteCpus } : {}) }, opts.seed ?? "idle", opts.record ?? false, { nautilus: withValues(machine, values) });
  run(h);
  assert.is(h.sim.run({ maxEvents: 5_000_000 }).reason, "empty");
  return h;
}

const cycles = (h: Harness) => h.observations.filter((o) => o.metric === "cycles").map((o) => o.value).sort((a, b) => a - b);
const steps = (h: Harness) => h.machine.recorder!.steps.map((s) => s.step);

test("defaults follow Kconfig: no kicks, no halting, no idle thread on CPU 0, idle_delay(100) on x64 and 1100 delay cycles on the Phi", () => {
  for (const machine of ["x64", "phi"] as const) {
    const p = nautilusData(machine).parameters;
    assert.is(p["config.kicks"]!.value, 0);
    assert.is(p["config.haltWhileIdle"]!.value, 0);
    assert.is(p["config.useIdleThreads"]!.value, 0);
  }
  assert.is(nautilusData("x64").parameters["config.idleDelay"]!.value, 100);
  assert.is(nautilusData("phi").parameters["config.idleDelay"]!.value, 1100);
});

test("kicks off (default): thread-run and condvar wake-ups take no IPI; the target's poll finds the thread", () => {
  for (const machine of ["x64", "phi"] as const) {
    const tr = steps(run(machine, threadRun, {}, { trials: 3, record: true }));
    assert.not.ok(tr.some((s) => /IPI|kick/.test(s)), `${machine} thread-run: ${tr.filter((s) => /IPI|kick/.test(s)).join("; ")}`);
    assert.ok(tr.some((s) => s.startsWith("idle loop: nk_yield sees the run queue")), `${machine}: CPU 1's idle loop never found the child`);
    const cv = steps(run(machine, condvar, {}, { trials: 3, record: true, remoteCpus: 2 }));
    assert.not.ok(cv.some((s) => /IPI|kick/.test(s)), `${machine} condvar`);
    // The waiter blocks on CPU 0, which has no idle thread: it spins in nk_schedule with IRQs off.
    assert.ok(cv.some((s) => s.startsWith("nk_schedule loop (IRQs off) sees the run queue")), `${machine}: CPU 0 did not spin in nk_schedule`);
  }
});

test("USE_IDLE_THREADS on: CPU 0 polls through an idle thread instead of spinning in nk_schedule", () => {
  const cv = steps(run("x64", condvar, { "config.useIdleThreads": 1 }, { trials: 3, record: true, remoteCpus: 1 }));
  assert.not.ok(cv.some((s) => s.startsWith("nk_schedule loop")));
  assert.ok(cv.some((s) => s.startsWith("idle loop: nk_yield sees")));
});

test("kicks on, x64: the poll finds the child before the kick arrives in most trials, so the kick is spurious", () => {
  const trials = 40;
  const h = run("x64", threadRun, { "config.kicks": 1 }, { trials, record: true });
  const s = steps(h);
  const polls = s.filter((x) => x.startsWith("idle loop: nk_yield sees")).length;
  const kicks = s.filter((x) => x === "IRQ entry (kick 0xfc)").length;
  assert.ok(kicks >= trials, `${kicks} kicks taken in ${trials} trials`); // every kick is still delivered
  // a 150-cycle poll beats ICR write + line + APIC acceptance (~900 cycles) nearly always
  assert.ok(polls >= 0.9 * trials, `the poll found the child in only ${polls} of ${trials} trials`);
});

test("the poll phase is the jitter: with a long idle delay, thread-run's IQR ≈ half the poll period and its median grows by ≈ half the added period", () => {
  const trials = 200;
  const base = cycles(run("x64", threadRun, {}, { trials }));
  const delay = 20_000; // idle_delay(20000): period ≈ 40 + 20000 × 1.5 cycles
  const long = cycles(run("x64", threadRun, { "config.idleDelay": delay }, { trials }));
  const period = 40 + delay * 1.5, added = (delay - 100) * 1.5;
  const rise = quantile(long, 0.5)! - quantile(base, 0.5)!;
  assert.ok(Math.abs(rise - added / 2) < 0.15 * added / 2, `median rose by ${rise}, expected ≈ ${added / 2}`);
  const iqr = quantile(long, 0.75)! - quantile(long, 0.25)!;
  assert.ok(Math.abs(iqr - period / 2) < 0.2 * period / 2, `IQR ${iqr}, expected ≈ ${period / 2} (uniform phase)`);
});

test("HALT_WHILE_IDLE without kicks: a halted CPU 1 takes the child at its next tick, so each trial waits a tick period minus the harness's 100 µs delay", () => {
  // Trial i's child starts at CPU 1's tick T; the creator sees it, DELAY(100 µs)s, joins (the
  // child has exited) and creates the next child at ≈ T + 100 µs, which waits for T + period.
  const h = run("x64", threadRun, { "config.haltWhileIdle": 1 }, { trials: 20, seed: "halt" });
  const period = Math.round(2.1e9 / 100), delay = 100 * 2100;
  const med = quantile(cycles(h), 0.5)!;
  assert.ok(Math.abs(med - (period - delay)) < 20_000, `median ${med}, expected ≈ ${period - delay}`);
  // with kicks the kick IPI wakes it: back to microseconds
  const k = run("x64", threadRun, { "config.haltWhileIdle": 1, "config.kicks": 1 }, { trials: 20, seed: "halt" });
  assert.ok(quantile(cycles(k), 0.5)! < 10_000, `kicked median ${quantile(cycles(k), 0.5)}`);
});

test("the microbench kicks option still overrides config.kicks (the kick is sent, and taken)", () => {
  const h = new Harness({ machine: "x64", kernel: "nautilus", kicks: true, trials: 2, remoteCpus: 1 }, "k", true);
  condvar(h);
  h.sim.run();
  assert.ok(steps(h).includes("IRQ entry (kick 0xfc)"), "no kick taken");
});

test("small paper-era details: the thread struct is zeroed, the creator is not fxsaved, NK_LOCK takes no IRQ save, an IRQ-return switch saves no registers twice", () => {
  const create = steps(run("x64", threadCreate, {}, { trials: 2, record: true }));
  assert.ok(create.some((x) => x.startsWith("memset thread struct")));
  assert.not.ok(create.some((x) => /fxsave creator/.test(x)));
  const h = run("x64", condvar, {}, { trials: 2, record: true, remoteCpus: 1 });
  const rec = h.machine.recorder!.steps;
  const cvLocks = rec.filter((x) => /^(re)?lock cv /.test(x.step));
  assert.ok(cvLocks.length > 0);
  for (const l of cvLocks) assert.not.ok(l.prev >= 0 && rec[l.prev]!.step.startsWith("irq_disable_save"), "NK_LOCK saved IRQs");
  // halted CPU 1 woken by the kick: the switch at IRQ return enters at nk_thread_switch_intr_entry
  const k = run("x64", threadRun, { "config.haltWhileIdle": 1, "config.kicks": 1 }, { trials: 5, record: true });
  const onCpu1 = k.machine.recorder!.steps.filter((x) => x.cpu === 1).map((x) => x.step);
  const pushes = onCpu1.filter((x) => x.startsWith("switch: push frame")).length, fxsaves = onCpu1.filter((x) => x === "fxsave").length;
  assert.ok(pushes < fxsaves, `${pushes} register pushes for ${fxsaves} switches on cpu1`);
});

test.run();
