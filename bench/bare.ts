/**
 * The yardstick: a bare generator + 4-ary typed-array heap loop doing the hold model's work
 * (one draw, one generator resume, one heap pop and push per event) with nothing else: no
 * fingerprint, no kinds, no cancellation. The engine's rate is reported as a ratio to this one,
 * measured in the same run.
 */
import { Simulation, type Distribution, type RandomStream } from "../src/engine/index.js";

function* holder(delay: Distribution, rng: RandomStream): Generator<number, void, unknown> {
  for (;;) yield Math.floor(delay.sample(rng));
}

export interface BareResult {
  readonly name: "bare";
  readonly n: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly eventsPerCpuSec: number;
}

/** A bare 4-ary min-heap of (time, ord, id) on typed arrays: no slots, kinds or cancellation. */
export class TypedHeap4 {
  private times: Float64Array;
  private ords: Float64Array;
  private ids: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.ords = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get topTime(): number { return this.times[0]!; }
  get topOrd(): number { return this.ords[0]!; }
  get topId(): number { return this.ids[0]!; }

  push(t: number, o: number, id: number): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times, ords = this.ords, ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (times[p]! < t || (times[p] === t && ords[p]! < o)) break;
      times[i] = times[p]!; ords[i] = ords[p]!; ids[i] = ids[p]!;
      i = p;
    }
    times[i] = t; ords[i] = o; ids[i] = id;
  }

  /** Removes the top (read it first with top*). */
  popTop(): void {
    const times = this.times, ords = this.ords, ids = this.ids;
    const size = --this.size;
    const t = times[size]!, o = ords[size]!, id = ids[size]!;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= size) break;
      let best = first;
      const end = first + 4 < size ? first + 4 : size;
      for (let c = first + 1; c < end; c++) if (times[c]! < times[best]! || (times[c] === times[best] && ords[c]! < ords[best]!)) best = c;
      if (t < times[best]! || (t === times[best] && o < ords[best]!)) break;
      times[i] = times[best]!; ords[i] = ords[best]!; ids[i] = ids[best]!;
      i = best;
    }
    times[i] = t; ords[i] = o; ids[i] = id;
  }

  private grow(): void {
    const c = this.times.length * 2;
    const t = new Float64Array(c), o = new Float64Array(c), d = new Int32Array(c);
    t.set(this.times); o.set(this.ords); d.set(this.ids);
    this.times = t; this.ords = o; this.ids = d;
  }
}

export function runBare(n: number, events: number, delay: Distribution, seed = 1): BareResult {
  const rng = new Simulation({ seed }).streams.get("hold");
  const heap = new TypedHeap4(n);
  const gens: Array<Generator<number, void, unknown>> = [];
  let seq = 0, now = 0;
  for (let i = 0; i < n; i++) {
    const g = holder(delay, rng);
    gens.push(g);
    heap.push(now + (g.next().value as number), seq++, i);
  }
  const step = (count: number) => {
    for (let k = 0; k < count; k++) {
      now = heap.topTime;
      const id = heap.topId;
      const d = gens[id]!.next().value as number;
      heap.popTop(); // pop + push of the same process
      heap.push(now + d, seq++, id);
    }
  };
  step(Math.min(events, 200_000)); // warm-up, as the engine's bench does
  const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
  step(events);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: "bare", n, events, seconds, eventsPerSec: events / seconds, eventsPerCpuSec: events / cpuSeconds(cpu0) };
}

export { holder };

/** CPU seconds (user + system) of this process since `from`. */
export function cpuSeconds(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

