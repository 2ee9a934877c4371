/**
 * The run manifest: what produced a report (versions, command, scenario hashes) and how
 * each run went. The only place, with the report, where wall-clock times and timestamps
 * appear — they are not reproducible, so they stay out of CSVs and SVGs.
 */
import type { RunRecord, Scalar, ScenarioResult } from "./results.js";

export interface ManifestRun {
  readonly runIndex: number;
  readonly point: Readonly<Record<string, Scalar>>;
  readonly replication: number;
  readonly seed: string;
  readonly fingerprint?: string;
  readonly events?: number;
  readonly simTime?: number;
  readonly status: RunRecord["status"];
  readonly wallMs?: number;
}

export interface ManifestScenario {
  readonly name: string;
  readonly contentHash: string;
  readonly seed: string;
  readonly runs: readonly ManifestRun[];
}

export interface Manifest {
  readonly hrtsimVersion: string;
  readonly nodeVersion: string;
  /** The command line that produced the outputs. */
  readonly createdBy: string;
  /** ISO timestamp, if the caller records one. */
  readonly createdAt?: string;
  readonly totalWallMs: number;
  readonly scenarios: readonly ManifestScenario[];
}

/** Assembles a manifest from the result tables plus what only the runner knows. */
export function buildManifest(
  results: readonly ScenarioResult[],
  info: { hrtsimVersion: string; nodeVersion: string; createdBy: string; createdAt?: string; totalWallMs: number },
): Manifest {
  return {
    ...info,
    scenarios: results.map(({ scenario, runs }) => ({
      name: scenario.name,
      contentHash: scenario.contentHash,
      seed: scenario.seed,
      runs: runs.map((r) => ({
        runIndex: r.runIndex, point: r.point, replication: r.replication, seed: r.seed, fingerprint: r.fingerprint,
        events: r.events, simTime: r.simTime, status: r.status, wallMs: r.wallMs,
      })),
    })),
  };
}

/** Copies `obj` with keys in `order` (absent and undefined ones skipped). */
function ordered<T extends object>(obj: T, order: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k as string] = obj[k];
  return out;
}

/**
 * Manifest as JSON with a fixed key order (whatever order the object was built in),
 * 2-space indent and a trailing newline. Run points keep their sweep order.
 */
export function manifestJson(m: Manifest): string {
  const doc = {
    ...ordered(m, ["hrtsimVersion", "nodeVersion", "createdBy", "createdAt", "totalWallMs"]),
    scenarios: m.scenarios.map((s) => ({
      ...ordered(s, ["name", "contentHash", "seed"]),
      runs: s.runs.map((r) =>
        ordered(r, ["runIndex", "point", "replication", "seed", "fingerprint", "events", "simTime", "status", "wallMs"]),
      ),
    })),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
