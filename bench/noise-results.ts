/**
 * The checked-in noise-at-scale results (bench/results/*.jsonl) as records, so the command that
 * writes them (`node dist/bench/atscale.js --curve | --shapes`) and the test that checks they
 * still reproduce (test/bench-results.test.ts) make the same runs. docs/noise-at-scale.md
 * compares them with the published shapes.
 */
import { max, median, min } from "d3-array";
import { runAtScale } from "../src/models/atscale/plugin.js";

type Params = Parameters<typeof runAtScale>[0];

/** One line of a results file: what identifies it (printed first) and the run it makes. */
export interface Point {
  readonly key: { readonly bench: string; readonly profile: string; readonly ranks: number } & Record<string, unknown>;
  readonly params: Params;
}

/** Slowdown over independent replications: each value, their median and range, mean net noise and the noiseless makespan. */
export interface Replicated {
  readonly seeds: readonly string[];
  readonly slowdowns: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Mean over the replications of each run's net noise (mean over its node traces). */
  readonly netNoise: number;
  /** The noiseless makespan, median over the replications. */
  readonly baselineUs: number;
}

export const CURVE_PROFILES: ReadonlyArray<{ readonly name: string; readonly noise: Params["noise"] }> = [
  { name: "linux-x64", noise: { kind: "kernel", kernel: "linux", machine: "x64" } },
  // The same node noise replayed from a sampled pool (16 CPUs × 2 s), as before per-node drawing: what sharing a pool costs the tail.
  { name: "linux-x64-pooled", noise: { kind: "kernel", kernel: "linux", machine: "x64", sampling: "pooled" } },
  { name: "nautilus-x64", noise: { kind: "kernel", kernel: "nautilus", machine: "x64" } },
  { name: "injected-10Hz-2.5%", noise: { kind: "periodic", hz: 10, netNoise: 0.025 } },
  { name: "injected-1kHz-2.5%", noise: { kind: "periodic", hz: 1000, netNoise: 0.025 } },
];

/**
 * Independent replications per point: each samples its own node traces and work, so the range
 * shows how much of a curve's shape is one draw's luck. The shape comparison's are paired: every
 * variant of a point runs the same seeds.
 */
export const CURVE_SEEDS: readonly string[] = ["curve", "curve/2", "curve/3", "curve/4", "curve/5"];
export const SHAPE_SEEDS: readonly string[] = ["shape", "shape/2", "shape/3", "shape/4", "shape/5"];

const iterations = { collectives: 10, workUs: 1000, collective: "dissemination" } as const;

/** The slowdown curve per noise profile, 2^10 … 2^20 ranks (10 iterations of 1 ms work + dissemination barrier). */
export function curvePoints(): Point[] {
  return CURVE_PROFILES.flatMap(({ name: profile, noise }) =>
    [10, 12, 14, 16, 18, 20].map((log2) => ({
      key: { bench: "atscale-curve", profile, ranks: 2 ** log2 },
      params: { ...iterations, ranks: 2 ** log2, noise },
    })),
  );
}

/**
 * The runs docs/noise-at-scale.md compares with the published shapes (1,024 and 16,384 ranks,
 * 10 iterations): slowdown by collective, by network speed (LogGOPSim's defaults and all of L, o,
 * g, G divided by 10) and by compute granularity, per noise profile.
 */
export function shapePoints(): Point[] {
  const points: Point[] = [];
  for (const { name: profile, noise } of CURVE_PROFILES.filter((p) => p.name === "linux-x64" || p.name.startsWith("injected"))) {
    for (const ranks of [1024, 16384]) {
      for (const collective of ["dissemination", "tree", "allreduce"] as const) {
        points.push({ key: { bench: "shape-collective", profile, ranks, collective }, params: { ...iterations, ranks, collective, noise } });
      }
      for (const speedup of [1, 10]) {
        const network = { L: 2500 / speedup, o: 1500 / speedup, g: 1000 / speedup, G: 6 / speedup };
        points.push({ key: { bench: "shape-network", profile, ranks, networkSpeedup: speedup }, params: { ...iterations, ranks, noise, network } });
      }
    }
    for (const workUs of [100, 1000, 10_000]) {
      points.push({ key: { bench: "shape-granularity", profile, ranks: 16384, workUs }, params: { ...iterations, workUs, ranks: 16384, noise } });
    }
  }
  return points;
}

/** The lines of `points` (up to `maxRanks`), each run over `seeds`, with the CPU seconds it took (machine-dependent). */
export function* resultLines(points: readonly Point[], seeds: readonly string[], maxRanks = Infinity): Generator<Point["key"] & Replicated & { readonly cpuSec: number }> {
  for (const { key, params } of points) {
    if (key.ranks > maxRanks) continue;
    const c0 = process.cpuUsage();
    const runs = seeds.map((seed) => runAtScale(params, seed));
    const c = process.cpuUsage(c0);
    const slowdowns = runs.map((r) => r.makespanNs / r.baselineNs);
    yield {
      ...key, seeds, slowdowns, median: median(slowdowns)!, min: min(slowdowns)!, max: max(slowdowns)!,
      netNoise: runs.reduce((s, r) => s + r.netNoise, 0) / runs.length,
      baselineUs: median(runs, (r) => r.baselineNs)! / 1e3,
      cpuSec: (c.user + c.system) / 1e6,
    };
  }
}
