/**
 * Sweep × replications → runs, in canonical order: sweep points row-major in key order,
 * then replication. A run's seed depends only on the scenario seed and its coordinates (those
 * its model reads), never on execution order, worker count or sharding.
 */
import { deriveSeed } from "../engine/index.js";
import type { MachineFile, ParameterOverrides } from "../models/index.js";
import type { Scalar } from "../reports/results.js";
import { canonicalJson, withParams, type Params } from "./decode.js";
import { EXPERIMENT_KEY } from "./format.js";
import { sweepPoints, type LoadedScenario } from "./load.js";
import { spaceOf } from "./overrides.js";

/** Everything a worker needs to execute one run (plain data: it crosses a thread boundary). */
export interface RunSpec {
  readonly runIndex: number;
  /** Sweep column → value, in sweep order. */
  readonly point: Readonly<Record<string, Scalar>>;
  readonly replication: number;
  readonly seed: string;
  readonly experiment: string;
  /** Undecoded parameters of the point: the worker decodes them with the model's schema. */
  readonly params: Params;
  /** Parameter-file overrides in force (the scenario's `parameters` and the point's swept ones). */
  readonly overrides?: ParameterOverrides;
  /** The scenario's user machine profile, if any. */
  readonly machine?: MachineFile;
}

export function runCount(s: LoadedScenario): number {
  return s.axes.reduce((n, a) => n * a.values.length, 1) * s.doc.replications;
}

/** All runs of a scenario, indexed canonically (materialised: for small scenarios and tests). */
export function expandRuns(s: LoadedScenario): RunSpec[] {
  return [...runSpecs(s)];
}

/** The runs of a scenario one at a time, indexed canonically: a huge sweep never sits in memory. */
export function* runSpecs(s: LoadedScenario): Generator<RunSpec> {
  let runIndex = 0;
  const used = usedPaths(s);
  for (const coords of sweepPoints(s.axes)) {
    const point: Record<string, Scalar> = {};
    const paramValues: Record<string, Scalar> = {};
    const swept: Record<string, unknown> = {};
    let experiment = s.doc.experiment;
    for (const { axis, index } of coords) {
      const v = axis.values[index]!;
      point[axis.column] = v;
      if (axis.key === EXPERIMENT_KEY) experiment = String(v);
      else if (axis.override) swept[axis.key] = axis.scaled ? { scale: v } : v;
      else paramValues[axis.key] = v;
    }
    const params = withParams(s.baseParams, paramValues, s.plugin.nameMaps);
    const overrides = { ...s.overrides, ...swept };
    const extra = { ...(Object.keys(overrides).length > 0 ? { overrides } : {}), ...(s.machine ? { machine: s.machine } : {}) };
    // A swept override this point's model does not read (x64.atomic where machine is phi) leaves
    // the seed alone: such runs repeat each other exactly instead of differing by noise alone.
    const inUse = used(params);
    const seedPoint = Object.fromEntries(coords.filter(({ axis }) => !axis.override || inUse.has(axis.key)).map(({ axis, index }) => [axis.column, axis.values[index]!]));
    const pointKey = canonicalJson(seedPoint);
    for (let replication = 0; replication < s.doc.replications; replication++) {
      yield { runIndex: runIndex++, point, replication, experiment, params, ...extra, seed: deriveSeed(s.meta.seed, pointKey, replication) };
    }
  }
}

const NO_PATHS: ReadonlySet<string> = new Set();

/** The parameter-file paths the model reads at some parameters (its parameterSpace), cached per distinct parameters. */
function usedPaths(s: LoadedScenario): (params: Params) => ReadonlySet<string> {
  if (!s.axes.some((a) => a.override)) return () => NO_PATHS; // nothing to leave out: no model call per point
  const cache = new Map<string, ReadonlySet<string>>();
  return (params) => {
    const key = canonicalJson(params);
    let paths = cache.get(key);
    if (paths === undefined) {
      paths = new Set(spaceOf(s.plugin, [params], s.machine).keys());
      cache.set(key, paths);
    }
    return paths;
  };
}

/** How many of `total` runs fall in the shard (runIndex mod count = index − 1). */
export function shardSize(total: number, shard: Shard | undefined): number {
  if (!shard) return total;
  return Math.max(0, Math.ceil((total - (shard.index - 1)) / shard.count));
}

export interface Shard {
  /** 1-based, as written on the command line. */
  readonly index: number;
  readonly count: number;
}

/** A deterministic slice: runIndex mod count = index − 1. */
export function inShard(runIndex: number, shard: Shard | undefined): boolean {
  return shard === undefined || runIndex % shard.count === shard.index - 1;
}

/** "2/4" → {index: 2, count: 4}; undefined if malformed. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]), count = Number(m[2]);
  // Beyond 2^53 the numbers are no longer exact (1/9999999999999999999 would round): refused.
  return Number.isSafeInteger(count) && count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}
