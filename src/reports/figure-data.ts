/**
 * The data a figure plots, computed here rather than by Vega transforms: Vega's CI
 * aggregates bootstrap with Math.random (not reproducible), and raw samples would bloat
 * the inlined data and the SVG. Every output is a pure function of the result table.
 */
import { mean } from "d3-array";
import { fieldsOf, fieldValue, groupInOrder, matcher, okRows, type FieldRef, type Row } from "./common.js";
import type { Scalar, ScenarioResult } from "./results.js";
import type { FigureSpec } from "./spec.js";
import { meanCI, q, sortedNumbers } from "./stats.js";

export type Datum = Record<string, string | number>;
export type Plain = string | number;

/** At most this many CDF points per series, and strip/outlier marks per group. */
export const MAX_CDF_POINTS = 400;
export const MAX_STRIP_POINTS = 200;
export const MAX_OUTLIERS = 200;

export const CHANNELS = ["x", "color", "column", "row"] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface Channel {
  /** The field as the spec names it. */
  readonly field: string;
  readonly ref: FieldRef;
  /** Distinct values in plotting order: ascending when all numeric, else first-seen. */
  readonly domain: readonly Plain[];
  readonly numeric: boolean;
}

export interface Prepared {
  readonly rows: readonly Row[];
  readonly channels: Partial<Record<ChannelName, Channel>>;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** Booleans become strings: Vega scales handle strings and numbers only. */
export function plain(v: Scalar | undefined): Plain {
  return v === undefined ? "" : typeof v === "boolean" ? String(v) : v;
}

export function domainOf(values: Iterable<Plain>): { domain: Plain[]; numeric: boolean } {
  const unique = [...new Set(values)];
  const numeric = unique.length > 0 && unique.every((v) => typeof v === "number");
  return { domain: numeric ? (unique as number[]).sort((a, b) => a - b) : unique, numeric };
}

/** `max` items spread evenly over `sorted`, always keeping the first and last (the extremes). */
export function evenlySpaced<T>(sorted: readonly T[], max: number): T[] {
  if (sorted.length <= max) return [...sorted];
  if (max <= 1) return sorted.slice(0, max);
  const picked: T[] = [];
  let last = -1;
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (sorted.length - 1)) / (max - 1));
    if (i !== last) picked.push(sorted[i]!);
    last = i;
  }
  return picked;
}

/** Selects the figure's observations and resolves its channels; problems become a visible note. */
export function prepare(result: ScenarioResult, fig: FigureSpec): Prepared {
  const fields = fieldsOf(result);
  const problems: string[] = [];
  const notes: string[] = [];
  const unknownWhere = Object.keys(fig.where ?? {}).filter((k) => fields.get(k) === undefined);
  if (unknownWhere.length) problems.push(`unknown filter field(s): ${unknownWhere.join(", ")}`);
  const keep = matcher(fields, fig.where);
  let rows = okRows(result).filter((r) => r.obs.metric === fig.metric && Number.isFinite(r.obs.value) && keep(r));
  if (rows.length === 0) problems.push(`no observations of metric "${fig.metric}"`);

  if (fig.kind === "line" && fig.x === undefined) problems.push("a line figure needs an x field");
  const channels: Partial<Record<ChannelName, Channel>> = {};
  for (const name of CHANNELS) {
    const field = fig[name];
    if (field === undefined) continue;
    const ref = fields.get(field);
    if (ref === undefined) { problems.push(`unknown ${name} field "${field}"`); continue; }
    channels[name] = { field, ref, ...domainOf(rows.map((r) => plain(fieldValue(ref, r)))) };
  }
  // Log scales cannot show values ≤ 0: drop them and say so, rather than fail to render.
  const valueAxisLog = fig.kind === "cdf" ? fig.logX : fig.logY;
  if (valueAxisLog) {
    const before = rows.length;
    rows = rows.filter((r) => r.obs.value > 0);
    if (rows.length < before) notes.push(`${before - rows.length} value(s) ≤ 0 omitted on the log axis`);
  }
  const x = channels.x;
  if (fig.kind === "line" && fig.logX && x?.numeric) {
    const before = rows.length;
    rows = rows.filter((r) => (fieldValue(x.ref, r) as number) > 0);
    if (rows.length < before) notes.push(`points with ${x.field} ≤ 0 omitted on the log axis`);
  }
  return { rows, channels, problems, notes };
}

/** Channel coordinates of a row, as data fields named after the channels. */
function coords(p: Prepared, row: Row, which: readonly ChannelName[]): Datum {
  const d: Datum = {};
  for (const name of which) {
    const ch = p.channels[name];
    if (ch) d[name] = plain(fieldValue(ch.ref, row));
  }
  return d;
}

function groupByChannels(p: Prepared, which: readonly ChannelName[]): Array<{ at: Datum; rows: Row[] }> {
  const groups = groupInOrder(p.rows, (r) => JSON.stringify(coords(p, r, which)));
  return [...groups.values()].map((rows) => ({ at: coords(p, rows[0]!, which), rows }));
}

/**
 * Line and bar data: per point, the mean of per-replication means and its 95% t CI
 * (lo = hi = mean with one replication, so the band collapses instead of vanishing).
 */
export function meanData(p: Prepared): Datum[] {
  return groupByChannels(p, CHANNELS).map(({ at, rows }) => {
    const reps = [...groupInOrder(rows, (r) => String(r.run.replication)).values()];
    const ci = meanCI(reps.map((rep) => mean(rep, (r) => r.obs.value)!));
    const m = ci.mean!;
    return { ...at, mean: m, lo: ci.lo ?? m, hi: ci.hi ?? m, replications: ci.n };
  });
}

