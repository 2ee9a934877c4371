/**
 * The classic hold model: N processes, each repeatedly waiting an exponential delay. It measures
 * the engine's raw event rate (heap + generator resumption + one draw per event) and its memory
 * per pending event.
 */
import { Simulation, distribution } from "../src/engine/index.js";

export interface HoldResult {
  readonly name: "hold";
  readonly n: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly bytesPerPending: number;
  readonly fingerprint: string;
}

const MEAN_DELAY = 1_000_000;

export function runHold(n: number, events: number, seed = 1): HoldResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const sim = new Simulation({ seed });
  const delay = distribution({ dist: "exponential", mean: MEAN_DELAY });
  const rng = sim.streams.get("hold");
  function* holder() {
    for (;;) yield Math.floor(delay.sample(rng));
  }
  for (let i = 0; i < n; i++) sim.process("holder", holder(), { daemon: true });
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
    fingerprint: report.fingerprint,
  };
}
