/** Hand-built result tables for the reports tests (no simulation involved). */
import type { MetricInfo, Observation, RunRecord, ScenarioMeta, ScenarioResult } from "../src/reports/results.js";

export function meta(over: Partial<ScenarioMeta> = {}): ScenarioMeta {
  return {
    name: "demo",
    description: "hand-built",
    model: "toy",
    experiment: "exp",
    contentHash: "abc123",
    seed: "42",
    sweepKeys: ["model.params.kernel", "model.params.cores"],
    metrics: [
      { name: "latency", unit: "cycles", description: "per-event latency", labels: ["core"] },
      { name: "throughput", unit: "ops/s", description: "rate" },
    ],
    figures: [],
    claims: [],
    ...over,
  };
}

export function run(
  runIndex: number,
  point: RunRecord["point"],
  replication: number,
  observations: Observation[],
  over: Partial<RunRecord> = {},
): RunRecord {
  return {
    runIndex, point, replication, seed: String(1000 + runIndex), status: "ok",
    fingerprint: `fp${runIndex}`, events: 10 * (runIndex + 1), simTime: 100 * (runIndex + 1), wallMs: 3.5,
    observations, ...over,
  };
}

export const lat = (value: number, core: number): Observation => ({ metric: "latency", value, labels: { core } });
export const tput = (value: number): Observation => ({ metric: "throughput", value });

/**
 * Two kernels × one core count × 2 replications, plus one failed run.
 * linux latencies are 10× nautilus; values chosen so statistics are easy to hand-check.
 */
export function demo(over: Partial<ScenarioMeta> = {}): ScenarioResult {
  const k = "model.params.kernel", c = "model.params.cores";
  const runs: RunRecord[] = [
    run(0, { [k]: "nautilus", [c]: 2 }, 0, [lat(1, 0), lat(2, 1), lat(3, 0), tput(100)]),
    run(1, { [k]: "nautilus", [c]: 2 }, 1, [lat(3, 0), lat(4, 1), lat(5, 0), tput(120)]),
    run(2, { [k]: "linux", [c]: 2 }, 0, [lat(10, 0), lat(20, 1), lat(30, 0), tput(50)]),
    run(3, { [k]: "linux", [c]: 2 }, 1, [lat(30, 0), lat(40, 1), lat(50, 0), tput(70)]),
    run(4, { [k]: "linux", [c]: 4 }, 0, [], { status: "failed", error: "deadlock: all 4 threads blocked on <mutex>" }),
  ];
  return { scenario: meta(over), runs };
}

export function metricInfo(name: string, unit: string, labels?: string[]): MetricInfo {
  return { name, unit, description: name, ...(labels ? { labels } : {}) };
}
