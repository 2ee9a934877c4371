/**
 * Statistics for summaries, figures and claims: d3-array for the descriptive ones,
 * plus the Student t quantile (for confidence intervals) from the regularized
 * incomplete beta function, since no small dependency provides it.
 */
import { deviation, max, mean, min, quantileSorted } from "d3-array";
import type { Statistic } from "./spec.js";

export interface Describe {
  readonly count: number;
  readonly mean: number | undefined;
  /** Sample standard deviation (n − 1); undefined below 2 values. */
  readonly sd: number | undefined;
  readonly min: number | undefined;
  readonly p50: number | undefined;
  readonly p90: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export function sortedNumbers(values: Iterable<number>): number[] {
  // Typed-array sort is numeric (a plain Array sort would compare strings).
  return Array.from(Float64Array.from(values).sort());
}

/** Quantile of ascending-sorted values, type 7 (linear interpolation) as d3 computes it. */
export function q(sorted: readonly number[], p: number): number | undefined {
  return quantileSorted(sorted as number[], p);
}

export function describe(values: readonly number[]): Describe {
  const s = sortedNumbers(values);
  return {
    count: s.length,
    mean: mean(s),
    sd: deviation(s),
    min: min(s),
    p50: q(s, 0.5),
    p90: q(s, 0.9),
    p99: q(s, 0.99),
    max: max(s),
  };
}

// ---- Student t ------------------------------------------------------------

/** log Γ(x) for x > 0, Lanczos (g = 7, 9 terms): ~15 significant digits. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz), as in Numerical Recipes. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only left of the mode; use the symmetry relation otherwise.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for t ≥ 0, Student t with `df` degrees of freedom. */
export function tUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * Quantile of Student t (p in (0, 1)), by bisection on the tail — slow but simple and
 * monotone. Rounded to 10 significant digits so last-ulp differences of Math.log/exp
 * between platforms cannot leak into CSV bytes.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const tail = 1 - p;
  let lo = 0, hi = 1;
  while (tUpperTail(hi, df) > tail) { lo = hi; hi *= 2; }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tUpperTail(mid, df) > tail) lo = mid; else hi = mid;
  }
  return Number(((lo + hi) / 2).toPrecision(10));
}

/** Two-sided critical value: 2.776… for level 0.95 and 4 df. */
export function tCritical(df: number, level = 0.95): number {
  return tQuantile(1 - (1 - level) / 2, df);
}

export interface MeanCI {
  readonly n: number;
  readonly mean: number | undefined;
  /** Undefined with fewer than 2 values: no spread to estimate. */
  readonly lo: number | undefined;
  readonly hi: number | undefined;
}

/** t-based confidence interval of the mean of `values` (e.g. per-replication means). */
export function meanCI(values: readonly number[], level = 0.95): MeanCI {
  const n = values.length;
  const m = mean(values);
  const sd = deviation(values);
  if (m === undefined || sd === undefined || n < 2) return { n, mean: m, lo: undefined, hi: undefined };
  const half = (tCritical(n - 1, level) * sd) / Math.sqrt(n);
  return { n, mean: m, lo: m - half, hi: m + half };
}

// ---- claim statistics -----------------------------------------------------

export type StatResult = { readonly value: number } | { readonly problem: string };

/** A claim statistic over finite values; a problem when it is undefined for this sample. */
export function statistic(name: Statistic, values: readonly number[]): StatResult {
  const s = sortedNumbers(values);
  const n = s.length;
  if (name === "count") return { value: n };
  if (n === 0) return { problem: "no observations" };
  const need2 = (f: () => number): StatResult =>
    n < 2 ? { problem: `${name} needs at least 2 observations, got ${n}` } : { value: f() };
  switch (name) {
    case "mean": return { value: mean(s)! };
    case "median": return { value: q(s, 0.5)! };
    case "min": return { value: s[0]! };
    case "max": return { value: s[n - 1]! };
    case "sd": return need2(() => deviation(s)!);
    case "cv": {
      const m = mean(s)!;
      if (m === 0) return { problem: "cv undefined: mean is 0" };
      return need2(() => deviation(s)! / m);
    }
    case "iqr": return { value: q(s, 0.75)! - q(s, 0.25)! };
    case "p10": return { value: q(s, 0.1)! };
    case "p90": return { value: q(s, 0.9)! };
    case "p99": return { value: q(s, 0.99)! };
    case "p99-p50": return { value: q(s, 0.99)! - q(s, 0.5)! };
  }
}
