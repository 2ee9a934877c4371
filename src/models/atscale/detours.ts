/**
 * Per-rank OS noise at scale, as LogGOPSim replays it: a detour trace (start, duration in ns)
 * repeated every `span` ns, each rank starting at its own random offset into the trace (or all
 * at one offset when co-scheduled). A rank's CPU work (message overheads, computation) is
 * stretched by every detour that overlaps it; a detour that falls while the rank only waits for
 * a message costs nothing. The replay keeps four typed-array slots per rank (32 bytes); the
 * per-node alternative is node-noise.ts.
 */
import type { RandomStream } from "../../engine/index.js";
import { detoursFillTrace } from "../hardware/profile.js";

/** Detours of one CPU, sorted, not overlapping; times in ns from the trace's start. */
export interface DetourTrace {
  readonly starts: Float64Array;
  readonly durations: Float64Array;
  /** The trace repeats with this period (≥ the last detour's end). */
  readonly span: number;
}

/** Where a trace breaks an invariant (`at`: ["detours", i, 0 | 1] or ["span"]), what was expected (times in ns). */
export interface TraceProblem {
  readonly at: ReadonlyArray<string | number>;
  readonly expected: string;
}

/**
 * Checks a trace's invariants, among them that detours leave CPU time in every span (a rank
 * that never gets the CPU would spin through detours forever); undefined when it is fine.
 */
export function traceProblem(t: DetourTrace): TraceProblem | undefined {
  const n = t.starts.length;
  if (n !== t.durations.length) return { at: ["detours"], expected: `as many durations as starts (${n} starts, ${t.durations.length} durations)` };
  for (let i = 0; i < n; i++) {
    const s = t.starts[i]!, d = t.durations[i]!;
    if (!(Number.isFinite(s) && s >= 0)) return { at: ["detours", i, 0], expected: `a start that is a finite time ≥ 0 (${s} ns)` };
    if (!(Number.isFinite(d) && d >= 0)) return { at: ["detours", i, 1], expected: `a duration that is finite and ≥ 0 (${d} ns)` };
    const prevEnd = i > 0 ? t.starts[i - 1]! + t.durations[i - 1]! : 0;
    if (s < prevEnd) return { at: ["detours", i, 0], expected: `a start ≥ ${prevEnd} ns, the end of detour ${i - 1} (detours in time order, not overlapping)` };
  }
  const end = n === 0 ? 0 : t.starts[n - 1]! + t.durations[n - 1]!;
  if (!(Number.isFinite(t.span) && t.span > 0 && t.span >= end)) return { at: ["span"], expected: `a finite span > 0 and ≥ the last detour's end (${end} ns; the span defaults to that end), found ${t.span} ns` };
  const busy = detoursFillTrace(t.durations, t.span);
  if (busy !== undefined) return { at: ["span"], expected: `detours covering less than the whole span (a rank needs CPU time between them): they take ${busy} of its ${t.span} ns` };
  return undefined;
}

/** Fraction of CPU time the trace takes (the "net noise" of Ferreira et al.). */
export function noiseFraction(t: DetourTrace): number {
  let sum = 0;
  for (let i = 0; i < t.durations.length; i++) sum += t.durations[i]!;
  return sum / t.span;
}

/**
 * Each rank's detours in time order, one at a time: its current detour's start and end (ns) in
 * typed arrays, which the fast path compares against; a subclass says where the next one comes
 * from (a replayed trace, or the node's own noise sources).
 */
export abstract class RankDetours {
  protected readonly nextStart: Float64Array;
  protected readonly nextEnd: Float64Array;

  constructor(ranks: number) {
    this.nextStart = new Float64Array(ranks).fill(Infinity);
    this.nextEnd = new Float64Array(ranks).fill(Infinity);
  }

  /** Typed-array bytes per rank. */
  abstract get bytesPerRank(): number;

  /** Moves rank `r`'s current detour to its next one. */
  protected abstract next(r: number): void;

