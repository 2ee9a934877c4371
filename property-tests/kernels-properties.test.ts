/**
 * Kernel properties on random workloads and seeds, for both kernels and both machines: one
 * thread per CPU at a time, every created thread runs exactly once, signal wakes at most one
 * waiter and broadcast all present ones, no wake-up is lost except through Nautilus's modeled
 * race, costs scale exactly, seeds fix runs, and Nautilus's spread stays below Linux's.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import type { BaseKernel } from "../src/models/kernel/base.js";
import type { Thread } from "../src/models/kernel/objects.js";
import type { Gen, ThreadRef } from "../src/models/kernel/types.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { microbenchModel } from "../src/models/microbench/plugin.js";
import { NautilusKernel } from "../src/models/nautilus/kernel.js";
import type { NautilusCondVar } from "../src/models/nautilus/condvar.js";
import { bootCondVarWaiters } from "../test/support/condvar-waiters.js";
import { fcParams } from "./config.js";

type KernelName = "nautilus" | "linux";
type MachineName = "x64" | "phi";

/** Linux with deep idle states on or off (the default is the data file's; both must hold). */
function boot(kernel: KernelName, machine: MachineName, seed: string, deepIdle?: boolean): BaseKernel {
  const m = new Machine({ sim: new Simulation({ seed }), machine, streamPrefix: kernel });
  return kernel === "nautilus" ? new NautilusKernel(m) : new LinuxKernel(m, deepIdle === undefined ? {} : { deepIdle });
}

const kernelArb = fc.constantFrom<KernelName>("nautilus", "linux");
const machineArb = fc.constantFrom<MachineName>("x64", "phi");
const OPS = ["yield", "mutex", "spin", "child", "delay", "flag"] as const;

test("random workloads: one thread per CPU at a time; every created thread runs exactly once", () => {
  fc.assert(
    fc.property(
      kernelArb, machineArb, fc.string({ maxLength: 5 }),
      fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 6 }), ops: fc.array(fc.constantFrom(...OPS), { maxLength: 8 }) }), { minLength: 1, maxLength: 6 }),
      (kernel, machine, seed, programs) => {
        const k = boot(kernel, machine, seed);
        const running = new Map<number, Thread | null>();
        const where = new Map<Thread, number>();
        k.onDispatch = (cpu, t) => {
          const prev = running.get(cpu);
          if (prev) where.delete(prev);
          if (t !== null) {
            const other = where.get(t);
            assert.ok(other === undefined || other === cpu, `${t.name} dispatched on cpu${cpu} while current on cpu${other}`);
            where.set(t, cpu);
          }
          running.set(cpu, t);
        };
        const m = k.newMutex("m");
        const l = k.newSpinLock("l");
        const f = k.newFlag("f");
        const body = (ops: readonly (typeof OPS)[number][]) => function* (me: ThreadRef): Gen<void> {
          for (const op of ops) {
            if (op === "yield") yield* k.yield(me);
            else if (op === "mutex") { yield* k.mutexLock(me, m); yield* k.delay(me, 500); yield* k.mutexUnlock(me, m); }
            else if (op === "spin") { yield* k.spinLock(me, l); yield* k.spinUnlock(me, l); }
            else if (op === "child") { const c = yield* k.threadCreate(me, { name: `${me.name}.c`, cpu: me.cpu, body: function* () { /* exits */ } }); yield* k.threadJoin(me, c); }
            else if (op === "delay") yield* k.delay(me, 2000);
            else { yield* k.write(me, f, f.value + 1); yield* k.spinUntil(me, f, () => true); }
          }
        };
        k.boot({ name: "main", cpu: 0, body: function* (self) {
          const ts: ThreadRef[] = [];
          for (const [i, p] of programs.entries()) ts.push(yield* k.threadCreate(self, { name: `t${i}`, cpu: p.cpu, body: body(p.ops) }));
          for (const t of ts) yield* k.threadJoin(self, t);
        } });
        const report = k.sim.run({ maxEvents: 2_000_000 });
        assert.is(report.reason, "empty");
        for (const t of k.threads) {
          assert.is(t.starts, 1, `${t.name} started ${t.starts} times`);
          assert.is(t.state, "exited");
        }
      },
    ),
    fcParams(25),
  );
});

