/**
 * Per-path event counts: what one kernel code path does, independent of the machine —
 * instructions, serializing/microcoded instructions, L1 misses served by the core's L2, L2
 * misses, TLB misses, lines zeroed or copied in sequence — each count with its source and range (data/path-counts.json of a kernel).
 * A machine that states a cost per event (`event.*` entries of its hardware profile) gets the
 * path's mean cost as Σ count × cost per event, so a long, miss-heavy path and a short one scale
 * differently between cores for stated reasons. Cache-line transfers between CPUs are not
 * counted here: the models charge them from the machine's topology.
 */
import { Schema } from "effect";
import { distribution, type DistributionSpec } from "../../engine/index.js";
import { ParameterFileError, type ParamEntry } from "../hardware/params.js";

export const EVENT_KINDS = ["instructions", "serializing", "l2Hits", "l2Misses", "tlbMisses", "streamedLines"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The hardware-profile entry giving the cycles of one event of each kind. */
export const EVENT_COST_ENTRY: Readonly<Record<EventKind, string>> = {
  instructions: "event.instruction",
  serializing: "event.serializing",
  l2Hits: "event.l2Hit",
  l2Misses: "event.l2Miss",
  tlbMisses: "event.tlbMiss",
  streamedLines: "event.streamLine",
};

const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));
const CountSchema = Schema.Struct({ value: NonNegative, low: NonNegative, high: NonNegative, source: Schema.String.check(Schema.isMinLength(12)) });
export type PathCount = typeof CountSchema.Type;

const PathSchema = Schema.Struct({
  /** The code path the counts follow (function, file, commit). */
  path: Schema.String.check(Schema.isMinLength(12)),
  instructions: CountSchema,
  serializing: CountSchema,
  l2Hits: CountSchema,
  l2Misses: CountSchema,
  tlbMisses: CountSchema,
  /** Whole lines zeroed or copied in sequence (bandwidth-bound, not latency-bound). */
  streamedLines: CountSchema,
});
export type PathCounts = typeof PathSchema.Type;

const PathCountFileSchema = Schema.Struct({
  subject: Schema.String,
  paths: Schema.Record(Schema.String, PathSchema),
  /** Time entries with no count, each with the reason (they keep the derived file's factor). */
  uncounted: Schema.Record(Schema.String, Schema.String.check(Schema.isMinLength(12))),
});
export type PathCountFile = typeof PathCountFileSchema.Type;

export function decodePathCounts(raw: unknown, label: string): PathCountFile {
  let file: PathCountFile;
  try {
    file = Schema.decodeUnknownSync(PathCountFileSchema, { onExcessProperty: "error" })(raw);
  } catch (e) {
    throw new ParameterFileError(`path-count file ${label}: ${(e as Error).message}`);
  }
  for (const [name, p] of Object.entries(file.paths)) {
    for (const k of EVENT_KINDS) {
      const c = p[k];
      if (!(c.low <= c.value && c.value <= c.high)) throw new ParameterFileError(`path-count file ${label}: ${name}.${k}: value ${c.value} outside its range [${c.low}, ${c.high}]`);
    }
    if (Object.hasOwn(file.uncounted, name)) throw new ParameterFileError(`path-count file ${label}: "${name}" is both counted and uncounted`);
  }
  return file;
}

/** Cycles per event on a machine, from its profile's `event.*` entries (a distribution counts by its mean). */
export function eventCosts(parameters: Readonly<Record<string, ParamEntry>>, label: string): Record<EventKind, number> {
  const out = {} as Record<EventKind, number>;
  for (const k of EVENT_KINDS) {
    const e = parameters[EVENT_COST_ENTRY[k]];
    if (e === undefined || (e.unit ?? "cycles") !== "cycles") throw new ParameterFileError(`${label}: path counts need "${EVENT_COST_ENTRY[k]}" in cycles`);
    out[k] = distribution(e.value as DistributionSpec, EVENT_COST_ENTRY[k]).mean;
  }
  return out;
}

/** Mean cycles of a path: Σ count × cycles per event. */
export function countedCycles(p: PathCounts, costs: Readonly<Record<EventKind, number>>): number {
  return EVENT_KINDS.reduce((sum, k) => sum + p[k].value * costs[k], 0);
}

/** "120 instructions × 2 (phi.event.instruction) + …" — the derivation `hrtsim params` shows. */
export function countedText(p: PathCounts, costs: Readonly<Record<EventKind, number>>, scope: string): string {
  const terms = EVENT_KINDS.filter((k) => p[k].value > 0).map((k) => `${p[k].value} ${k} × ${round(costs[k])} (${scope}.${EVENT_COST_ENTRY[k]})`);
  return `${terms.join(" + ") || "no events"} = ${round(countedCycles(p, costs))} cycles`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
