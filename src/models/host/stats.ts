/**
 * The statistics the host calibration and comparison use: type-7 quantiles (linear
 * interpolation between order statistics, as d3-array and R's default), relative error, and
 * the two-sample Kolmogorov–Smirnov distance.
 */
import { quantileSorted as d3QuantileSorted } from "d3-array";

/** Ascending copy (numeric order; the default sort is lexicographic). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Quantile `q` (type 7, d3-array's) of already sorted values; NaN when empty. */
export function quantileSorted(s: readonly number[], q: number): number {
  return s.length === 0 ? NaN : d3QuantileSorted(s as number[], q)!;
}

export function median(values: readonly number[]): number {
  return quantileSorted(sorted(values), 0.5);
}

/** (model − measured) / |measured|; NaN if the measurement is 0 or either is missing. */
export function relativeError(model: number, measured: number): number {
  return measured === 0 || !Number.isFinite(model) || !Number.isFinite(measured) ? NaN : (model - measured) / Math.abs(measured);
}

/**
 * Two-sample Kolmogorov–Smirnov distance sup_x |F_a(x) − F_b(x)| of the empirical CDFs.
 * Both CDFs are evaluated after all values equal to x (ties move together), so identical
 * samples give 0 and disjoint ones 1. NaN if either sample is empty.
 */
export function ksDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return NaN;
  const x = sorted(a);
  const y = sorted(b);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
