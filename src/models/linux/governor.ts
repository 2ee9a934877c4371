/**
 * Linux idle states chosen by the cpuidle *menu* governor (drivers/cpuidle/governors/menu.c of
 * the 3.x kernels), at the moment a CPU goes idle: predict the idle period from the next timer
 * event and the recent idle intervals (get_typical_interval: the mean of the last 8 if their
 * spread is small, discarding the largest as outliers while at least 6 remain), then take the
 * deepest enabled state whose target residency and exit latency fit the prediction. The
 * wake-up then pays that state's exit latency. State table: C1 (hlt) and, when `config.c6`,
 * core C6; exit latencies are the hardware profile's, target residencies the Linux file's.
 * The prediction is the next timer event scaled by a per-bucket correction factor that learns
 * how much shorter the idle periods turn out (menu_update: f ← f·(1 − 1/8) + measured/next/8,
 * buckets by decade of the next-timer distance, starting at 1). Not modelled: the performance
 * multiplier (1: the harness's machine has no I/O waiters and a load average near 0).
 */

/** menu.c INTERVALS: the number of recent idle intervals kept per CPU. */
export const INTERVALS = 8;

export interface IdleState {
  readonly name: string;
  /** Target residency in cycles (unscaled). */
  readonly residency: number;
  /** Mean exit latency in cycles (unscaled), for the choice; the wake-up draws the actual one. */
  readonly exitLatency: number;
  /** Hardware parameter of the exit latency. */
  readonly exitParameter: string;
}

/**
 * get_typical_interval: the mean of the recent intervals when they are regular (mean > 6 sd, or
 * sd ≤ 20 µs), dropping the largest while at least 3/4 of the window remains; else undefined.
 */
export function typicalInterval(intervals: readonly number[], cyclesPerUs: number): number | undefined {
  const len = intervals.length;
  if (len < INTERVALS) return undefined;
  let thresh = Infinity;
  for (;;) {
    let sum = 0, n = 0, max = 0;
    for (let i = 0; i < len; i++) {
      const v = intervals[i]!;
      if (v <= thresh) { sum += v; n++; if (v > max) max = v; }
    }
    const avg = sum / n;
    let sq = 0;
    for (let i = 0; i < len; i++) {
      const v = intervals[i]!;
      if (v <= thresh) sq += (v - avg) * (v - avg);
    }
    const sd = Math.sqrt(sq / n);
    if ((avg > 6 * sd && n * 4 >= INTERVALS * 3) || sd <= 20 * cyclesPerUs) return avg;
    if (n * 4 <= INTERVALS * 3) return undefined; // too many outliers: no typical interval
    thresh = max - 1;
  }
}

/** The state the menu governor picks for a predicted idle period (cycles); states shallow → deep. */
export function chooseState(states: readonly IdleState[], predicted: number): IdleState {
  let chosen = states[0]!;
  for (let i = 1; i < states.length; i++) {
    const s = states[i]!;
    if (s.residency > predicted || s.exitLatency > predicted) break;
    chosen = s;
  }
  return chosen;
}

/** menu.c DECAY and MAX_INTERESTING (50 ms). */
const DECAY = 8;
const MAX_INTERESTING_US = 50_000;

/** menu.c which_bucket (no I/O waiters): the decade of the next-timer distance in µs. */
export function bucketOf(us: number): number {
  return us < 10 ? 0 : us < 100 ? 1 : us < 1000 ? 2 : us < 10_000 ? 3 : us < 100_000 ? 4 : 5;
}

const NONE: readonly number[] = [];

/** Per-CPU governor memory: the last INTERVALS idle intervals and the correction factors (cycles). */
export class IdleHistory {
  private readonly perCpu: ({ intervals: number[]; factors: number[] } | undefined)[] = [];

  constructor(private readonly cyclesPerUs: number) {}

  private data(cpu: number) {
    let d = this.perCpu[cpu];
    if (d === undefined) this.perCpu[cpu] = d = { intervals: [], factors: [1, 1, 1, 1, 1, 1] };
    return d;
  }

  /** menu_update after an idle period of `measured` cycles entered with the next timer `nextTimer` cycles away. */
  record(cpu: number, measured: number, nextTimer: number): void {
    const d = this.data(cpu);
    d.intervals.push(measured);
    if (d.intervals.length > INTERVALS) d.intervals.shift();
    const b = bucketOf(nextTimer / this.cyclesPerUs);
    const ratio = nextTimer > 0 && measured / this.cyclesPerUs < MAX_INTERESTING_US ? measured / nextTimer : 1;
    d.factors[b] = d.factors[b]! * (1 - 1 / DECAY) + ratio / DECAY;
  }

  intervals(cpu: number): readonly number[] {
    return this.perCpu[cpu]?.intervals ?? NONE;
  }

  /** The next-timer distance corrected by its bucket's learned factor. */
  corrected(cpu: number, nextTimer: number): number {
    return nextTimer * this.data(cpu).factors[bucketOf(nextTimer / this.cyclesPerUs)]!;
  }
}
