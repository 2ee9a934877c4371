/**
 * Claim verdicts, computed from observations alone. A claim that cannot be computed
 * (no data, unknown field, undefined statistic) fails with a `problem` saying why:
 * a missing measurement must never read as a pass.
 */
import {
  describeCoords, describeWhere, fieldsOf, fieldValue, groupInOrder, matcher, okRows, unknownFields,
  type Fields, type Row,
} from "./common.js";
import type { ScenarioResult } from "./results.js";
import { claimShapeProblem, type ClaimSpec, type ClaimVerdict } from "./spec.js";
import { statistic } from "./stats.js";

type Outcome = { readonly value: number; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: string };

/** Does `value` satisfy `op threshold`? `between` is inclusive at both ends. */
export function compareOp(value: number, op: ClaimSpec["op"], threshold: ClaimSpec["threshold"]): boolean {
  if (op === "between") {
    if (typeof threshold === "number") return false;
    return value >= threshold[0] && value <= threshold[1];
  }
  const t = typeof threshold === "number" ? threshold : NaN;
  switch (op) {
    case ">": return value > t;
    case ">=": return value >= t;
    case "<": return value < t;
    case "<=": return value <= t;
  }
}

/** How comfortably `value` passes (negative: by how much it fails) — ranks groups best to worst. */
export function margin(value: number, op: ClaimSpec["op"], threshold: ClaimSpec["threshold"]): number {
  if (typeof threshold !== "number") return Math.min(value - threshold[0], threshold[1] - value);
  return op === ">" || op === ">=" ? value - threshold : threshold - value;
}

function specProblem(spec: ClaimSpec, fields: Fields): string | undefined {
  const bad = claimShapeProblem(spec);
  if (bad) return bad;
  const unknown = [
    ...unknownFields(fields, spec.where),
    ...unknownFields(fields, spec.numerator),
    ...unknownFields(fields, spec.denominator),
    ...(spec.groupBy ?? []).filter((f) => fields.get(f) === undefined),
  ];
  if (unknown.length) {
    return `unknown field(s) ${[...new Set(unknown)].map((f) => `"${f}"`).join(", ")}: not a sweep key, label or "replication"`;
  }
  return undefined;
}

function statOf(spec: ClaimSpec, rows: readonly Row[], what?: string): Outcome {
  const r = statistic(spec.statistic, rows.map((x) => x.obs.value));
  if ("problem" in r) return { problem: what ? `${what}: ${r.problem}` : r.problem };
  return { value: r.value };
}

/** The rows a ratio or difference reads: its numerator's and its denominator's. */
interface Parts {
  readonly num: (row: Row) => boolean;
  readonly den: (row: Row) => boolean;
}

/** A claim's parts; undefined for a plain statistic (no numerator or no denominator). */
function partsOf(spec: ClaimSpec, fields: Fields): Parts | undefined {
  if (spec.numerator === undefined || spec.denominator === undefined) return undefined;
  return { num: matcher(fields, spec.numerator), den: matcher(fields, spec.denominator) };
}

/** The claim's value on one set of rows: the statistic, or numerator ÷ (or −) denominator (`parts`: partsOf the claim). */
function valueOf(spec: ClaimSpec, rows: readonly Row[], parts: Parts | undefined): Outcome {
  if (parts === undefined) return statOf(spec, rows);
  const num = statOf(spec, rows.filter(parts.num), `numerator (${describeWhere(spec.numerator)})`);
  const den = statOf(spec, rows.filter(parts.den), `denominator (${describeWhere(spec.denominator)})`);
  if (num.problem !== undefined || den.problem !== undefined) {
    return { problem: [num.problem, den.problem].filter((p) => p !== undefined).join("; ") };
  }
  if (spec.compare === "difference") return { value: num.value - den.value };
  if (den.value === 0) return { problem: `denominator (${describeWhere(spec.denominator)}): ${spec.statistic} is 0` };
  return { value: num.value / den.value };
}

/** First item with the largest key (ties keep data order, so the choice is deterministic). */
function argBest<T>(items: readonly T[], key: (x: T) => number): T | undefined {
  let best: T | undefined;
  for (const x of items) if (best === undefined || key(x) > key(best)) best = x;
  return best;
}

