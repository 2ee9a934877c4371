/**
 * computeBarrierRounds runs Nautilus's nk_barrier_wait as callbacks (each action when its step
 * ends, the process resumed once per run of rounds). It must be the same simulation as
 * `compute` + `barrierWait` rounds in the thread's process: same leave times, fewer events —
 * with noise, random work, and a spinner preempted by a thread kicked onto its CPU. (Linux's
 * futex barrier rounds: linux-barrier-rounds.test.ts.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { distribution, Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import type { BaseKernel } from "../src/models/kernel/base.js";
import type { BarrierRef, Gen, ThreadRef } from "../src/models/kernel/types.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { NautilusKernel } from "../src/models/nautilus/kernel.js";

interface Setup {
  readonly kernel: "nautilus" | "linux";
  readonly machine: "x64" | "phi";
  readonly threads: number;
  readonly rounds: number;
  readonly seed: string;
  /** Spawn a short thread on CPU 1 with a kick IPI while the round-2 spinners spin (Nautilus). */
  readonly intruder?: boolean;
}

/** Leave times per (round, thread) and the run's event count. */
function run(s: Setup, callbacks: boolean): { leaves: number[]; events: number; intruderRan: number } {
  const m = new Machine({ sim: new Simulation({ seed: s.seed }), machine: s.machine, streamPrefix: s.kernel });
  const k: BaseKernel = s.kernel === "nautilus" ? new NautilusKernel(m, { kicks: s.intruder === true }) : new LinuxKernel(m);
  const work = distribution({ dist: "exponential", mean: 40_000 }, "work");
  const barriers: BarrierRef[] = [];
  for (let r = 1; r <= s.rounds; r++) barriers.push(k.newBarrier(`round ${r}`, s.threads));
  const leaves = new Array<number>(s.rounds * s.threads).fill(-1);
  let intruderRan = -1;
  k.onDispatch = (_cpu, t) => { if (t?.name === "intruder" && intruderRan < 0) intruderRan = k.sim.now; };
  const body = (i: number) => function* (me: ThreadRef): Gen<void> {
    const rng = k.sim.streams.get(`work/${i}`);
    // With the intruder, t0 (on its CPU) computes little and so mostly spins: the kick preempts a spin.
    const draw = () => (s.intruder === true && i === 0 ? 1_000 : Math.round(work.sample(rng)));
    const left = (r: number) => void (leaves[(r - 1) * s.threads + i] = k.sim.now);
    if (callbacks) {
      yield* k.computeBarrierRounds(me, { count: s.rounds, name: "work", work: draw, barrier: (r) => barriers[r - 1]!, left });
      return;
    }
    for (let r = 1; r <= s.rounds; r++) {
      yield* k.compute(me, "work", draw());
      yield* k.barrierWait(me, barriers[r - 1]!);
      left(r);
    }
  };
  k.boot({ name: "main", cpu: 0, body: function* (self) {
    const kids = [];
    for (let i = 0; i < s.threads; i++) kids.push(yield* k.threadCreate(self, { name: `t${i}`, cpu: i + 1, body: body(i) }));
    if (s.intruder === true) {
      yield* k.delay(self, 100_000);
      kids.push(yield* k.threadCreate(self, { name: "intruder", cpu: 1, body: function* (me) { yield* k.compute(me, "intrude", 200_000); } }));
    }
    for (const t of kids) yield* k.threadJoin(self, t);
  } });
  const report = k.sim.run();
  assert.is(report.reason, "empty");
  assert.not.ok(leaves.includes(-1), "every thread left every round");
  return { leaves, events: report.events, intruderRan };
}

const cases: Setup[] = [
  { kernel: "nautilus", machine: "x64", threads: 12, rounds: 40, seed: "x64" },
  { kernel: "nautilus", machine: "phi", threads: 60, rounds: 20, seed: "phi" },
  { kernel: "nautilus", machine: "x64", threads: 6, rounds: 12, seed: "intruder", intruder: true },
];

for (const s of cases) {
  test(`Nautilus ${s.machine}, ${s.threads} threads${s.intruder ? ", a thread kicked onto a spinner's CPU" : ""}: callback rounds = process rounds, fewer events`, () => {
    const viaProcess = run(s, false);
    const viaCallbacks = run(s, true);
    assert.equal(viaCallbacks.leaves, viaProcess.leaves);
    assert.ok(viaCallbacks.events < viaProcess.events, `${viaCallbacks.events} events, not fewer than ${viaProcess.events}`);
  });
}

test("the intruder case does preempt the rounds: it runs on CPU 1 before t0 leaves its last round", () => {
  const s = cases[2]!;
  const r = run(s, true);
  assert.ok(r.intruderRan > 0 && r.intruderRan < r.leaves[(s.rounds - 1) * s.threads]!, `intruder ran at ${r.intruderRan}`);
});

test.run();