/** n waiters on CPUs 1..n wait; after they all wait, CPU 0 signals `signals` times or broadcasts. */
function wakeCount(kernel: KernelName, machine: MachineName, seed: string, n: number, action: "signal" | "broadcast", signals: number, deepIdle: boolean): number {
  const k = boot(kernel, machine, seed, deepIdle);
  const waiters = bootCondVarWaiters(k, n, function* (self, cv) {
    yield* k.delay(self, 5_000_000); // every waiter is asleep long before this ends
    if (action === "broadcast") yield* k.condBroadcast(self, cv);
    else for (let s = 0; s < signals; s++) { yield* k.condSignal(self, cv); yield* k.delay(self, 1_000_000); }
    yield* k.delay(self, 20_000_000);
  });
  k.sim.run({ maxEvents: 5_000_000 }); // waiters never signalled stay blocked: a deadlock report, by design
  return waiters.woken();
}

test("signal wakes at most one waiter (exactly one when some wait); broadcast wakes all present", () => {
  fc.assert(
    fc.property(kernelArb, machineArb, fc.string({ maxLength: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), (kernel, machine, seed, n, signals, deep) => {
      assert.is(wakeCount(kernel, machine, seed, n, "signal", signals, deep), Math.min(n, signals));
      assert.is(wakeCount(kernel, machine, seed, n, "broadcast", 1, deep), n);
    }),
    fcParams(20),
  );
});

/** One waiter on CPU 0, one signal from CPU 1 after `lag`: did the signal count the waiter in, did it wake, was it lost (Nautilus)? */
function signalAfter(kernel: KernelName, machine: MachineName, seed: string, lag: number, deep: boolean): { registered: number; woke: boolean; lost: boolean } {
  const k = boot(kernel, machine, seed, deep);
  const cv = k.newCondVar("cv");
  const m = k.newMutex("m");
  let woke = false;
  k.boot({ name: "waiter", cpu: 0, body: function* (self) {
    yield* k.threadCreate(self, { name: "signaller", cpu: 1, body: function* (me) { yield* k.delay(me, lag); yield* k.condSignal(me, cv); } });
    yield* k.mutexLock(self, m);
    yield* k.condWait(self, cv, m);
    woke = true;
    yield* k.mutexUnlock(self, m);
  } });
  k.sim.run({ maxEvents: 1_000_000 });
  const registered = (cv as unknown as { wakeupSeq: number }).wakeupSeq; // 1 iff the signal found the waiter counted in
  return { registered, woke, lost: kernel === "nautilus" && (cv as NautilusCondVar).lostWakeups === 1 };
}

test("a signal long after the waiter went to sleep counts it in and wakes it, on every kernel and machine", () => {
  // The property below skips runs whose signal found no waiter; this fixes one that must not be skipped.
  for (const kernel of ["nautilus", "linux"] as const) {
    for (const machine of ["x64", "phi"] as const) {
      const r = signalAfter(kernel, machine, "s", 1_000_000, false);
      assert.equal(r, { registered: 1, woke: true, lost: false }, `${kernel} on ${machine}`);
    }
  }
});

test("no wake-up is lost, except a Nautilus signal in the waiter's unlock-to-sleep window", () => {
  const checked = new Map<KernelName, number>();
  fc.assert(
    fc.property(kernelArb, machineArb, fc.string({ maxLength: 5 }), fc.integer({ min: 0, max: 8000 }), fc.boolean(), (kernel, machine, seed, lag, deep) => {
      const { registered, woke, lost } = signalAfter(kernel, machine, seed, lag, deep);
      if (registered === 0) return; // signalled before the waiter started waiting: nothing to wake
      checked.set(kernel, (checked.get(kernel) ?? 0) + 1);
      if (kernel === "linux") assert.ok(woke, `linux lost a wake-up (lag ${lag})`);
      else assert.ok(woke !== lost, `nautilus: woke=${woke}, lost=${lost}`);
    }),
    fcParams(60),
  );
  // A run whose signal counted no waiter in checks nothing: each kernel must have had checked runs.
  for (const kernel of ["nautilus", "linux"] as const) assert.ok((checked.get(kernel) ?? 0) >= 1, `${kernel}: no run had a signal that found the waiter`);
});

test("Nautilus: every waiter a signal or broadcast counts in wakes, or is counted lost to the race", () => {
  const runs = new Map<string, number>();
  fc.assert(
    fc.property(
      machineArb, fc.string({ maxLength: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 100_000 }),
      fc.constantFrom("signal" as const, "broadcast" as const),
      (machine, seed, n, hold, lag, op) => {
        const k = boot("nautilus", machine, seed);
        const cv = k.newCondVar("cv") as NautilusCondVar;
        const m = k.newMutex("m");
        let woken = 0;
        k.boot({ name: "main", cpu: 0, body: function* (self) {
          // A thread holding the wait-queue lock keeps arriving waiters in their window (cv lock
          // dropped, not yet queued): the waker then races them for the queue.
          yield* k.threadCreate(self, { name: "holder", cpu: 1, body: function* (me) {
            yield* k.spinLock(me, cv.waitQueueLock);
            yield* k.delay(me, hold);
            yield* k.spinUnlock(me, cv.waitQueueLock);
          } });
          for (let i = 0; i < n; i++) {
            yield* k.threadCreate(self, { name: `w${i}`, cpu: 2 + i, body: function* (me) {
              yield* k.mutexLock(me, m);
              yield* k.condWait(me, cv, m);
              woken++;
              yield* k.mutexUnlock(me, m);
            } });
          }
          yield* k.delay(self, lag);
          yield* (op === "signal" ? k.condSignal(self, cv) : k.condBroadcast(self, cv));
        } });
        k.sim.run({ maxEvents: 5_000_000 }); // a lost waiter stays blocked: a deadlock report, by design
        assert.is(woken + cv.lostWakeups, cv.wakeupSeq, `${op}: woken ${woken} + lost ${cv.lostWakeups} vs counted in ${cv.wakeupSeq}`);
        assert.is(k.lostWakeups, cv.lostWakeups, "the kernel's count (deadlock notes use it) is its condvars' sum");
        const key = `${op} ${cv.lostWakeups > 0 ? "lost" : "all woken"}`;
        runs.set(key, (runs.get(key) ?? 0) + 1);
      },
    ),
    fcParams(60),
  );
  // Both outcomes of both wake-ups must have been reached, or the check above proved little.
  for (const key of ["signal lost", "signal all woken", "broadcast lost", "broadcast all woken"]) assert.ok((runs.get(key) ?? 0) >= 1, `no run with ${key}: ${JSON.stringify(Object.fromEntries(runs))}`);
});

const SMALL = { remoteCpus: 2, trials: 12, warmup: 2 };
/** ctx-switch's trials each include the harness's 10 ms of yield-polling before "go": fewer of them. */
const small = (experiment: string) => (experiment === "ctx-switch" ? { ...SMALL, trials: 3 } : SMALL);
const METAMORPHIC = ["thread-create", "thread-run", "ctx-switch", "condvar", "condvar-bcast", "spinlock", "ipi-oneway", "nemo-bcast", "sync-event", "threads-long"];

test("metamorphic: scaling every cost by k scales every latency by k (counts stay the same)", () => {
  fc.assert(
    fc.property(kernelArb, machineArb, fc.constantFrom(...METAMORPHIC), fc.integer({ min: 2, max: 4 }), fc.string({ maxLength: 5 }), (kernel, machine, experiment, scale, seed) => {
      const run = (costScale: number) => microbenchModel.run({ params: { machine, kernel, ...small(experiment), costScale }, experiment, seed, limits: {} }).observations;
      const base = run(1);
      const scaled = run(scale);
      assert.is(scaled.length, base.length);
      base.forEach((o, i) => {
        // Exact in cycles; values divided by the harness (ctx-switch: total ÷ 200) differ only by float rounding.
        // Counts (lateWaiters) depend only on the order of events, which scaling keeps.
        assert.is(scaled[i]!.metric, o.metric);
        const want = o.metric === "cycles" ? o.value * scale : o.value;
        assert.ok(Math.abs(scaled[i]!.value - want) <= 1e-9 * Math.abs(want), `${experiment} observation ${i}: ${scaled[i]!.value} ≠ ${want}`);
        assert.equal(scaled[i]!.labels, o.labels);
      });
    }),
    // Found by a random seed: the tick's indirect share was rounded in scaled cycles (1 cycle off in 852,535).
    { ...fcParams<[KernelName, MachineName, string, number, string]>(12), examples: [["linux", "x64", "ctx-switch", 2, "*C1"]] },
  );
});

test("a seed fixes the run: same inputs give the same fingerprint and observations", () => {
  fc.assert(
    fc.property(kernelArb, machineArb, fc.constantFrom(...METAMORPHIC), fc.string({ maxLength: 5 }), (kernel, machine, experiment, seed) => {
      const run = () => microbenchModel.run({ params: { machine, kernel, ...small(experiment) }, experiment, seed, limits: {} });
      const a = run();
      const b = run();
      assert.is(a.fingerprint, b.fingerprint);
      assert.equal(a.observations, b.observations);
    }),
    fcParams(10),
  );
});

function iqr(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const q = (p: number) => { const i = (s.length - 1) * p; const lo = Math.floor(i); return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo); };
  return q(0.75) - q(0.25);
}

