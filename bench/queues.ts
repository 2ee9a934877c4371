/**
 * Pending-event set candidates on the queue-only hold model (pop the earliest, push it back at
 * time + increment), all in exact (time, ord) order with ord = priority·2^44 + sequence:
 * - heap4: a bare 4-ary typed-array heap (bench/bare.ts): no slots, kinds or cancellation, so
 *   it flatters the heap;
 * - calendar: the engine's CalendarQueue (Brown 1988, sorted linked buckets, resized by size);
 * - ladder: the engine's LadderQueue (Tang, Goh & Thng 2005), the one Simulation runs on.
 * Earlier candidates (a calendar on JS arrays, a radix heap at 0.24–0.36× heap4) were dropped:
 * they never won. Each must pop exactly what heap4 pops; the bench checks it by checksums.
 */
import { CalendarQueue, LadderQueue, distribution, type Distribution, Simulation } from "../src/engine/index.js";
import { TypedHeap4, cpuSeconds } from "./bare.js";
import { INCREMENTS } from "./hold.js";

interface PendingSet {
  push(time: number, ord: number, ref: number): void;
  /** Pops the earliest into last*; false when empty. */
  pop(): boolean;
  lastTime: number;
  lastOrd: number;
  lastRef: number;
}

class Heap4Adapter implements PendingSet {
  private readonly h = new TypedHeap4(1024);
  lastTime = 0; lastOrd = 0; lastRef = 0;
  push(time: number, ord: number, ref: number): void {
    this.h.push(time, ord, ref);
  }
  pop(): boolean {
    if (this.h.size === 0) return false;
    this.lastTime = this.h.topTime; this.lastOrd = this.h.topOrd; this.lastRef = this.h.topId;
    this.h.popTop();
    return true;
  }
}

/** An engine queue: priority 1 and sequence = push order give the same ord as the others. */
class EngineAdapter implements PendingSet {
  lastTime = 0; lastOrd = 0; lastRef = 0;
  constructor(private readonly q: CalendarQueue | LadderQueue) {}
  push(time: number, _ord: number, ref: number): void {
    this.q.push(time, 1, 1, ref, null);
  }
  pop(): boolean {
    if (!this.q.pop()) return false;
    this.lastTime = this.q.lastTime; this.lastOrd = this.q.lastSeq; this.lastRef = this.q.lastTarget;
    return true;
  }
}

export const CANDIDATES: Record<string, () => PendingSet> = {
  heap4: () => new Heap4Adapter(),
  calendar: () => new EngineAdapter(new CalendarQueue(1024)),
  ladder: () => new EngineAdapter(new LadderQueue(1024)),
};

export interface QueueResult {
  readonly name: "queue";
  readonly queue: string;
  readonly increments: string;
  readonly n: number;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly opsPerCpuSec: number;
  /** Sum over pops of ref × (pop index mod 1000): equal across candidates iff the order is. */
  readonly checksum: number;
}

/** Queue-only hold model: n entries; each pop pushes its ref back at time + increment. */
export function runQueueHold(queue: string, increments: string, n: number, ops: number): QueueResult {
  const q = CANDIDATES[queue]!();
  const delay: Distribution = distribution(INCREMENTS[increments]!);
  const rng = new Simulation({ seed: 1 }).streams.get("hold");
  let seq = 0;
  const ORD = 2 ** 44; // priority 1
  for (let i = 0; i < n; i++) q.push(Math.floor(delay.sample(rng)), ORD + seq++, i);
  let checksum = 0;
  const step = (count: number, sum: boolean) => {
    for (let k = 0; k < count; k++) {
      q.pop();
      if (sum) checksum = (checksum + q.lastRef * (k % 1000) + q.lastTime) % 1e15;
      q.push(q.lastTime + Math.floor(delay.sample(rng)), ORD + seq++, q.lastRef);
    }
  };
  step(Math.min(ops, 200_000), false);
  const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
  step(ops, true);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: "queue", queue, increments, n, ops, opsPerSec: ops / seconds, opsPerCpuSec: ops / cpuSeconds(cpu0), checksum };
}
