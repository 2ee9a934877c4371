/**
 * Linux fork placement (linux/fork-balance.ts, 3.10's select_task_rq_fair for SD_BALANCE_FORK)
 * and the mask a child inherits. The model before wave 4 put every child on the first idle CPU
 * of its parent's module, whatever the parent's mask: these tests fail on it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Cpu } from "../src/models/hardware/cpu.js";
import { Machine } from "../src/models/hardware/machine.js";
import { PeriodicNoise } from "../src/models/hardware/noise.js";
import { machineProfile, type Topology } from "../src/models/hardware/profile.js";
import type { Thread } from "../src/models/kernel/objects.js";
import { findIdlestCpu, forkDomains, type CpuView } from "../src/models/linux/fork-balance.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";

const x64 = machineProfile("x64").topology as Extract<Topology, { kind: "numa-modules" }>;
const levels = forkDomains(x64, 64);
const socketOf = (cpu: number) => Math.floor(cpu / (x64.cpusPerModule * x64.modulesPerDie * x64.diesPerSocket));
const C6 = 10_000, C1 = 100;
/** CPUs in `busy` run one task; the others idle in C6 since time 0. */
const only = (busy: ReadonlySet<number>): CpuView => ({ load: (cpu) => (busy.has(cpu) ? 1 : 0), idle: () => ({ exitLatency: C6, idleSince: 0 }) });

test("x64 domains: machine → sockets → dies → modules (SMT margin) → CPUs", () => {
  assert.equal(levels.map((l) => [l.span, l.group, l.imbalance]), [[64, 16, 112], [16, 8, 112], [8, 2, 112], [2, 1, 105]]);
});

test("on an idle machine a child leaves its parent's socket, die and module (the all-zero comparison never keeps the local group)", () => {
  for (const parent of [0, 5, 17, 40, 63]) {
    const c = findIdlestCpu(levels, parent, only(new Set([parent])));
    assert.is.not(socketOf(c), socketOf(parent), `parent ${parent} → ${c}`);
    assert.is.not(c, parent);
  }
});

test("the all-zero comparison moves the child at every level below the top, not only to the idlest socket", () => {
  // Parent 0 busy, all else idle. Top: socket 1 is the first idlest group, its first idle CPU is 16.
  // Below, every group is at load 0 and 100·0 < imbalance·0 is false, so each level moves on:
  // die {16..23} → die {24..31} (CPU 24), module {24,25} → {26,27} (CPU 26), sibling 26 → 27.
  assert.is(findIdlestCpu(levels, 0, only(new Set([0]))), 27);
});

test("a busy CPU is never chosen while its group has an idle one; a loaded socket is avoided", () => {
  const busy = new Set([0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]); // socket 1 full
  const c = findIdlestCpu(levels, 0, only(busy));
  assert.not.ok(busy.has(c));
  assert.is.not(socketOf(c), 1);
});

test("the local group is kept when every other group is at least as loaded (within the margin)", () => {
  const all: CpuView = { load: () => 1, idle: () => ({ exitLatency: 0, idleSince: 0 }) }; // no group is idler than the parent's
  assert.is(findIdlestCpu(levels, 9, all), 9);
  // within a module of two busy siblings: 100·1 < 105·1 keeps the local CPU (the margin at work)
  assert.is(findIdlestCpu([levels[3]!], 9, only(new Set([9, 8]))), 9);
});

test("among idle CPUs the shallowest state wins, then the most recently idled (find_idlest_cpu since 3.19)", () => {
  const die = [levels[2]!]; // CPUs 0–7 in modules of 2; parent on CPU 0 (busy)
  const view = (shallow: number, latest: number): CpuView => ({
    load: (cpu) => (cpu === 0 ? 1 : 0),
    idle: (cpu) => ({ exitLatency: cpu === shallow ? C1 : C6, idleSince: cpu === latest ? 500 : 0 }),
  });
  // the idlest group is module 1 (CPUs 2, 3), the first other group with zero load
  assert.is(findIdlestCpu(die, 0, view(3, -1)), 3); // C1 beats C6
  assert.is(findIdlestCpu(die, 0, view(-1, 3)), 3); // same state: the latest idled
  assert.is(findIdlestCpu(die, 0, view(-1, -1)), 2); // all equal: the first
  assert.is(findIdlestCpu(die, 0, view(2, 3)), 2); // the shallow state before the recent stamp
});

test("a CPU running a kernel thread shows it as the activity in progress", () => {
  const sim = new Simulation({ seed: 1 });
  const kthread = new PeriodicNoise("kernel thread", 1_000_000, 100, 1, () => 50, false);
  const cpu = new Cpu(0, sim, sim.streams.get("c"), [kthread], null);
  const seen: (string | null)[] = [];
  for (const t of [50, 120, 200]) sim.schedule(t, () => { seen.push(cpu.activityNow()); });
  sim.run();
  assert.equal(seen, [null, "kernel thread", null]);
});

function placedChild(parentPinned: boolean): { parent: number; child: number } {
  const machine = new Machine({ sim: new Simulation({ seed: 7 }), machine: "x64", streamPrefix: "linux" });
  const k = new LinuxKernel(machine, { noise: false });
  const parent = k.boot({ name: "main", cpu: 3, pinned: parentPinned, body: function* () {} }) as Thread;
  const place = (k as unknown as { placeNewTask(t: Thread): number }).placeNewTask.bind(k);
  return { parent: parent.cpu, child: place(parent) };
}

test("a pinned parent's child inherits its mask and is queued on the parent's CPU; an unpinned one's is balanced away", () => {
  assert.equal(placedChild(true), { parent: 3, child: 3 });
  const free = placedChild(false);
  assert.is.not(socketOf(free.child), socketOf(free.parent));
});

test.run();
