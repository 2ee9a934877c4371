/**
 * The Phi's Linux is 2.6.38 (MPSS 3.x uOS, linux/era.ts): sched_setaffinity moves a queued task
 * through the migration stopper with the caller asleep (2.6.38 migrate_task: on_rq || running),
 * fork placement's find_idlest_cpu takes the least loaded CPU (no idle-state preference), and the
 * reschedule IPI's handler only acks (no scheduler_ipi before 3.0). The model before this change
 * followed 3.19 on the Phi too (move_queued_task, shallowest idle state, scheduler_ipi): each
 * test below fails on it. The x64 keeps the 3.19 paths. MPSS also boots the card with highres=off:
 * a sleep ends on a tick.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation, distribution, type DistributionSpec } from "../src/engine/index.js";
import { machineProfile, type Topology } from "../src/models/hardware/profile.js";
import { createKernel } from "../src/models/kernel/registry.js";
import type { Gen, Kernel, ThreadRef } from "../src/models/kernel/types.js";
import { leastLoadedCpu, linuxEra } from "../src/models/linux/era.js";
import { findIdlestCpu, forkDomains, shallowestIdleCpu, type CpuView } from "../src/models/linux/fork-balance.js";
import { linuxData } from "../src/models/linux/kernel.js";
import { linuxSetting } from "../src/models/linux/era.js";
import { CostTable } from "../src/models/hardware/params.js";

const phi = machineProfile("phi").topology as Extract<Topology, { kind: "ring" }>;
const levels = forkDomains(phi, 228);

test("the data files: the Phi runs the 2.6.38 paths, the x64 the 3.19 ones", () => {
  const costs = (m: "x64" | "phi") => new CostTable(m, [{ file: linuxData(m), label: m }], 1, 1);
  assert.is(linuxEra(linuxSetting(costs("phi"), "config.linux2638")).kernel, "2.6.38");
  // The x64 file leaves the option out (its parameter data stays as the stored analyses hashed it): the 3.x default.
  assert.is(linuxData("x64").parameters["config.linux2638"], undefined);
  assert.is(linuxEra(linuxSetting(costs("x64"), "config.linux2638")).kernel, "3.19–4.4");
  assert.is(linuxSetting(costs("x64"), "config.highres"), 1);
  assert.is(linuxSetting(costs("phi"), "config.highres"), 0);
});

test("2.6.38 find_idlest_cpu: the first least-loaded CPU of the group, whatever idle state the others sit in", () => {
  // Parent on CPU 0 (busy); core 1 (CPUs 4–7) idle, CPU 4 in a deep state since 0, CPU 6 shallow and idled last.
  const view: CpuView = {
    load: (cpu) => (cpu === 0 ? 1 : 0),
    idle: (cpu) => ({ exitLatency: cpu === 6 ? 100 : 10_000, idleSince: cpu === 6 ? 900 : 0 }),
  };
  // Top level: core 1 is the first idlest group. 2.6.38 takes CPU 4 there, then the SMT level's
  // all-zero comparison moves on to sibling 5; 3.19 takes CPU 6 (shallowest), then sibling 7.
  assert.is(findIdlestCpu(levels, 0, view, leastLoadedCpu), 5);
  assert.is(findIdlestCpu(levels, 0, view, shallowestIdleCpu), 7);
  assert.is(leastLoadedCpu(4, 8, { load: (c) => (c === 4 ? 2 : c === 5 ? 1 : c === 6 ? 1 : 3), idle: () => ({ exitLatency: 0, idleSince: 0 }) }), 5);
});

interface Trace {
  /** CPU the child was placed on by fork balancing (wake_up_new_task). */
  placed: number;
  /** Thread names dispatched per CPU (null: the CPU went idle). */
  dispatches: Map<number, (string | null)[]>;
  steps: string[];
  ranOn: number;
}

/** Unpinned main on CPU 0 creates `child` with NULL attributes and binds it to CPU 9; `early` runs first (e.g. to make a CPU idle later). */
function createAndBind(linux2638: 0 | 1, early?: (k: Kernel, self: ThreadRef) => Gen<void>): Trace {
  const sim = new Simulation({ seed: "era" });
  const k = createKernel({ sim, machine: "phi", kernel: "linux", record: true, options: { noise: false }, overrides: { "linux.config.linux2638": linux2638 } });
  const dispatches = new Map<number, (string | null)[]>();
  (k as unknown as { onDispatch: (cpu: number, t: { name: string } | null) => void }).onDispatch = (cpu, t) => {
    const list = dispatches.get(cpu) ?? [];
    list.push(t === null ? null : t.name);
    dispatches.set(cpu, list);
  };
  let ranOn = -1;
  k.boot({ name: "main", cpu: 0, pinned: false, body: function* (self) {
    if (early) yield* early(k, self);
    const c = yield* k.threadCreate(self, { name: "child", cpu: 9, affinity: "after", body: function* (me) { ranOn = me.cpu; } });
    yield* k.threadJoin(self, c);
  } });
  assert.is(sim.run().reason, "empty");
  const steps = k.machine.recorder!.steps.map((s) => s.step);
  const placed = Number(/→ cpu(\d+)$/.exec(steps.findLast((s) => s.startsWith("wake_up_new_task"))!)![1]); // the child's (the last fork)
  return { placed, dispatches, steps, ranOn };
}