/** Tukey boxes (whiskers at the most extreme values within 1.5 IQR) plus capped outliers. */
export function boxData(p: Prepared): Datum[] {
  return groupByChannels(p, CHANNELS).flatMap(({ at, rows }) => {
    const s = sortedNumbers(rows.map((r) => r.obs.value));
    const q1 = q(s, 0.25)!, median = q(s, 0.5)!, q3 = q(s, 0.75)!;
    const fenceLo = q1 - 1.5 * (q3 - q1), fenceHi = q3 + 1.5 * (q3 - q1);
    const inside = s.filter((v) => v >= fenceLo && v <= fenceHi);
    const outliers = evenlySpaced(s.filter((v) => v < fenceLo || v > fenceHi), MAX_OUTLIERS);
    const box: Datum = {
      ...at, part: "box", q1, median, q3, lower: inside[0] ?? q1, upper: inside[inside.length - 1] ?? q3, n: s.length,
    };
    return [box, ...outliers.map((value) => ({ ...at, part: "outlier", value }))];
  });
}

/** Empirical CDF per series: (value, fraction ≤ value), thinned evenly to MAX_CDF_POINTS. */
export function cdfData(p: Prepared): Datum[] {
  return groupByChannels(p, ["color", "column", "row"]).flatMap(({ at, rows }) => {
    const s = sortedNumbers(rows.map((r) => r.obs.value));
    const points = s.map((value, i) => ({ value, fraction: (i + 1) / s.length }));
    // Ties share the fraction of their last occurrence, as the step function does.
    const steps = points.filter((pt, i) => i === points.length - 1 || points[i + 1]!.value !== pt.value);
    return evenlySpaced(steps, MAX_CDF_POINTS).map((pt) => ({ ...at, ...pt }));
  });
}

/** Raw values per group, evenly thinned (in sorted order) to MAX_STRIP_POINTS. */
export function stripData(p: Prepared): { data: Datum[]; thinned: boolean } {
  let thinned = false;
  const data = groupByChannels(p, CHANNELS).flatMap(({ at, rows }) => {
    const s = sortedNumbers(rows.map((r) => r.obs.value));
    if (s.length > MAX_STRIP_POINTS) thinned = true;
    return evenlySpaced(s, MAX_STRIP_POINTS).map((value) => ({ ...at, value }));
  });
  return { data, thinned };
}

/** Whether some x category holds more than one colour; if none does, colours needn't sit side by side. */
export function coloursShareX(p: Prepared): boolean {
  const { x, color } = p.channels;
  if (!color) return false;
  const seen = new Map<Plain, Plain>();
  for (const r of p.rows) {
    const at = x ? plain(fieldValue(x.ref, r)) : "", c = plain(fieldValue(color.ref, r));
    if (!seen.has(at)) seen.set(at, c);
    else if (seen.get(at) !== c) return true;
  }
  return false;
}

/** Padding of a value axis each side, as a fraction of the data's span (in decades on a log axis). */
export const PAD_FRACTION = 0.05;
/** Log-axis padding floor, and the padding around a single value, in decades. */
const PAD_MIN_DECADES = 0.02;
const PAD_SINGLE_DECADES = 0.1;

/**
 * An axis domain from the data, padded so the extreme marks sit inside the frame rather than on
 * it: PAD_FRACTION of the span each side, measured in decades on a log axis (at least
 * PAD_MIN_DECADES). With `zero`, the domain includes 0 and is not padded past it (bars grow from 0).
 * Non-finite values, and values ≤ 0 on a log axis, are ignored; undefined when nothing is left.
 */
export function paddedDomain(values: Iterable<number>, log: boolean, zero = false): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return undefined;
  if (log) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const pad = b > a ? Math.max(PAD_FRACTION * (b - a), PAD_MIN_DECADES) : PAD_SINGLE_DECADES;
    return [10 ** (a - pad), 10 ** (b + pad)];
  }
  if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  const pad = hi > lo ? PAD_FRACTION * (hi - lo) : Math.abs(hi) * 0.1 || 1;
  return [zero && lo === 0 ? 0 : lo - pad, zero && hi === 0 ? 0 : hi + pad];
}

/** At most this many labelled categories on a long numeric categorical axis (per-CPU x: every 8th of 63). */
export const MAX_AXIS_LABELS = 12;

/**
 * The categories that get a tick and label on a categorical axis with more than `max` of them,
 * or undefined when all fit. Integer categories (CPUs): the first, then multiples of the smallest
 * power of two that fits (1..63 → 1, 8, 16, …, 56); otherwise every 2ᵏ-th category.
 */
export function thinnedTicks(domain: readonly Plain[], max = MAX_AXIS_LABELS): Plain[] | undefined {
  if (domain.length <= max) return undefined;
  const integers = domain.every((v) => Number.isInteger(v));
  for (let step = 2; ; step *= 2) {
    if (integers) {
      const multiples = domain.filter((v, i) => i === 0 || (v as number) % step === 0);
      if (multiples.length <= max && multiples.length >= Math.min(3, domain.length)) return multiples;
    }
    const everyNth = domain.filter((_, i) => i % step === 0);
    if (everyNth.length <= max) return everyNth;
  }
}

/** The x categories each panel (column × row) shows, in plotting order; one entry when not faceted. */
export function panelXDomains(p: Prepared): Plain[][] {
  const x = p.channels.x;
  if (!x) return [];
  const panels = groupByChannels(p, ["column", "row"]).map(({ rows }) => new Set(rows.map((r) => plain(fieldValue(x.ref, r)))));
  return panels.map((present) => x.domain.filter((v) => present.has(v)));
}

/** Number of replications behind the figure (for the subtitle). */
export function replicationCount(p: Prepared): number {
  return new Set(p.rows.map((r) => r.run.replication)).size;
}
