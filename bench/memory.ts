/**
 * Memory per pending entity: callback-only events (the engine's whole share, since the handler
 * and its argument are the model's) and generator processes (10^6 of them must fit in 512 MB).
 */
import { Simulation } from "../src/engine/index.js";

let retained: unknown = null;

/** JS heap plus off-heap buffers (the queue's typed arrays live there). */
export function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** `globalThis.gc` when node runs with --expose-gc (the bench re-executes itself so). */
export function gcOrNull(): (() => void) | null {
  return (globalThis as { gc?: () => void }).gc ?? null;
}

/** Heap bytes per object made by `make`, over n of them (NaN without --expose-gc). */
export function bytesPer(n: number, make: () => unknown): number {
  const gc = gcOrNull();
  if (gc === null) return NaN;
  let result = NaN;
  for (let round = 0; round < 2; round++) { // the first round warms up allocation sites
    const keep: unknown[] = new Array(n).fill(null);
    retained = keep; // module-level: stays reachable
    gc();
    gc();
    const before = usedBytes();
    for (let i = 0; i < n; i++) keep[i] = make();
    gc();
    gc();
    result = (usedBytes() - before) / n;
  }
  retained = null;
  return result;
}

export interface MemoryResult {
  readonly name: "memory";
  readonly what: "callback" | "process";
  readonly pending: number;
  readonly bytesPerPending: number;
  readonly totalMB: number;
  /** Resident set of the whole node process while the entities are pending (after GC). */
  readonly rssMB: number;
}

/** Heap growth while `fill(sim)` leaves `pending` entities pending. */
function measure(what: MemoryResult["what"], pending: number, fill: (sim: Simulation) => void): MemoryResult {
  const gc = gcOrNull();
  gc?.();
  gc?.();
  const before = usedBytes();
  const sim = new Simulation({ seed: 1 });
  fill(sim);
  gc?.();
  gc?.();
  const bytes = usedBytes() - before;
  const rssMB = process.memoryUsage().rss / 2 ** 20;
  retained = sim;
  const r = {
    name: "memory" as const, what, pending, rssMB,
    bytesPerPending: gc === null ? NaN : bytes / pending, totalMB: gc === null ? NaN : bytes / 2 ** 20,
  };
  retained = null;
  return r;
}

/** 10^6 pending callback-only events sharing one handler and one argument: the engine's share. */
export function callbackMemory(pending = 1_000_000): MemoryResult {
  return measure("callback", pending, (sim) => {
    const h = sim.handler<null>("tick", () => {});
    const rng = sim.streams.get("delays");
    for (let i = 0; i < pending; i++) sim.post(h, Math.floor(rng.uniform() * 1e9), null);
  });
}

/** 10^6 generator processes, each started and pending on a delay. */
export function processMemory(pending = 1_000_000): MemoryResult {
  return measure("process", pending, (sim) => {
    function* sleeper(): Generator<number, void, unknown> {
      for (;;) yield 1_000_000;
    }
    for (let i = 0; i < pending; i++) sim.process("sleeper", sleeper(), { daemon: true });
    sim.run({ maxEvents: pending }); // each runs to its first yield
  });
}
