import { test } from "uvu";
import * as assert from "uvu/assert";
import { describe, incompleteBeta, logGamma, meanCI, statistic, tCritical, tQuantile } from "../src/reports/stats.js";

const near = (actual: number | undefined, expected: number, tol: number, msg?: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${msg ?? ""} expected ${expected} ± ${tol}, got ${actual}`);

test("t critical values match published tables (two-sided 95%)", () => {
  // Reference values from standard t tables (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
  const table: Array<[number, number]> = [
    [1, 12.706204736], [2, 4.302652730], [3, 3.182446305], [4, 2.776445105], [5, 2.570581836],
    [10, 2.228138852], [30, 2.042272456], [100, 1.983971519], [1000, 1.962339081],
  ];
  for (const [df, t] of table) near(tCritical(df), t, 1e-6, `df=${df}`);
});

test("t quantiles at other levels and symmetry", () => {
  near(tQuantile(0.995, 5), 4.032142984, 1e-6);
  near(tQuantile(0.9, 20), 1.325340707, 1e-6);
  near(tQuantile(0.025, 4), -2.776445105, 1e-6);
  assert.is(tQuantile(0.5, 7), 0);
  assert.ok(Number.isNaN(tQuantile(1, 3)));
  assert.ok(Number.isNaN(tQuantile(0.9, 0)));
});

test("incomplete beta and log-gamma agree with closed forms", () => {
  // I_x(1, 1) = x; I_x(a, 1) = x^a; Γ(5) = 24; Γ(1/2) = √π.
  near(incompleteBeta(0.3, 1, 1), 0.3, 1e-12);
  near(incompleteBeta(0.6, 3, 1), 0.216, 1e-12);
  near(incompleteBeta(0.8, 2, 2), 0.896, 1e-12);
  near(logGamma(5), Math.log(24), 1e-12);
  near(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
});

test("describe: hand-computed sample statistics with type-7 quantiles", () => {
  const d = describe([5, 3, 1, 3]);
  assert.is(d.count, 4);
  assert.is(d.mean, 3);
  near(d.sd, Math.sqrt(8 / 3), 1e-12);
  assert.is(d.min, 1);
  assert.is(d.max, 5);
  assert.is(d.p50, 3);
  near(d.p90, 4.4, 1e-12);
  near(d.p99, 4.94, 1e-12);
  const empty = describe([]);
  assert.is(empty.count, 0);
  assert.is(empty.mean, undefined);
  assert.is(describe([7]).sd, undefined);
});

test("sorting is numeric, not lexicographic", () => {
  const d = describe([10, 9, 100]);
  assert.is(d.min, 9);
  assert.is(d.max, 100);
  assert.is(d.p50, 10);
});

test("meanCI: t-based interval; none for a single value", () => {
  const ci = meanCI([1, 2, 3, 4, 5]);
  const half = (2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5);
  near(ci.mean, 3, 1e-12);
  near(ci.lo, 3 - half, 1e-6);
  near(ci.hi, 3 + half, 1e-6);
  const one = meanCI([4]);
  assert.is(one.mean, 4);
  assert.is(one.lo, undefined);
  assert.is(one.hi, undefined);
});

test("claim statistics on a known sample", () => {
  const v = [1, 2, 3, 3, 4, 5];
  const get = (s: Parameters<typeof statistic>[0]) => {
    const r = statistic(s, v);
    if ("problem" in r) throw new Error(r.problem);
    return r.value;
  };
  assert.is(get("count"), 6);
  assert.is(get("mean"), 3);
  assert.is(get("median"), 3);
  assert.is(get("min"), 1);
  assert.is(get("max"), 5);
  near(get("sd"), Math.sqrt(2), 1e-12);
  near(get("cv"), Math.sqrt(2) / 3, 1e-12);
  near(get("iqr"), 3.75 - 2.25, 1e-12);
  near(get("p10"), 1.5, 1e-12);
  near(get("p90"), 4.5, 1e-12);
  near(get("p99"), 4.95, 1e-12);
  near(get("p99-p50"), 1.95, 1e-12);
});

test("claim statistics report undefined cases as problems", () => {
  assert.ok("problem" in statistic("mean", []));
  assert.equal(statistic("count", []), { value: 0 });
  assert.ok("problem" in statistic("sd", [3]));
  assert.ok("problem" in statistic("cv", [-1, 1]));
});

test.run();
