/**
 * Linux barrier rounds both ways (test/linux-barrier-rounds.test.ts and its property test):
 * `computeBarrierRounds` (callbacks, futex-rounds.ts) or `compute` + `barrierWait` in the
 * thread's process, with what must match between them.
 */
import * as assert from "uvu/assert";
import { distribution, Simulation } from "../../src/engine/index.js";
import { Machine } from "../../src/models/hardware/machine.js";
import type { BarrierRef, Gen, ThreadRef } from "../../src/models/kernel/types.js";
import { LinuxKernel } from "../../src/models/linux/kernel.js";

export interface Setup {
  readonly machine: "x64" | "phi";
  readonly threads: number;
  readonly rounds: number;
  readonly seed: string;
  /** Equal work: everyone arrives together and most sleep on the barrier's lock first. */
  readonly equalWork?: boolean;
  /** Mean (or, with equalWork, exact) cycles of a round's work; default 40,000 (50,000 equal). */
  readonly work?: number;
  /** Start a short thread on `cpu` (a worker's) after `after` cycles: it preempts that worker. */
  readonly intruder?: { readonly cpu: number; readonly after: number };
  readonly deepIdle?: boolean;
}

export interface Outcome {
  /** Leave time per (round, thread). */
  readonly leaves: number[];
  /** Thread indices in the order they left. */
  readonly order: number[];
  /** A draw from each CPU's stream after the run: equal iff the streams were used alike. */
  readonly streams: number[];
  readonly events: number;
  readonly intruderRan: number;
}

export function runRounds(s: Setup, callbacks: boolean, plant?: (k: LinuxKernel) => void): Outcome {
  const m = new Machine({ sim: new Simulation({ seed: s.seed }), machine: s.machine, streamPrefix: "linux" });
  const k = new LinuxKernel(m, s.deepIdle === undefined ? {} : { deepIdle: s.deepIdle });
  plant?.(k);
  const work = s.equalWork === true ? null : distribution({ dist: "exponential", mean: s.work ?? 40_000 }, "work");
  const b: BarrierRef = k.newBarrier("rounds", s.threads);
  const leaves = new Array<number>(s.rounds * s.threads).fill(-1);
  const order: number[] = [];
  let intruderRan = -1;
  k.onDispatch = (_cpu, t) => { if (t?.name === "intruder" && intruderRan < 0) intruderRan = k.sim.now; };
  const body = (i: number) => function* (me: ThreadRef): Gen<void> {
    const rng = k.sim.streams.get(`work/${i}`);
    const draw = () => (work === null ? s.work ?? 50_000 : Math.round(work.sample(rng)));
    const left = (r: number) => {
      leaves[(r - 1) * s.threads + i] = k.sim.now;
      order.push(i);
    };
    if (callbacks) {
      yield* k.computeBarrierRounds(me, { count: s.rounds, name: "work", work: draw, barrier: () => b, left });
      return;
    }
    for (let r = 1; r <= s.rounds; r++) {
      yield* k.compute(me, "work", draw());
      yield* k.barrierWait(me, b);
      left(r);
    }
  };
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const kids = [];
    for (let i = 0; i < s.threads; i++) kids.push(yield* k.threadCreate(self, { name: `t${i}`, cpu: i + 1, body: body(i) }));
    if (s.intruder !== undefined) {
      yield* k.delay(self, s.intruder.after);
      kids.push(yield* k.threadCreate(self, { name: "intruder", cpu: s.intruder.cpu, body: function* (me) { yield* k.compute(me, "intrude", 100_000); } }));
    }
    for (const t of kids) yield* k.threadJoin(self, t);
  } });
  const report = k.sim.run();
  assert.is(report.reason, "empty");
  assert.not.ok(leaves.includes(-1), "every thread left every round");
  const streams = Array.from({ length: m.cpuCount }, (_, c) => m.cpu(c).rng.uniform());
  return { leaves, order, streams, events: report.events, intruderRan };
}

/** The two paths' outcomes agree on everything but the event count. */
export function assertSameRun(a: Outcome, b: Outcome): void {
  assert.equal(a.leaves, b.leaves);
  assert.equal(a.order, b.order);
  assert.equal(a.streams, b.streams);
}