test("2.6.38 sched_setaffinity of a queued child: the stopper on its CPU runs before it, the caller sleeps until complete(); 3.19 moves it itself", () => {
  const v2638 = createAndBind(1);
  const p = v2638.placed;
  assert.is.not(p, 9);
  const onPlaced = v2638.dispatches.get(p) ?? [];
  assert.ok(onPlaced.includes(`migration/${p}`), `no stopper ran on cpu${p}: ${onPlaced.join(", ")}`);
  assert.not.ok(onPlaced.includes("child"), "the child ran on the CPU fork balancing chose, before the stopper moved it");
  assert.ok(v2638.steps.some((s) => s.startsWith("migration stopper: migration_cpu_stop")));
  assert.not.ok(v2638.steps.some((s) => s.startsWith("move_queued_task")));
  // the caller slept in wait_for_completion: CPU 0 went idle and main was dispatched again
  const on0 = v2638.dispatches.get(0) ?? [];
  assert.ok(on0.indexOf(null) >= 0 && on0.lastIndexOf("main") > on0.indexOf(null), `cpu0: ${on0.join(", ")}`);
  assert.is(v2638.ranOn, 9);

  const v319 = createAndBind(0);
  assert.ok(v319.steps.some((s) => s.startsWith(`move_queued_task cpu${v319.placed}→cpu9`)));
  assert.not.ok([...v319.dispatches.values()].some((l) => l.some((n) => n?.startsWith("migration/"))));
  assert.is(v319.ranOn, 9);
});

test("fork placement in the kernel: 2.6.38 ignores which idle CPU idled last; 3.19 prefers it", () => {
  // A thread on CPU 6 runs a while and exits, so CPU 6 has idled most recently when main forks.
  const warm = function* (k: Kernel, self: ThreadRef): Gen<void> {
    const t = yield* k.threadCreate(self, { name: "warm", cpu: 6, body: function* (me) { yield* k.compute(me, "work", 2_000_000); } });
    yield* k.threadJoin(self, t);
    yield* k.compute(self, "after", 1_000_000);
  };
  const placedBy = (flag: 0 | 1) => {
    const t = createAndBind(flag, warm);
    return t.placed;
  };
  assert.is(placedBy(1), 5);
  assert.is(placedBy(0), 7);
});

test("2.6.38's reschedule IPI handler only acks and counts (smp_reschedule_interrupt); 3.19 runs scheduler_ipi", () => {
  const v2638 = createAndBind(1), v319 = createAndBind(0);
  assert.ok(v2638.steps.some((s) => s.startsWith("smp_reschedule_interrupt")));
  assert.not.ok(v2638.steps.includes("scheduler_ipi"));
  assert.ok(v319.steps.includes("scheduler_ipi"));
  // The Phi file's own entry (the x64 has no such path), counted as path-counts.json counts: 15 instructions
  // × the KNC's event.instruction, no misses — checked against the hardware file, so a change to either is caught.
  const mean = distribution(linuxData("phi").parameters["sched.reschedAck"]!.value as DistributionSpec, "reschedAck").mean;
  const perInstruction = machineProfile("phi").parameters["event.instruction"]!.value as number;
  assert.ok(Math.abs(mean - 15 * perInstruction) < 1e-2, `mean ${mean} vs 15 × ${perInstruction}`);
});

/** Cycles from main's usleep(100) call to its return on the Phi, and when it returned. */
/** The Phi's clock (cycles per µs) and the Linux file's timer slack (µs), read from the data files. */
const PHI_CYCLES_PER_US = Math.round(machineProfile("phi").clockGHz.value * 1e3);
const SLACK_US = distribution(linuxData("phi").parameters["nanosleep.timerSlack"]!.value as DistributionSpec, "timerSlack").mean;

function sleep100(highres: 0 | 1, before = 123_456): { start: number; woke: number } {
  const sim = new Simulation({ seed: "tick" });
  const k = createKernel({ sim, machine: "phi", kernel: "linux", options: { noise: false }, overrides: { "linux.config.highres": highres } });
  let start = 0, woke = 0;
  k.boot({ name: "main", cpu: 3, body: function* (self) {
    yield* k.compute(self, "before", before);
    start = sim.now;
    yield* k.sleep(self, 100 * PHI_CYCLES_PER_US); // 100 µs
    woke = sim.now;
  } });
  sim.run();
  return { start, woke };
}

test("highres=off (the MPSS command line): a usleep ends on the first tick at or after its expiry, ticks one jiffy apart; with high-resolution timers at the expiry", () => {
  const tick = (PHI_CYCLES_PER_US * 1e6) / (linuxData("phi").parameters["config.hz"]!.value as number); // cycles per jiffy
  const expiry = 100 * PHI_CYCLES_PER_US + SLACK_US * PHI_CYCLES_PER_US;
  const margin = 100_000; // the wake-up path's own cycles (IPI, idle exit, switch), far below a jiffy
  const on = sleep100(1);
  assert.ok(on.woke >= on.start + expiry && on.woke < on.start + expiry + margin, `woke at ${on.woke}, expiry ${on.start + expiry}`);
  // Sleeps started at different points of the jiffy all end on the same grid: a tick, plus the wake-up path.
  const offs = [0.1, 0.45, 0.8, 1.3, 2.05].map((f) => sleep100(0, Math.round(f * tick)));
  for (const off of offs) assert.ok(off.woke >= off.start + expiry && off.woke < off.start + expiry + tick + margin, `woke at ${off.woke}, expiry ${off.start + expiry}`);
  const phase = (w: number) => ((w - offs[0]!.woke) % tick + tick) % tick;
  for (const off of offs) assert.ok(phase(off.woke) < margin || phase(off.woke) > tick - margin, `woke ${phase(off.woke)} cycles off the first sleep's tick grid`);
  assert.ok(new Set(offs.map((o) => Math.floor((o.woke - offs[0]!.woke + margin) / tick))).size > 1, "the sleeps span more than one jiffy");
});

test.run();
