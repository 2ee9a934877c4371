/**
 * Shared helpers of the reports: deterministic number formatting, field lookup on
 * observations ("kernel" may name the sweep key "model.params.kernel"), `where` filters.
 */
import { entryOfScaleColumn, type Observation, type RunRecord, type Scalar, type ScenarioMeta, type ScenarioResult } from "./results.js";

/** A `where` clause as the specs carry it: field → value or list of acceptable values. */
export type Where = Readonly<Record<string, Scalar | readonly Scalar[]>>;

/** One observation with the run it came from: the unit that filters and groupings work on. */
export interface Row {
  readonly run: RunRecord;
  readonly obs: Observation;
}

/**
 * Fixed number text, identical on every machine: integers in full (no exponent, so
 * 1e21 stays digits), other finite numbers via `String` (shortest round-trip, which
 * ECMAScript specifies exactly), -0 as "0".
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(x)) return Object.is(x, -0) ? "0" : BigInt(x).toString();
  return String(x);
}

/** As `formatNumber`, but a missing statistic (undefined / NaN) is an empty cell. */
export function formatStat(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? "" : formatNumber(x);
}

export function formatScalar(x: Scalar | undefined): string {
  if (x === undefined) return "";
  return typeof x === "number" ? formatNumber(x) : String(x);
}

/** Scalars compare by value; 4 and "4" are the same (YAML and CLI may type them differently). */
export function sameScalar(a: Scalar | undefined, b: Scalar): boolean {
  if (a === undefined) return false;
  return a === b || formatScalar(a) === formatScalar(b);
}

/** Union of `lists` in first-seen order. */
export function unionInOrder(lists: Iterable<Iterable<string>>): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const x of list) seen.add(x);
  return [...seen];
}

/** Label names of a scenario: declared ones first, then any an observation carries undeclared. */
export function labelNames(meta: ScenarioMeta, runs: readonly RunRecord[] = []): string[] {
  const observed = runs.flatMap((r) => r.observations.map((o) => Object.keys(o.labels ?? {})));
  return unionInOrder([...meta.metrics.map((m) => m.labels ?? []), ...observed]);
}

/** How a field name given in a spec is read from a row. */
export type FieldRef =
  | { readonly kind: "point"; readonly key: string }
  | { readonly kind: "label"; readonly key: string }
  | { readonly kind: "replication" }
  | { readonly kind: "metric" };

/**
 * Resolves a spec's field name: an exact sweep key, a label, "replication", "metric",
 * or the last dotted segment(s) of exactly one sweep key ("kernel" → "model.params.kernel").
 * A parameter-file entry swept by scale factors (column `parameters.x64.apic.accept.scale`) is
 * also found by the entry's path as the sweep wrote it (`x64.apic.accept`, `accept`).
 * Undefined when unknown or ambiguous — callers report that rather than guess.
 */
export function resolveField(meta: ScenarioMeta, labels: readonly string[], name: string): FieldRef | undefined {
  if (meta.sweepKeys.includes(name)) return { kind: "point", key: name };
  if (labels.includes(name)) return { kind: "label", key: name };
  if (name === "replication") return { kind: "replication" };
  if (name === "metric") return { kind: "metric" };
  const suffixed = meta.sweepKeys.filter((k) => k.endsWith("." + name) || entryOfScaleColumn(k)?.endsWith("." + name));
  return suffixed.length === 1 ? { kind: "point", key: suffixed[0]! } : undefined;
}

export function fieldValue(ref: FieldRef, row: Row): Scalar | undefined {
  switch (ref.kind) {
    case "point": return row.run.point[ref.key];
    case "label": return row.obs.labels?.[ref.key];
    case "replication": return row.run.replication;
    case "metric": return row.obs.metric;
  }
}

/** A field resolver bound to one scenario; unknown names are collected for the caller's message. */
export interface Fields {
  readonly get: (name: string) => FieldRef | undefined;
  readonly labels: readonly string[];
}

export function fieldsOf(result: ScenarioResult): Fields {
  const labels = labelNames(result.scenario, result.runs);
  return { labels, get: (name) => resolveField(result.scenario, labels, name) };
}

/** Names in `where` that do not resolve (a filter on them would silently match nothing). */
export function unknownFields(fields: Fields, where: Where | undefined): string[] {
  return Object.keys(where ?? {}).filter((k) => fields.get(k) === undefined);
}

/** A predicate for `where`; every clause must hold, a list clause means any of its values. */
export function matcher(fields: Fields, where: Where | undefined): (row: Row) => boolean {
  const clauses = Object.entries(where ?? {}).map(([name, want]) => {
    const ref = fields.get(name);
    const wanted: readonly Scalar[] = Array.isArray(want) ? want : [want as Scalar];
    return { ref, wanted };
  });
  return (row) =>
    clauses.every(({ ref, wanted }) => {
      if (ref === undefined) return false;
      const v = fieldValue(ref, row);
      return wanted.some((w) => sameScalar(v, w));
    });
}

/** Observations of the successful runs, in runIndex then emission order. Failed runs' partial data is excluded. */
export function okRows(result: ScenarioResult): Row[] {
  return result.runs
    .filter((run) => run.status === "ok")
    .sort((a, b) => a.runIndex - b.runIndex) // the contract says sorted; cheap to not depend on it
    .flatMap((run) => run.observations.map((obs) => ({ run, obs })));
}

export function finiteValues(rows: readonly Row[]): number[] {
  return rows.map((r) => r.obs.value).filter(Number.isFinite);
}

/** Groups items by a string key; groups keep first-seen order, as do items within them. */
export function groupInOrder<T>(items: Iterable<T>, key: (x: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  return groups;
}

/** "kernel=linux,core=3" — the readable, order-preserving form of a coordinate tuple. */
export function describeCoords(pairs: ReadonlyArray<readonly [string, Scalar | undefined]>): string {
  return pairs.map(([k, v]) => `${k}=${formatScalar(v)}`).join(",");
}

/** `where` as text for messages: {kernel: [a, b]} → "kernel in [a, b]". */
export function describeWhere(where: Where | undefined): string {
  const parts = Object.entries(where ?? {}).map(([k, v]) =>
    Array.isArray(v) ? `${k} in [${v.map((x) => formatScalar(x)).join(", ")}]` : `${k}=${formatScalar(v as Scalar)}`,
  );
  return parts.length ? parts.join(", ") : "(no filter)";
}
