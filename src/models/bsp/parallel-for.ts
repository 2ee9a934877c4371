/**
 * A fine-grained parallel-for: each call runs one task of `grain` cycles per core (the
 * calling thread on CPU 0 runs its own share), and returns when all are done. How the tasks
 * reach the other cores is what is compared:
 *  - threads: a thread created per task and joined (kernel threadCreate/threadJoin);
 *  - condvar: a pool of runtime workers sleeping on the kernel's condition variable;
 *  - poll:    the same pool, idle workers polling a shared word;
 *  - nemo:    (Nautilus) one Nemo broadcast; the task runs as the event's action in interrupt
 *             context on every core, which stores a done flag the caller polls.
 * Efficiency = grain ÷ time per call; the smallest efficient grain is where it reaches the target.
 */
import type { FlagRef, Gen, ThreadRef } from "../kernel/types.js";
import type { RunReport } from "../../engine/index.js";
import { Runtime, type RtEvent } from "../runtime/index.js";
import { DEFAULT_GRAINS, type BspParams } from "./params.js";
import type { UserParameters } from "../plugin.js";
import { bspWorld } from "./world.js";

export interface GrainPoint {
  readonly grain: number;
  /** Mean cycles per parallel-for call. */
  readonly callCycles: number;
  readonly efficiency: number;
}

export interface ParallelForResult {
  readonly points: readonly GrainPoint[];
  /** How the run ended: events, fingerprint, simulated time, reason (and who waits, on a deadlock). */
  readonly report: RunReport;
  /** Wake-ups the kernel's condvars lost to the modeled race (Nautilus; else 0). */
  readonly lostWakeups: number;
}

/**
 * The smallest grain reaching `target`, interpolated on log(grain) between the last ladder
 * point below the target and the first at or above it; undefined if none reaches it.
 */
export function minEfficientGrain(points: readonly GrainPoint[], target: number): number | undefined {
  const sorted = [...points].sort((a, b) => a.grain - b.grain);
  const i = sorted.findIndex((p) => p.efficiency >= target);
  if (i < 0) return undefined;
  if (i === 0) return sorted[0]!.grain;
  const lo = sorted[i - 1]!, hi = sorted[i]!;
  const f = (target - lo.efficiency) / (hi.efficiency - lo.efficiency);
  return Math.exp(Math.log(lo.grain) + f * (Math.log(hi.grain) - Math.log(lo.grain)));
}

export function runParallelFor(p: BspParams, seed: string, limits: { maxEvents?: number; until?: number }, user: UserParameters = {}): ParallelForResult | null {
  const { sim, kernel, threads } = bspWorld(p, seed, user);
  const wakeup = p.wakeup ?? "condvar";
  const events = kernel.events;
  if (wakeup === "nemo" && events === undefined) return null; // no Nemo in Linux user space
  const scale = p.costScale ?? 1;
  const grains = p.grains ?? DEFAULT_GRAINS;
  const reps = p.repetitions ?? 10;
  const remote = Array.from({ length: threads - 1 }, (_, i) => i + 1);
  const rt = wakeup === "condvar" || wakeup === "poll"
    ? new Runtime(kernel, { cores: remote, idle: wakeup === "condvar" ? "block" : "spin", ...(p.runtime?.costs ? { costs: p.runtime.costs } : {}) })
    : null;
  const flags: FlagRef[] = remote.map((c) => kernel.newFlag(`task done cpu${c}`));
  let calls = 0;
  const points: GrainPoint[] = [];

  function* call(self: ThreadRef, cycles: number): Gen<void> {
    const n = ++calls;
    const task = (me: ThreadRef) => kernel.compute(me, "compute: task", cycles);
    if (wakeup === "threads") {
      const children: ThreadRef[] = [];
      for (const cpu of remote) children.push(yield* kernel.threadCreate(self, { name: `task ${n}.${cpu}`, cpu, body: task }));
      yield* task(self);
      for (const c of children) yield* kernel.threadJoin(self, c);
    } else if (rt !== null) {
      const done: RtEvent[] = [];
      for (let w = 0; w < remote.length; w++) done.push(yield* rt.launch(self, { name: `task ${n}.${w}`, worker: w, body: task }));
      yield* task(self);
      yield* rt.wait(self, yield* rt.merge(self, `call ${n}`, done));
    } else {
      yield* events!.broadcast(self, (cpu) => {
        const i = cpu - 1;
        if (i < 0 || i >= remote.length) return { steps: [] };
        return { steps: [{ step: "compute: task (Nemo action)", cycles, at: (end, step) => kernel.storeFromHandler(cpu, flags[i]!, n, end, step) }] };
      });
      yield* task(self);
      for (const f of flags) yield* kernel.spinUntil(self, f, (v) => v === n);
    }
  }

  kernel.boot({ name: "caller", cpu: 0, body: function* (self) {
    if (rt !== null) yield* rt.start(self);
    for (const grain of grains) {
      const cycles = grain * scale;
      yield* call(self, cycles); // warm-up: first wake-up of this grain's pattern, not timed
      const start = sim.now;
      for (let r = 0; r < reps; r++) yield* call(self, cycles);
      const callCycles = (sim.now - start) / reps / scale;
      points.push({ grain, callCycles, efficiency: grain / callCycles });
    }
    if (rt !== null) yield* rt.stop(self);
  } });
  const report = sim.run(limits);
  return { points, report, lostWakeups: kernel.lostWakeups };
}
