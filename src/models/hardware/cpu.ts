/**
 * One hardware CPU (a core, or a hardware thread on the Phi) as a timeline.
 *
 * Interrupt handlers and background noise are *reservations*: non-preemptible intervals that
 * run in arrival order, each starting when the previous one ends. Thread work (measured in
 * cycles) fills the gaps between reservations, so an interrupt preempts the work in progress
 * and the work resumes with its remaining cycles afterwards (work-conserving); the cycles the
 * reservations took from the work are accounted as stolen.
 *
 * Noise is generated lazily from per-CPU sources: arrivals are drawn only when something asks
 * about the CPU's future (work being filled, an interrupt arriving). Nothing is simulated for
 * CPUs that nobody observes, and what is drawn is exact for the sources' arrival processes.
 */
import type { RandomStream, Simulation } from "../../engine/index.js";
import { ModelRunError } from "../plugin.js";
import { MAX_ARRIVALS_PER_QUERY } from "./bounds.js";
import type { StepRecorder } from "./recorder.js";

/** A lazily drawn arrival process of interfering activity on one CPU. */
export interface NoiseSource {
  readonly name: string;
  /** Whether it only fires while the CPU runs a thread (e.g. a tick stopped on idle CPUs). */
  readonly onlyWhenBusy: boolean;
  /** The next arrival time (absolute cycles, non-decreasing) or Infinity; then `duration()` for it. */
  nextArrival(): number;
  duration(): number;
  /**
   * Share of each duration that is indirect (Tsafrir's split): cache and TLB refill paid by the
   * work the activity interrupts, as extra cycles of that work, instead of by the handler.
   */
  readonly indirectShare?: number;
  /**
   * Activity outside the machine's own software (a hypervisor running something else on a vCPU's
   * core): it delays work, but does not end an idle period (`lastActivityBefore` skips it).
   */
  readonly outsideGuest?: boolean;
}

/**
 * A reservation: built by a constructor (not an object literal), so that every one shares the
 * shape its fields settle to once times pass 2^31 (doubles); a literal's fixed shape had every
 * new reservation migrated at its first re-timing (~5% of a futex-barrier run).
 */
class Reservation {
  start = 0;
  end = 0;

  constructor(
    readonly arrival: number,
    readonly cycles: number,
    /** Cycles added to the work segment it interrupts (0: none). */
    readonly indirect: number,
    readonly name: string,
    /** False for activity outside the guest (NoiseSource.outsideGuest). */
    readonly guest: boolean,
  ) {}
}

/** When an interrupt's handler runs, and its last recorded step (a class for the reason Reservation is one). */
export class HandlerSpan {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly lastStep: number,
  ) {}
}

/** The work segment in progress; one object per CPU, reused (a step starts one, millions per run). */
interface Segment {
  start: number;
  work: number;
  step: string;
  done: () => void;
  end: number;
  /** Its end event (Simulation.callAt), re-timed by interrupts. */
  slot: number;
  seq: number;
}

export interface InterruptStep {
  readonly step: string;
  readonly cycles: number;
  /** Called when the handler is placed, with this step's (final) end time and its record id. */
  readonly at?: (end: number, stepId: number) => void;
}

export class Cpu {
  /** Cycles that reservations took from thread work, summed over finished segments. */
  stolen = 0;
  /** True while a thread (not the idle loop) owns the CPU; kernels set it. */
  private busy = false;
  private readonly res: Reservation[] = [];
  private first = 0;
  private materializedTo = -1;
  /** Noise arrivals drawn since the current question about this CPU's future began (bounded: MAX_ARRIVALS_PER_QUERY). */
  private drawn = 0;
  private readonly pending: number[];
  private segment: Segment | null = null;
  private readonly seg: Segment = { start: 0, work: 0, step: "", done: () => {}, end: 0, slot: -1, seq: -1 };
  private readonly finishSegment = (): void => this.finish();

  constructor(
    readonly id: number,
    readonly sim: Simulation,
    /** Stream for step costs drawn on this CPU. */
    readonly rng: RandomStream,
    private readonly noise: readonly NoiseSource[],
    private readonly recorder: StepRecorder | null,
    /** The machine's cost scale: an indirect share is rounded in unscaled cycles, so scaling every cost by k scales it by k exactly. */
    private readonly scale = 1,
  ) {
    this.pending = noise.map((n) => n.nextArrival());
  }

