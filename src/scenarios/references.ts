/**
 * Figures and claims name metrics and fields; a misspelt one would silently draw an empty
 * figure or fail a claim for "no data", so names are checked when the scenario loads.
 */
import type { ModelPlugin } from "../models/index.js";
import { labelNames, resolveField } from "../reports/common.js";
import type { ScenarioMeta } from "../reports/results.js";
import type { SweepAxis } from "./format.js";
import { didYouMean, locatedAt, oneOf, type Problem } from "./problems.js";
import type { SourceDoc } from "./source.js";

type Path = PropertyKey[];

/**
 * Field names to suggest: sweep columns and keys (and their last segment) that the report's
 * resolver (reports/common.ts resolveField) finds, labels, replication, metric. Whether a name
 * is accepted is decided by that same resolver, so validate and the report cannot disagree.
 */
function knownFields(meta: ScenarioMeta, axes: readonly SweepAxis[], labels: readonly string[]): string[] {
  const names = new Set<string>(["replication", "metric", ...labels]);
  for (const a of axes) {
    names.add(a.column);
    names.add(a.key);
    names.add(a.key.slice(a.key.lastIndexOf(".") + 1));
  }
  return [...names].filter((n) => resolveField(meta, labels, n) !== undefined);
}

/** Unknown, or the last segment of more than one sweep key (which one would be a guess). */
const UNKNOWN_FIELD = "unknown field (not a sweep key, the last part of exactly one, a label, \"replication\" or \"metric\")";

function problem(src: SourceDoc, path: Path, message: string, found: string, candidates: readonly string[], atKey = false): Problem {
  const hint = didYouMean(found, candidates);
  return {
    ...locatedAt(src, path, atKey),
    message, ...(candidates.length ? { expected: oneOf(candidates) } : {}), found: JSON.stringify(found), ...(hint ? { hint } : {}),
  };
}

interface Checker {
  metric(path: Path, name: string): Problem[];
  field(path: Path, name: string | undefined): Problem[];
  where(path: Path, where: Readonly<Record<string, unknown>> | undefined): Problem[];
}

function checker(src: SourceDoc, meta: ScenarioMeta, plugin: ModelPlugin, axes: readonly SweepAxis[], replications: number): Checker {
  const metrics = meta.metrics.map((m) => m.name);
  const labels = labelNames(meta);
  const fields = knownFields(meta, axes, labels);
  const resolve = (name: string) => resolveField(meta, labels, name);
  const c: Checker = {
    metric: (path, name) =>
      metrics.includes(name) ? [] : [problem(src, path, `not a metric of this scenario's experiment(s) (model "${plugin.name}")`, name, metrics)],
    field: (path, name) =>
      name === undefined || resolve(name) !== undefined ? [] : [problem(src, path, UNKNOWN_FIELD, name, fields)],
    where: (path, where) => Object.entries(where ?? {}).flatMap(([k, v]) => {
      const ref = resolve(k);
      if (ref === undefined) return [problem(src, [...path, k], UNKNOWN_FIELD, k, fields, true)];
      // A value the field never takes selects no run: the claim or figure could only fail at run time.
      const axis = ref.kind === "point" ? axes.find((a) => a.column === ref.key) : undefined;
      // Replications are a range (listing them all would make the message as long as the run count).
      const domain = axis ? { has: (x: unknown) => axis.values.includes(x as never), what: `sweep.${axis.key}`, listed: axis.values.map(String) }
        : ref.kind === "replication" ? { has: (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < replications, what: `the replications (0..${replications - 1})`, listed: [] }
        : ref.kind === "metric" ? { has: (x: unknown) => metrics.includes(x as string), what: "the experiment's metrics", listed: metrics }
        : undefined;
      if (!domain) return [];
      const wanted = Array.isArray(v) ? v : [v];
      return wanted.flatMap((x, i) => (domain.has(x) ? [] : [{
        ...problem(src, Array.isArray(v) ? [...path, k, i] : [...path, k], `value not in ${domain.what}`, String(x), domain.listed),
        found: JSON.stringify(x),
      }]));
    }),
  };
  return c;
}

export function checkReferences(src: SourceDoc, meta: ScenarioMeta, plugin: ModelPlugin, axes: readonly SweepAxis[], replications: number): Problem[] {
  const c = checker(src, meta, plugin, axes, replications);
  const figures = meta.figures.flatMap((f, i) => {
    const at = (...rest: Path): Path => ["outputs", "figures", i, ...rest];
    return [
      ...c.metric(at("metric"), f.metric),
      ...(["x", "color", "column", "row"] as const).flatMap((ch) => c.field(at(ch), f[ch])),
      ...c.where(at("where"), f.where),
    ];
  });
  const claims = meta.claims.flatMap((cl, i) => {
    const at = (...rest: Path): Path => ["claims", i, ...rest];
    return [
      ...c.metric(at("metric"), cl.metric),
      ...c.where(at("where"), cl.where),
      ...c.where(at("numerator"), cl.numerator),
      ...c.where(at("denominator"), cl.denominator),
      ...(cl.groupBy ?? []).flatMap((g, j) => c.field(at("groupBy", j), g)),
    ];
  });
  const ids = meta.claims.map((cl) => cl.id);
  const dupIds = ids.flatMap((id, i) => (ids.indexOf(id) !== i ? [problem(src, ["claims", i, "id"], "duplicate claim id", id, [])] : []));
  const names = meta.figures.map((f) => f.name);
  const dupFigs = names.flatMap((n, i) => (names.indexOf(n) !== i ? [problem(src, ["outputs", "figures", i, "name"], "duplicate figure name", n, [])] : []));
  return [...figures, ...claims, ...dupIds, ...dupFigs];
}