  /**
   * May move rank `r`'s current detour forward past detours that end by `t` (never past one that
   * ends later): finish() would step through them one by one, to the same detour.
   */
  protected skipEndedBy(_r: number, _t: number): void {}

  /**
   * When `work` ns of CPU work that can start at `t` ends on `rank`. Times for one rank must
   * be asked in non-decreasing order (the cursor only moves forward).
   */
  finish(rank: number, t: number, work: number): number {
    let s = this.nextStart[rank]!;
    if (t + work <= s) return t + work; // fast path: no detour before the work ends
    let e = this.nextEnd[rank]!;
    if (e <= t) {
      // Detours over before the work starts (a rank waited through them) cost nothing: a subclass may jump past them.
      this.skipEndedBy(rank, t);
      s = this.nextStart[rank]!;
      e = this.nextEnd[rank]!;
    }
    for (;;) {
      if (e <= t) { /* over before the work starts */ }
      else if (t + work <= s) break;               // the work ends before this detour starts
      else if (s <= t) t = e;                      // in progress: the work waits for it
      else { work -= s - t; t = e; }               // work until the detour, resume after it
      this.next(rank);
      s = this.nextStart[rank]!;
      e = this.nextEnd[rank]!;
    }
    return t + work;
  }
}

/** LogGOPSim's replay: rank r repeats trace r mod K from its own random offset (or one shared offset). */
export class RankNoise extends RankDetours {
  private readonly offset: Float64Array;
  private readonly cursor: Float64Array;
  private readonly trace: readonly DetourTrace[];

  /**
   * `traces` are assigned to ranks round-robin (rank r replays trace r mod K). Offsets are
   * drawn in rank order from `rng`.
   */
  constructor(ranks: number, traces: readonly DetourTrace[], rng: RandomStream, coscheduled: boolean) {
    super(ranks);
    if (traces.length === 0) throw new RangeError("RankNoise needs at least one trace");
    this.trace = traces;
    this.offset = new Float64Array(ranks);
    this.cursor = new Float64Array(ranks);
    const k = traces.length;
    const shared = rng.uniform();
    for (let r = 0; r < ranks; r++) {
      const t = traces[r % k]!;
      if (t.starts.length === 0) continue;
      this.offset[r] = (coscheduled ? shared : rng.uniform()) * t.span;
      this.load(r, t, 0);
    }
  }

  get bytesPerRank(): number {
    return 4 * Float64Array.BYTES_PER_ELEMENT;
  }

  protected next(r: number): void {
    this.load(r, this.trace[r % this.trace.length]!, this.cursor[r]! + 1);
  }

  /**
   * Jumps to the first detour of a repetition that starts two spans before `t` (a rank waiting
   * through seconds of 100 kHz noise stepped through every detour). Only if the last detour
   * skipped ends a whole span before `t`, as load() computes it: the ends before it are no later
   * (beyond any rounding), so every skipped one ends by `t` and the detour reached is the one
   * stepping would reach — the same results, bit for bit.
   */
  protected override skipEndedBy(r: number, t: number): void {
    const tr = this.trace[r % this.trace.length]!;
    const len = tr.starts.length; // > 0: a rank whose trace has no detour never gets here (its next end stays Infinity)
    const rep = Math.floor((t + this.offset[r]!) / tr.span) - 2;
    const n = rep * len;
    if (!(n > this.cursor[r]!)) return;
    const lastEnd = tr.starts[len - 1]! + (rep - 1) * tr.span - this.offset[r]! + tr.durations[len - 1]!;
    if (lastEnd + tr.span <= t) this.load(r, tr, n);
  }

  /** Puts detour `n` (counting over repetitions) of rank `r`'s trace at its cursor. */
  private load(r: number, t: DetourTrace, n: number): void {
    const len = t.starts.length;
    const j = n % len;
    const s = t.starts[j]! + Math.floor(n / len) * t.span - this.offset[r]!;
    this.cursor[r] = n;
    this.nextStart[r] = s;
    this.nextEnd[r] = s + t.durations[j]!;
  }
}
