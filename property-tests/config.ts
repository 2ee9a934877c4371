/**
 * Shared fast-check settings: a fixed seed by default so CI is repeatable, overridable to explore
 * (FC_SEED=random or a number; FC_RUNS scales the number of runs).
 */
import type { Parameters } from "fast-check";

const seedEnv = process.env.FC_SEED;
const seed = seedEnv === undefined ? 20161 : seedEnv === "random" ? Date.now() % 2 ** 31 : Number(seedEnv);
const scale = Number(process.env.FC_RUNS ?? "1");

/** fast-check parameters with `runs` runs (scaled by FC_RUNS); prints the seed on failure. */
export function fcParams<T>(runs: number): Parameters<T> {
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), verbose: 1 };
}
