/**
 * Bulk-synchronous supersteps on one machine: a runtime worker pinned per CPU runs one task
 * that loops compute → barrier. The work is plain computation (noise and interrupts stretch
 * it); the barrier is the kernel's own (Nautilus: nk_barrier_wait of b512503, one per superstep; Linux: glibc's
 * futex barrier) or an ideal one that releases everyone at the last arrival at no cost.
 * A superstep lasts from the last thread leaving one barrier to the last leaving the next.
 */
import { distribution, type DistributionSpec, type RunReport, type SimEvent } from "../../engine/index.js";
import type { BarrierRef, Gen, ThreadRef } from "../kernel/types.js";
import { Runtime } from "../runtime/index.js";
import type { BspParams } from "./params.js";
import { failOn, type UserParameters } from "../plugin.js";
import { bspWorld } from "./world.js";
import { workloadCycles, workloadProblems } from "./workload.js";

export interface SuperstepResult {
  /** Duration of each superstep, cycles. */
  readonly supersteps: Float64Array;
  /** Mean work drawn per thread-superstep, cycles. */
  readonly meanWork: number;
  /** How the run ended: events, fingerprint, simulated time, reason (and who waits, on a deadlock). */
  readonly report: RunReport;
  /** Wake-ups the kernel's condvars lost to the modeled race (Nautilus; else 0). */
  readonly lostWakeups: number;
}

/** Zero-cost barrier: the last arriver releases everyone at its arrival time. */
class IdealBarrier {
  private arrived = 0;
  private release: SimEvent<void> | null = null;
  constructor(private readonly sim: BspSim, private readonly parties: number) {}

  *wait(): Gen<void> {
    const ev = (this.release ??= this.sim.event<void>("ideal barrier"));
    if (++this.arrived === this.parties) {
      this.arrived = 0;
      this.release = null;
      ev.succeed();
    }
    yield ev;
  }
}
type BspSim = ReturnType<typeof bspWorld>["sim"];

export function runSupersteps(p: BspParams, seed: string, limits: { maxEvents?: number; until?: number }, user: UserParameters = {}): SuperstepResult {
  const { sim, kernel, machine, threads } = bspWorld(p, seed, user);
  const steps = p.supersteps ?? 100;
  for (const problem of workloadProblems(p, machine.name)) failOn(problem); // validate's check (constraints)
  const work = distribution(p.workload !== undefined ? workloadCycles(p.workload, machine.name) : (p.work ?? 100_000) as DistributionSpec, "work");
  const scale = p.costScale ?? 1;
  const cores = Array.from({ length: threads }, (_, i) => i);
  const rt = new Runtime(kernel, { cores, idle: "block", ...(p.runtime?.costs ? { costs: p.runtime.costs } : {}) });
  // Nautilus's nk_barrier_t synchronises once (notify is never reset), so, as the era's callers
  // re-initialise it before each use, superstep s gets a fresh one (free: two slots alternate,
  // since a thread reaching barrier s means every thread has left barrier s − 2); glibc's re-arms.
  const slots = [rt.newBarrier("superstep barrier"), rt.newBarrier("superstep barrier")];
  const slotRound = [0, 1];
  const kernelBarrier = (round: number): BarrierRef => {
    if (kernel.barrierReusable) return slots[0]!;
    const i = round % 2;
    if (slotRound[i] !== round) {
      slots[i] = rt.newBarrier(`superstep barrier ${round}`);
      slotRound[i] = round;
    }
    return slots[i]!;
  };
  const ideal = new IdealBarrier(sim, threads);
  const exits = new Float64Array(steps + 1);
  let drawn = 0, count = 0;
  const barrier = (me: ThreadRef, round: number): Gen<void> => (p.barrier === "ideal" ? ideal.wait() : rt.barrier(me, kernelBarrier(round)));

  function* body(me: ThreadRef): Gen<void> {
    const rng = sim.streams.get(`bsp/work/cpu${me.cpu}`);
    const draw = (): number => {
      const cycles = Math.max(0, Math.round(work.sample(rng))) * scale;
      drawn += cycles;
      count++;
      return cycles;
    };
    // The start line: every thread leaves the same barrier before superstep 1.
    yield* barrier(me, 0);
    exits[0] = Math.max(exits[0]!, sim.now);
    if (p.barrier !== "ideal") {
      const left = (s: number): void => void (exits[s] = Math.max(exits[s]!, sim.now));
      yield* rt.barrierRounds(me, { count: steps, name: "superstep work", work: draw, barrier: kernelBarrier, left });
      return;
    }
    for (let s = 1; s <= steps; s++) {
      yield* rt.compute(me, "superstep work", draw());
      yield* ideal.wait();
      exits[s] = Math.max(exits[s]!, sim.now);
    }
  }

  kernel.boot({ name: "driver", cpu: 0, body: function* (self) {
    yield* rt.start(self);
    const done = [];
    // Worker 0 shares CPU 0 with this driver and may preempt it when woken (Linux wake-up
    // preemption); an ideal barrier never blocks, so launch it last.
    for (let w = threads - 1; w >= 0; w--) done.push(yield* rt.launch(self, { name: `bsp ${w}`, worker: w, body }));
    yield* rt.wait(self, yield* rt.merge(self, "all supersteps", done));
    yield* rt.stop(self);
  } });
  const report = sim.run(limits);
  const supersteps = new Float64Array(steps);
  for (let s = 1; s <= steps; s++) supersteps[s - 1] = exits[s]! - exits[s - 1]!;
  return { supersteps, meanWork: count === 0 ? 0 : drawn / count, report, lostWakeups: kernel.lostWakeups };
}
