/**
 * Collectives on a LogGOPS network (Hoefler, Schneider & Lumsdaine, HPDC'10), one round of
 * messages at a time in typed arrays: no object per rank or per message. A message of s bytes
 * costs its sender o + (s−1)·O of CPU time (stretched by noise), leaves when that ends, arrives
 * L + (s−1)·G later, and costs the receiver o + (s−1)·O of CPU time from max(ready, arrival).
 * Consecutive sends of one rank start at least max(g, (s−1)·G) apart. Every dependency of round
 * k lies in rounds < k, so processing whole rounds is exact, not an approximation.
 */
import type { RankDetours } from "./detours.js";

/** LogGOPS costs of one message of `bytes` (once per collective): CPU overhead per end, time on the wire, gap between sends. */
export function messageCosts(net: LogGOPS, bytes: number): { overhead: number; wire: number; gap: number } {
  const extra = Math.max(0, bytes - 1);
  return { overhead: net.o + extra * net.O, wire: net.L + extra * net.G, gap: Math.max(net.g, extra * net.G) };
}

/** Recursive doubling pairs rank i with rank i XOR 2^k in every round: without a power of two some rank has no partner. */
export function allreduceRankProblem(ranks: number): string | undefined {
  return (ranks & (ranks - 1)) !== 0 ? "a power-of-two rank count with collective: allreduce (recursive doubling pairs rank i with rank i XOR 2^k)" : undefined;
}

export interface LogGOPS {
  /** Latency, ns. */
  readonly L: number;
  /** CPU overhead per message, ns. */
  readonly o: number;
  /** Gap between message injections, ns. */
  readonly g: number;
  /** Gap per byte, ns. */
  readonly G: number;
  /** CPU overhead per byte, ns. */
  readonly O: number;
}

export const COLLECTIVES = ["dissemination", "tree", "allreduce"] as const;
export type CollectiveName = (typeof COLLECTIVES)[number];

export class Ranks {
  /** Time each rank is next free to use its CPU (ns). */
  readonly ready: Float64Array;
  /** Earliest start of each rank's next send (the gap g). */
  private readonly nextSend: Float64Array;
  /** Arrival time of the message each rank receives this round. */
  private readonly arrival: Float64Array;
  /** Messages sent so far (for messages/s). */
  messages = 0;
  /** Latest time any rank's CPU is busy until (ready times only grow, so a running max). */
  latest = 0;
  // Per-message costs for the current message size (set by rounds()).
  private overhead = 0;
  private wire = 0;
  private gap = 0;

  constructor(readonly count: number, private readonly net: LogGOPS, private readonly noise: RankDetours | null) {
    this.ready = new Float64Array(count);
    this.nextSend = new Float64Array(count);
    this.arrival = new Float64Array(count);
  }

  static bytesPerRank(): number {
    return 3 * Float64Array.BYTES_PER_ELEMENT;
  }

  /** CPU work on one rank from `t`, stretched by its noise. */
  private cpu(rank: number, t: number, work: number): number {
    const end = this.noise === null ? t + work : this.noise.finish(rank, t, work);
    if (end > this.latest) this.latest = end;
    return end;
  }

  /** Rank `r` computes `work(r)` ns. */
  compute(work: (rank: number) => number): void {
    const ready = this.ready;
    for (let r = 0; r < this.count; r++) ready[r] = this.cpu(r, ready[r]!, work(r));
  }

  /** Sender side: returns the arrival time at the receiver. */
  private send(r: number): number {
    const ready = this.ready[r]!, allowed = this.nextSend[r]!;
    const start = ready > allowed ? ready : allowed;
    this.nextSend[r] = start + this.gap;
    const end = this.cpu(r, start, this.overhead);
    this.ready[r] = end;
    return end + this.wire;
  }

  private receive(r: number, arrival: number): void {
    const ready = this.ready[r]!;
    this.ready[r] = this.cpu(r, ready > arrival ? ready : arrival, this.overhead);
  }

  /** One collective, a round of messages per step of the generator. */
  rounds(name: CollectiveName, bytes: number): Generator<void, void, void> {
    ({ overhead: this.overhead, wire: this.wire, gap: this.gap } = messageCosts(this.net, bytes));
    if (name === "dissemination") return this.dissemination();
    if (name === "tree") return this.tree();
    return this.allreduce();
  }

  /** Dissemination barrier: ⌈log2 P⌉ rounds, rank i sends to i+2^k and hears from i−2^k. */
  private *dissemination(): Generator<void, void, void> {
    const P = this.count, arrival = this.arrival;
    for (let d = 1; d < P; d *= 2) {
      for (let i = 0; i < P - d; i++) arrival[i + d] = this.send(i);
      for (let i = P - d; i < P; i++) arrival[i + d - P] = this.send(i);
      for (let i = 0; i < P; i++) this.receive(i, arrival[i]!);
      this.messages += P;
      yield;
    }
  }

  /** Binomial tree: gather to rank 0 (children i → i−2^k), then broadcast back down. */
  private *tree(): Generator<void, void, void> {
    const P = this.count;
    let top = 1;
    while (top < P) top *= 2;
    for (let d = 1; d < P; d *= 2) {
      for (let child = d; child < P; child += 2 * d) { this.receive(child - d, this.send(child)); this.messages++; }
      yield;
    }
    for (let d = top / 2; d >= 1; d /= 2) {
      for (let parent = 0; parent + d < P; parent += 2 * d) { this.receive(parent + d, this.send(parent)); this.messages++; }
      yield;
    }
  }

  /** Recursive-doubling allreduce (P a power of two): exchange the payload with i XOR 2^k. */
  private *allreduce(): Generator<void, void, void> {
    const P = this.count, arrival = this.arrival;
    const problem = allreduceRankProblem(P); // the schema's check, for callers that skip it
    if (problem !== undefined) throw new RangeError(`ranks: expected ${problem}, got ${P}`);
    for (let d = 1; d < P; d *= 2) {
      for (let i = 0; i < P; i++) arrival[i ^ d] = this.send(i);
      for (let i = 0; i < P; i++) this.receive(i, arrival[i]!);
      this.messages += P;
      yield;
    }
  }
}
