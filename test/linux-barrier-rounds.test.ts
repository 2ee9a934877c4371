/**
 * LinuxKernel.computeBarrierRounds runs glibc's futex barrier as callbacks (futex-rounds.ts
 * restates sync.ts's barrierWait, futexLock/Unlock/Wait and the scheduler's ttwu). It must be
 * the same simulation as `compute` + `barrierWait` rounds in the thread's process: same leave
 * times in the same order and the same draws (the CPUs' streams end in the same state) — with
 * noise, random or equal work (a contended lock), on both machines, and with a thread placed on
 * a worker's CPU mid-run (wake-up preemption: the process passes the preemption point). A
 * change planted in one path must be caught.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RandomStream } from "../src/engine/index.js";
import { assertSameRun, runRounds as run, type Setup } from "./support/linux-barrier-rounds.js";

const cases: Setup[] = [
  { machine: "x64", threads: 12, rounds: 40, seed: "x64" },
  { machine: "x64", threads: 30, rounds: 20, seed: "x64-equal", equalWork: true },
  { machine: "phi", threads: 100, rounds: 12, seed: "phi", equalWork: true },
  { machine: "phi", threads: 40, rounds: 15, seed: "phi-random" },
  { machine: "x64", threads: 6, rounds: 12, seed: "intruder", intruder: { cpu: 1, after: 150_000 } },
];

for (const s of cases) {
  const what = `${s.machine}, ${s.threads} threads, ${s.equalWork ? "equal" : "random"} work${s.intruder ? ", a thread started on a worker's CPU" : ""}`;
  test(`Linux ${what}: callback rounds = process rounds (leave times, order, draws), fewer events`, () => {
    const viaProcess = run(s, false);
    const viaCallbacks = run(s, true);
    assertSameRun(viaCallbacks, viaProcess);
    assert.ok(viaCallbacks.events < viaProcess.events, `${viaCallbacks.events} events, not fewer than ${viaProcess.events}`);
  });
}

test("the intruder case does preempt the rounds: it runs on CPU 1 before t0 leaves its last round", () => {
  const s = cases[4]!;
  const r = run(s, true);
  assert.ok(r.intruderRan > 0 && r.intruderRan < r.leaves[(s.rounds - 1) * s.threads]!, `intruder ran at ${r.intruderRan}`);
});

test("the equal-work cases contend for the barrier's lock (the lock's futex_wait path runs)", () => {
  let lockWaits = 0;
  run(cases[1]!, true, (k) => {
    const ops = (k as unknown as { futexRoundOps: { ttwuEnqueue: (...a: unknown[]) => boolean } }).futexRoundOps;
    const enqueue = ops.ttwuEnqueue;
    ops.ttwuEnqueue = (...a) => {
      lockWaits++;
      return enqueue(...a);
    };
  });
  // The barrier's FUTEX_WAKE wakes at most threads − 1 per round; more wake-ups came from the lock.
  assert.ok(lockWaits > cases[1]!.rounds * (cases[1]!.threads - 1), `${lockWaits} wake-ups`);
});

test("a change planted in the callback path is caught (one more cycle on futex_wait's return)", () => {
  const s = cases[0]!;
  const planted = run(s, true, (k) => {
    // The rounds' costs are looked up once per kernel (FutexRoundOps.costs): plant in that record.
    const costs = (k as unknown as { futexRoundOps: { costs: () => { waitReturn: { draw: (rng: RandomStream) => number } } } }).futexRoundOps.costs();
    const waitReturn = costs.waitReturn;
    costs.waitReturn = { draw: (rng) => waitReturn.draw(rng) + 1 };
  });
  assert.not.equal(planted.leaves, run(s, false).leaves);
});

test("a change planted in the callback path's line transfers is caught (every 97th taken as local)", () => {
  const s = cases[2]!;
  const planted = run(s, true, (k) => {
    const ops = (k as unknown as { futexRoundOps: { lineFrom: (owner: number, cpu: number) => number } }).futexRoundOps;
    const lineFrom = ops.lineFrom;
    let calls = 0;
    ops.lineFrom = (owner, cpu) => (++calls % 97 === 0 ? lineFrom(cpu, cpu) : lineFrom(owner, cpu));
  });
  const reference = run(s, false);
  assert.not.ok(planted.leaves.every((v, i) => v === reference.leaves[i]) && planted.streams.every((v, i) => v === reference.streams[i]));
});

test.run();
