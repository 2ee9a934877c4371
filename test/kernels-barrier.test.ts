/**
 * The kernels' barriers follow their era's code: Nautilus b512503's nk_barrier_wait (notify set
 * once and never reset; the last arriver keeps the lock until the last leaver has counted back)
 * and glibc's pre-2.25 pthread_barrier_wait (re-arms itself); a spinlock release goes to one
 * spinner with odds ∝ 1 / its mean line transfer from the releaser (test-and-set).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { distanceClass } from "../src/models/hardware/profile.js";
import type { BaseKernel } from "../src/models/kernel/base.js";
import type { Barrier } from "../src/models/kernel/objects.js";
import type { BarrierRef } from "../src/models/kernel/types.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { NautilusKernel } from "../src/models/nautilus/kernel.js";

function boot(kernel: "nautilus" | "linux", seed: string): BaseKernel {
  const m = new Machine({ sim: new Simulation({ seed }), machine: "x64", streamPrefix: kernel });
  return kernel === "nautilus" ? new NautilusKernel(m) : new LinuxKernel(m);
}

const LATE = 5_000_000;

/**
 * Three threads (CPUs 1–3) pass `barrier(round)` twice; in round 2 the thread on CPU 3 first
 * computes LATE cycles. Returns each thread's arrival and exit times per round.
 */
function twoRounds(k: BaseKernel, barrier: (round: number) => BarrierRef) {
  const times: { cpu: number; round: number; arrive: number; leave: number }[] = [];
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const kids = [];
    for (const cpu of [1, 2, 3]) {
      kids.push(yield* k.threadCreate(self, { name: `t${cpu}`, cpu, body: function* (me) {
        for (const round of [1, 2]) {
          if (round === 2 && cpu === 3) yield* k.compute(me, "late", LATE);
          const arrive = k.sim.now;
          yield* k.barrierWait(me, barrier(round));
          times.push({ cpu, round, arrive, leave: k.sim.now });
        }
      } }));
    }
    for (const t of kids) yield* k.threadJoin(self, t);
  } });
  assert.is(k.sim.run().reason, "empty");
  const lateArrival = times.find((t) => t.round === 2 && t.cpu === 3)!.arrive;
  const early = times.filter((t) => t.round === 2 && t.cpu !== 3);
  return { times, lateArrival, early };
}

test("Nautilus: a reused nk_barrier_t does not wait the second time (notify is never reset)", () => {
  const k = boot("nautilus", "reuse");
  const b = k.newBarrier("b", 3);
  const { lateArrival, early } = twoRounds(k, () => b);
  assert.is(early.length, 2);
  for (const t of early) assert.ok(t.leave < lateArrival, `cpu${t.cpu} left round 2 at ${t.leave}, before the late arrival at ${lateArrival}`);
});

test("Nautilus: a fresh barrier per use synchronises; after it the count is restored, the lock free, notify still 1", () => {
  const k = boot("nautilus", "fresh");
  const bs = [k.newBarrier("b1", 3), k.newBarrier("b2", 3)] as Barrier[];
  const { lateArrival, early } = twoRounds(k, (round) => bs[round - 1]!);
  for (const t of early) assert.ok(t.leave > lateArrival, `cpu${t.cpu} left round 2 at ${t.leave}, not after the late arrival at ${lateArrival}`);
  for (const b of bs) {
    assert.is(b.remaining, 3, "the leavers counted back to init_count");
    assert.is(b.lock.holder, null, "the last leaver released the lock the last arriver kept");
    assert.is(b.notify.value, 1, "nothing resets notify");
  }
  assert.is(k.barrierReusable, false);
});

test("Linux: one pthread barrier re-arms and synchronises every round", () => {
  const k = boot("linux", "glibc");
  const b = k.newBarrier("b", 3);
  const { lateArrival, early } = twoRounds(k, () => b);
  for (const t of early) assert.ok(t.leave > lateArrival, `cpu${t.cpu} left round 2 at ${t.leave}, not after the late arrival at ${lateArrival}`);
  assert.is(k.barrierReusable, true);
});

test("Nautilus: the last arriver keeps the lock until the last leaver has counted back", () => {
  const k = boot("nautilus", "keep");
  const b = k.newBarrier("b", 2) as Barrier;
  const seen: { remaining: number; holder: string | null }[] = [];
  const look = () => seen.push({ remaining: b.remaining, holder: b.lock.holder?.name ?? null });
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const first = yield* k.threadCreate(self, { name: "first", cpu: 1, body: function* (me) {
      yield* k.barrierWait(me, b);
    } });
    yield* k.compute(self, "arrive last", 1_000_000);
    yield* k.barrierWait(self, b);
    look(); // main counted back at once; "first" sees notify a line transfer later
    yield* k.threadJoin(self, first);
    look();
  } });
  assert.is(k.sim.run().reason, "empty");
  assert.equal(seen, [{ remaining: 1, holder: "main" }, { remaining: 2, holder: null }]);
});

/** Which of the spinners on `cpus` takes a spinlock CPU 0 releases. */
function handOffWinner(seed: string, cpus: number[]): number {
  const k = boot("nautilus", seed);
  const lock = k.newSpinLock("l");
  let winner = -1;
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    yield* k.spinLock(self, lock);
    const kids = [];
    for (const cpu of cpus) {
      kids.push(yield* k.threadCreate(self, { name: `s${cpu}`, cpu, body: function* (me) {
        yield* k.spinLock(me, lock);
        if (winner < 0) winner = cpu;
        yield* k.spinUnlock(me, lock);
      } }));
    }
    yield* k.delay(self, 1_000_000); // every spinner is spinning by now
    yield* k.spinUnlock(self, lock);
    for (const t of kids) yield* k.threadJoin(self, t);
  } });
  assert.is(k.sim.run().reason, "empty");
  return winner;
}

test("spinlock hand-off: a spinner wins with odds ∝ 1 / its mean line transfer from the releaser", () => {
  const cpus = [1, 2, 8]; // x64 from CPU 0: same module, same die, other die of the socket
  const m = boot("nautilus", "odds").machine;
  const classes = cpus.map((c) => distanceClass(m.profile.topology, 0, c).cls);
  assert.equal(classes, ["sameModule", "sameDie", "sameSocket"]);
  const rates = classes.map((c) => 1 / m.costs.meanCycles(`cacheLine.${c}`));
  const total = rates.reduce((a, b) => a + b, 0);
  const n = 600;
  const wins = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const w = handOffWinner(`odds${i}`, cpus);
    wins.set(w, (wins.get(w) ?? 0) + 1);
  }
  cpus.forEach((cpu, i) => {
    const p = rates[i]! / total;
    const sd = Math.sqrt((p * (1 - p)) / n);
    const got = (wins.get(cpu) ?? 0) / n;
    assert.ok(Math.abs(got - p) < 4 * sd, `cpu${cpu}: won ${got.toFixed(3)} of hand-offs, expected ${p.toFixed(3)} ± ${(4 * sd).toFixed(3)}`);
  });
});

test.run();
