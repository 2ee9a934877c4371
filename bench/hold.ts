/**
 * The classic hold model: N processes, each repeatedly waiting an exponential delay. It measures
 * the engine's raw event rate (heap + generator resumption + one draw per event) and its memory
 * per pending event.
 */
import { Simulation, distribution, type Distribution, type RandomStream } from "../src/engine/index.js";

export interface HoldResult {
  readonly name: "hold";
  readonly n: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  /** Heap growth per pending event: queue entry, Process object and the suspended generator. */
  readonly bytesPerPending: number;
  /** Of which the suspended generator alone (V8's, measured on bare generators of the same function). */
  readonly generatorBytes: number;
  /** bytesPerPending − generatorBytes: what the engine itself adds per pending event. */
  readonly engineBytesPerPending: number;
  readonly fingerprint: string;
}

const MEAN_DELAY = 1_000_000;

function* holder(delay: Distribution, rng: RandomStream) {
  for (;;) yield Math.floor(delay.sample(rng));
}

let retained: unknown[] | null = null;

/** Heap bytes per suspended `holder` generator, without the engine. */
function generatorBytes(delay: Distribution, rng: RandomStream, gc: () => void): number {
  const n = 100_000;
  let result = NaN;
  for (let round = 0; round < 2; round++) { // the first round warms up allocation sites
    const keep: unknown[] = (retained = new Array(n).fill(null)); // module-level: stays reachable
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) {
      const g = holder(delay, rng);
      g.next();
      keep[i] = g;
    }
    gc();
    gc();
    result = (process.memoryUsage().heapUsed - before) / n;
  }
  retained = null;
  return result;
}

export function runHold(n: number, events: number, seed = 1): HoldResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  const delay = distribution({ dist: "exponential", mean: MEAN_DELAY });
  const genBytes = gc === undefined ? NaN : generatorBytes(delay, new Simulation().streams.get("probe"), gc);
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const sim = new Simulation({ seed });
  const rng = sim.streams.get("hold");
  for (let i = 0; i < n; i++) sim.process("holder", holder(delay, rng), { daemon: true });
  // Warm up: start every process and let the JIT settle.
  sim.run({ maxEvents: n + Math.min(events, 200_000) });
  gc?.();
  const pendingBytes = process.memoryUsage().heapUsed - before;
  const t0 = process.hrtime.bigint();
  const report = sim.run({ maxEvents: events });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    name: "hold",
    n,
    events: report.events,
    seconds,
    eventsPerSec: report.events / seconds,
    // Everything a pending event holds: heap entry, slot, and the suspended process itself.
    bytesPerPending: gc === undefined ? NaN : pendingBytes / n,
    generatorBytes: genBytes,
    engineBytesPerPending: gc === undefined ? NaN : pendingBytes / n - genBytes,
    fingerprint: report.fingerprint,
  };
}
