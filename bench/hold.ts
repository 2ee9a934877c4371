/**
 * The classic hold model: N processes, each repeatedly waiting a random delay (exponential,
 * uniform or bimodal increments). It measures the engine's raw event rate (queue + generator
 * resumption + one draw per event) and its memory per pending event.
 */
import { Simulation, distribution, type Distribution, type DistributionSpec, type RandomStream } from "../src/engine/index.js";
import { cpuSeconds, holder } from "./bare.js";
import { bytesPer, gcOrNull, usedBytes } from "./memory.js";

const MEAN_DELAY = 1_000_000;

/** The increment distributions of the hold-model literature, all with mean MEAN_DELAY. */
export const INCREMENTS: Record<string, DistributionSpec> = {
  exponential: { dist: "exponential", mean: MEAN_DELAY },
  uniform: { dist: "uniform", min: 0, max: 2 * MEAN_DELAY },
  bimodal: {
    dist: "mixture",
    components: [
      { weight: 0.9, of: { dist: "uniform", min: 0, max: 0.2 * MEAN_DELAY } }, // mean 0.1·M
      { weight: 0.1, of: { dist: "uniform", min: 18 * MEAN_DELAY, max: 18.2 * MEAN_DELAY } }, // mean 9.1·M
    ],
  },
};

export interface HoldResult {
  readonly name: "hold";
  readonly increments: string;
  readonly n: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  /** Events per second of this process's CPU time (user + system): less sensitive to other load. */
  readonly eventsPerCpuSec: number;
  /** The engine's pending-event set. */
  readonly queue: string;
  /** Heap growth per pending event: queue entry, Process object and the suspended generator. */
  readonly bytesPerPending: number;
  /** Of which the suspended generator alone (V8's, measured on bare generators of the same function). */
  readonly generatorBytes: number;
  /** bytesPerPending − generatorBytes: what the engine itself adds per pending event. */
  readonly engineBytesPerPending: number;
  readonly fingerprint: string;
}

export function incrementDistribution(name: string): Distribution {
  const spec = INCREMENTS[name];
  if (spec === undefined) throw new Error(`unknown increments '${name}': ${Object.keys(INCREMENTS).join(", ")}`);
  return distribution(spec);
}

/** Heap bytes per suspended `holder` generator, without the engine. */
function generatorBytes(delay: Distribution, rng: RandomStream): number {
  return bytesPer(100_000, () => {
    const g = holder(delay, rng);
    g.next();
    return g;
  });
}

export function runHold(n: number, events: number, increments = "exponential", seed = 1): HoldResult {
  const gc = gcOrNull();
  const delay = incrementDistribution(increments);
  const genBytes = generatorBytes(delay, new Simulation().streams.get("probe"));
  gc?.();
  gc?.();
  const before = usedBytes();
  const sim = new Simulation({ seed });
  const rng = sim.streams.get("hold");
  for (let i = 0; i < n; i++) sim.process("holder", holder(delay, rng), { daemon: true });
  // Warm up: start every process and let the JIT settle.
  sim.run({ maxEvents: n + Math.min(events, 200_000) });
  gc?.();
  const pendingBytes = usedBytes() - before;
  const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
  const report = sim.run({ maxEvents: events });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9, cpu = cpuSeconds(cpu0);
  return {
    name: "hold",
    increments,
    n,
    events: report.events,
    seconds,
    eventsPerSec: report.events / seconds,
    eventsPerCpuSec: report.events / cpu,
    queue: sim.queue.constructor.name,
    bytesPerPending: gc === null ? NaN : pendingBytes / n,
    generatorBytes: genBytes,
    engineBytesPerPending: gc === null ? NaN : pendingBytes / n - genBytes,
    fingerprint: report.fingerprint,
  };
}