  get label(): string {
    return `cpu${this.id}`;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** Marks the CPU busy (a thread runs) or idle; noise arrivals up to now are fixed first. */
  setBusy(busy: boolean): void {
    if (busy === this.busy) return;
    this.materialize(this.sim.now);
    this.busy = busy;
  }

  /** Is a thread's work segment in progress (the CPU executes someone's cycles)? */
  get executing(): boolean {
    return this.segment !== null;
  }

  /** Draws every noise arrival ≤ t into the reservation list. */
  private materialize(t: number): void {
    if (t <= this.materializedTo) return;
    const p = this.pending;
    for (;;) {
      let k = -1;
      let best = Infinity;
      for (let i = 0; i < p.length; i++) if (p[i]! < best) { best = p[i]!; k = i; }
      if (k < 0 || best > t) break;
      const src = this.noise[k]!;
      // Only arrivals ahead of now: catching up on a CPU nobody looked at is bounded by the time simulated.
      if (best > this.sim.now && ++this.drawn > MAX_ARRIVALS_PER_QUERY) this.noTimeLeft(src.name, best);
      const total = src.duration();
      p[k] = src.nextArrival();
      if (src.onlyWhenBusy && !this.busy) continue;
      const indirect = src.indirectShare ? Math.round((total / this.scale) * src.indirectShare) * this.scale : 0;
      this.insert(new Reservation(best, total - indirect, indirect, src.name, src.outsideGuest !== true));
    }
    this.materializedTo = t;
  }

  /**
   * Within one event a CPU draws the arrivals up to the time it is asked about; costs, rates or a
   * trace leaving it no time to work would draw them without end (the event limit never applies):
   * the run fails instead, saying why.
   */
  private noTimeLeft(source: string, at: number): never {
    throw new ModelRunError("limit", `${this.label}: more than ${MAX_ARRIVALS_PER_QUERY.toLocaleString("en-US")} noise arrivals drawn at t=${this.sim.now} (the last: ${source} at ${at})${this.segment ? ` during '${this.segment.step}'` : ""}: costs, noise rates or interference leave this CPU no time to work; check for huge parameter values`);
  }

  /** Inserts in arrival order (ties: after existing ones) and re-times what follows. */
  private insert(r: Reservation): number {
    const res = this.res;
    let i = res.length;
    while (i > this.first && res[i - 1]!.arrival > r.arrival) i--;
    // splice(i, 0, r) by hand: the builtin allocates its result and cost ~5% of a futex-barrier run.
    res.push(r);
    for (let j = res.length - 1; j > i; j--) res[j] = res[j - 1]!;
    res[i] = r;
    for (let j = i; j < res.length; j++) {
      const x = res[j]!;
      const prevEnd = j > this.first ? res[j - 1]!.end : -Infinity;
      x.start = Math.max(x.arrival, prevEnd);
      x.end = x.start + x.cycles;
    }
    return i;
  }

  /** When `work` cycles started at `from` complete, given the reservations. */
  private fill(from: number, work: number): number {
    this.drawn = 0; // one question about the future; materialize(now) elsewhere never counts
    let t = from;
    let remaining = work;
    let i = this.first;
    for (;;) {
      this.materialize(t + remaining);
      const res = this.res;
      while (i < res.length && res[i]!.end <= t) i++;
      if (i >= res.length) return t + remaining;
      const r = res[i]!;
      if (r.start <= t) {
        t = r.end;
        i++;
      } else if (r.start < t + remaining) {
        // Interrupted: the work refills what the handler evicted once it resumes.
        remaining -= r.start - t - r.indirect;
        t = r.end;
        i++;
      } else return t + remaining;
    }
  }

  /** The first time ≥ t at which no reservation occupies the CPU. */
  freeAt(t: number): number {
    return this.fill(t, 0);
  }

  /** Drops reservations that ended; only between work segments (fill looks back to a segment's start). */
  private prune(): void {
    const now = this.sim.now;
    while (this.first < this.res.length && this.res[this.first]!.end <= now) this.first++;
    if (this.first > 64 && this.first * 2 > this.res.length) {
      this.res.splice(0, this.first);
      this.first = 0;
    }
  }

  /**
   * Runs `cycles` of preemptible work for the thread that owns the CPU; `done` is called when
   * it completes. Only one work segment may be in progress: two would mean two threads running.
   */
  exec(cycles: number, step: string, done: () => void): void {
    if (this.segment !== null) {
      throw new Error(`${this.label}: '${step}' started while '${this.segment.step}' is still running (two threads on one CPU)`);
    }
    this.prune();
    const sim = this.sim;
    const start = sim.now;
    const end = this.fill(start, cycles);
    const seg = this.seg;
    seg.start = start;
    seg.work = cycles;
    seg.step = step;
    seg.done = done;
    seg.end = end;
    this.armSegmentEnd(end - start);
    this.segment = seg;
  }

  /** Schedules the work segment's end `delay` from now (callAt: no handle allocated; slot and sequence kept to re-time it). */
  private armSegmentEnd(delay: number): void {
    const seg = this.seg;
    seg.slot = this.sim.callAt(delay, this.finishSegment, this.id);
    seg.seq = this.sim.callSequence(seg.slot);
  }

  private finish(): void {
    const seg = this.seg;
    this.segment = null;
    this.stolen += seg.end - seg.start - seg.work;
    seg.done();
  }

  /**
   * An interrupt arrives now: its handler steps run back to back, non-preemptibly, once the
   * reservations that arrived before it are done. Work in progress is pushed back accordingly.
   * Returns the handler's start and end times; `onEnd` runs at the end.
   */
  interrupt(name: string, steps: readonly InterruptStep[], onEnd?: (end: number) => void, prevStep = -1): HandlerSpan {
    const now = this.sim.now;
    let cycles = 0;
    for (const s of steps) cycles += s.cycles;
    const r = this.placeHandler(name, cycles);
    // A handler's start is final once placed: later arrivals queue behind it.
    let lastStep = prevStep;
    const rec = this.recorder;
    if (rec !== null && r.start > now) {
      lastStep = rec.record(this.id, `wait: CPU busy (${this.reservationsIn(now, r.start).join(", ")})`, now, r.start, lastStep, 0);
    }
    let t = r.start;
    for (const s of steps) {
      if (rec !== null) lastStep = rec.record(this.id, s.step, t, t + s.cycles, lastStep, 0);
      t += s.cycles;
      s.at?.(t, lastStep);
    }
    if (onEnd !== undefined) this.sim.callAt(r.end - now, () => onEnd(r.end), this.id);
    return new HandlerSpan(r.start, r.end, lastStep);
  }

  /**
   * `interrupt` for a handler given as its total cycles, with nothing recorded: the same
   * reservation and re-timing, and `onEnd` (no argument, allocated once by the caller) at its end.
   * The hot path of reschedule IPIs when no recorder runs.
   */
  interruptCycles(name: string, cycles: number, onEnd: () => void): void {
    const r = this.placeHandler(name, cycles);
    this.sim.callAt(r.end - this.sim.now, onEnd, this.id);
  }

  /** Inserts a handler of `cycles` arriving now and pushes the work in progress back. */
  private placeHandler(name: string, cycles: number): Reservation {
    const now = this.sim.now;
    this.materialize(now);
    if (this.segment === null) this.prune();
    const r = new Reservation(now, cycles, 0, name, true);
    this.insert(r);
    const seg = this.segment;
    if (seg !== null) {
      this.sim.cancelCall(seg.slot, seg.seq);
      seg.end = this.fill(seg.start, seg.work);
      this.armSegmentEnd(seg.end - now);
    }
    return r;
  }

  /**
   * The first reservation (from `first`) still running or to come after `t`: reservations run one
   * after another, so their ends never decrease and a binary search finds it (an idle CPU's list
   * is never pruned and grows with its noise).
   */
  private firstEndingAfter(t: number): number {
    let lo = this.first, hi = this.res.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.res[mid]!.end <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** End of the latest reservation of the guest's own finished by `t` (−1 if none): when the CPU was last woken. */
  lastActivityBefore(t: number): number {
    this.drawn = 0; // t may lie ahead of now
    this.materialize(t);
    for (let i = this.firstEndingAfter(t) - 1; i >= this.first; i--) if (this.res[i]!.guest) return this.res[i]!.end;
    return -1;
  }

  /** The name of the reservation (noise or handler) occupying the CPU now, or null. */
  activityNow(): string | null {
    const now = this.sim.now;
    this.materialize(now);
    const r = this.res[this.firstEndingAfter(now)];
    return r !== undefined && r.start <= now ? r.name : null;
  }

  /** Names and lengths of reservations overlapping [from, to) (for breakdown notes). */
  reservationsIn(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = this.first; i < this.res.length; i++) {
      const r = this.res[i]!;
      if (r.start >= to) break;
      if (r.end > from) out.push(`${r.name} ${Math.min(r.end, to) - Math.max(r.start, from)}`);
    }
    return out;
  }
}
