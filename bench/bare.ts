/**
 * The yardstick: a bare generator + 4-ary typed-array heap loop doing the hold model's work
 * (one draw, one generator resume, one heap pop and push per event) with nothing else: no
 * fingerprint, no kinds, no cancellation. The engine's rate is reported as a ratio to this one,
 * measured in the same run.
 */
import { Simulation, distribution, type Distribution, type RandomStream } from "../src/engine/index.js";

function* holder(delay: Distribution, rng: RandomStream): Generator<number, void, unknown> {
  for (;;) yield Math.floor(delay.sample(rng));
}

export interface BareResult {
  readonly name: "bare";
  readonly n: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
}

export function runBare(n: number, events: number, delay: Distribution, seed = 1): BareResult {
  const rng = new Simulation({ seed }).streams.get("hold");
  const times = new Float64Array(n), seqs = new Float64Array(n), ids = new Int32Array(n);
  const gens: Array<Generator<number, void, unknown>> = [];
  let size = 0, seq = 0, now = 0;
  const push = (t: number, id: number) => {
    const s = seq++;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (times[p]! < t || (times[p] === t && seqs[p]! < s)) break;
      times[i] = times[p]!; seqs[i] = seqs[p]!; ids[i] = ids[p]!;
      i = p;
    }
    times[i] = t; seqs[i] = s; ids[i] = id;
  };
  const popTop = () => {
    const last = --size;
    const t = times[last]!, s = seqs[last]!, id = ids[last]!;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= size) break;
      let best = first;
      const end = first + 4 < size ? first + 4 : size;
      for (let c = first + 1; c < end; c++) if (times[c]! < times[best]! || (times[c] === times[best] && seqs[c]! < seqs[best]!)) best = c;
      if (t < times[best]! || (t === times[best] && s < seqs[best]!)) break;
      times[i] = times[best]!; seqs[i] = seqs[best]!; ids[i] = ids[best]!;
      i = best;
    }
    times[i] = t; seqs[i] = s; ids[i] = id;
  };
  for (let i = 0; i < n; i++) {
    const g = holder(delay, rng);
    gens.push(g);
    push(now + (g.next().value as number), i);
  }
  const step = (count: number) => {
    for (let k = 0; k < count; k++) {
      now = times[0]!;
      const id = ids[0]!;
      const d = gens[id]!.next().value as number;
      // Replace the top in place (pop + push of the same process).
      popTop();
      push(now + d, id);
    }
  };
  step(Math.min(events, 200_000)); // warm-up, as the engine's bench does
  const t0 = process.hrtime.bigint();
  step(events);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: "bare", n, events, seconds, eventsPerSec: events / seconds };
}

export { holder };