function noData(spec: ClaimSpec, result: ScenarioResult): string {
  const declared = result.scenario.metrics.some((m) => m.name === spec.metric);
  const failed = result.runs.filter((r) => r.status === "failed").length;
  return [
    `no observations of metric "${spec.metric}" where ${describeWhere(spec.where)}`,
    declared ? "" : " (the model declares no such metric)",
    failed ? ` (${failed} run(s) failed)` : "",
  ].join("");
}

export function evaluateClaim(result: ScenarioResult, spec: ClaimSpec): ClaimVerdict {
  const base = { scenario: result.scenario.name, id: spec.id, text: spec.text, op: spec.op, threshold: spec.threshold };
  const fail = (problem: string, groups: ClaimVerdict["groups"] = [], value = NaN): ClaimVerdict =>
    ({ ...base, value, pass: false, groups, problem });
  const fields = fieldsOf(result);
  const bad = specProblem(spec, fields);
  if (bad) return fail(bad);

  const where = matcher(fields, spec.where);
  const rows = okRows(result).filter((r) => r.obs.metric === spec.metric && Number.isFinite(r.obs.value) && where(r));
  if (rows.length === 0) return fail(noData(spec, result));

  const parts = partsOf(spec, fields);
  const groupBy = spec.groupBy ?? [];
  if (groupBy.length === 0) {
    const o = valueOf(spec, rows, parts);
    if (o.problem !== undefined) return fail(o.problem);
    return { ...base, value: o.value, pass: compareOp(o.value, spec.op, spec.threshold), groups: [] };
  }

  const refs = groupBy.map((f) => [f, fields.get(f)!] as const);
  const groupKey = (r: Row) => describeCoords(refs.map(([f, ref]) => [f, fieldValue(ref, r)] as const));
  const evaluated = [...groupInOrder(rows, groupKey)].map(([group, members]) => {
    const o = valueOf(spec, members, parts);
    return { group, outcome: o, pass: o.problem === undefined && compareOp(o.value, spec.op, spec.threshold) };
  });
  const groups = evaluated.map((g) => ({ group: g.group, value: g.outcome.value ?? NaN, pass: g.pass }));
  const ok = evaluated.flatMap((g) => (g.outcome.problem === undefined ? [{ group: g.group, value: g.outcome.value }] : []));
  const problems = evaluated.flatMap((g) => (g.outcome.problem === undefined ? [] : [`group ${g.group}: ${g.outcome.problem}`]));
  const aggregate = spec.aggregate ?? "all";
  const score = (g: { value: number }) => margin(g.value, spec.op, spec.threshold);

  if (aggregate === "any") {
    // One passing group suffices, so groups without data do not sink the claim.
    const best = argBest(ok, score);
    if (best === undefined) return fail(problems.join("; "), groups);
    return { ...base, value: best.value, pass: compareOp(best.value, spec.op, spec.threshold), groups };
  }
  // all / max / min need every group: a missing one could be the failing one.
  const picked =
    aggregate === "all" ? argBest(ok, (g) => -score(g))
    : aggregate === "max" ? argBest(ok, (g) => g.value)
    : argBest(ok, (g) => -g.value);
  if (problems.length) return fail(problems.join("; "), groups, picked?.value ?? NaN);
  const value = picked!.value;
  const pass = aggregate === "all" ? groups.every((g) => g.pass) : compareOp(value, spec.op, spec.threshold);
  return { ...base, value, pass, groups };
}

/** Verdicts for every claim of the scenario, in declaration order. */
export function evaluateClaims(result: ScenarioResult): ClaimVerdict[] {
  return result.scenario.claims.map((spec) => evaluateClaim(result, spec));
}

/**
 * The runs whose observations can reach a claim (metric and `where` match), and every run that did
 * not succeed: a run outside this set cannot change any verdict (sensitivity analyses skip it).
 */
export function runsFeedingClaims(result: ScenarioResult): Set<number> {
  const fields = fieldsOf(result);
  const out = new Set(result.runs.filter((r) => r.status !== "ok").map((r) => r.runIndex));
  const rows = okRows(result);
  for (const spec of result.scenario.claims) {
    if (specProblem(spec, fields)) continue;
    const where = matcher(fields, spec.where);
    // A ratio or difference reads only the rows its numerator or denominator selects.
    const parts = partsOf(spec, fields);
    const part = parts === undefined ? () => true : (r: Row) => parts.num(r) || parts.den(r);
    for (const r of rows) if (r.obs.metric === spec.metric && where(r) && part(r)) out.add(r.run.runIndex);
  }
  return out;
}