// The kernel-mediated primitives. The spinlock and the shared flag are the same user-level
// instructions on both kernels, so no ordering of their spreads is expected.
const KERNEL_PRIMITIVES = ["thread-create", "thread-run", "thread-both", "ctx-switch", "condvar", "condvar-bcast", "threads-long"];

test("Nautilus's spread (IQR) is below Linux's on every kernel-mediated primitive, for random seeds — except a Phi launch, whose spread is its idle loop's poll phase", () => {
  fc.assert(
    fc.property(machineArb, fc.string({ maxLength: 5 }), (machine, seed) => {
      for (const experiment of KERNEL_PRIMITIVES) {
        const trials = experiment === "ctx-switch" ? 12 : 30; // its trials each yield-poll for 10 ms first
        const spread = (kernel: KernelName) => iqr(microbenchModel.run({ params: { machine, kernel, remoteCpus: 3, trials }, experiment, seed, limits: {} }).observations.filter((o) => o.metric === "cycles").map((o) => o.value));
        const n = spread("nautilus");
        if (machine === "phi" && experiment === "thread-run") {
          // idle() on the Phi: nk_yield + udelay(1) = the KNC delay instruction, 1100 cycles; the
          // enqueue lands at a uniform phase of that loop. The IQR of 30 uniform phases has mean
          // 0.47 and sd 0.086 periods (2e5 samples): [0.2, 0.75] periods is about ±3 sd. (±17.5%
          // of half a period, the bound before, failed ~5% of random seeds: "P{" gave 0.30.)
          const period = 1100 + 40 * 2.5;
          assert.ok(n > 0.2 * period && n < 0.75 * period, `phi thread-run: IQR ${n}, expected 0.2–0.75 × the poll period ${period}`);
          continue;
        }
        const l = spread("linux");
        assert.ok(n < l, `${machine} ${experiment}: IQR nautilus ${n} ≥ linux ${l}`);
      }
    }),
    { ...fcParams<[MachineName, string]>(4), examples: [["phi", "P{"]] },
  );
});

test.run();
