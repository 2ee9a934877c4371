/** Statistics of the host comparison: KS distance on hand-computed examples, quantiles as d3-array. */
import { median as d3median, quantile as d3quantile } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cdfPoints } from "../src/models/host/comparison.js";
import { ksDistance, median, quantileSorted, relativeError, sorted } from "../src/models/host/stats.js";

const close = (a: number, b: number, eps = 1e-12) => Math.abs(a - b) <= eps;

test("KS: identical samples are 0 apart, disjoint ones 1", () => {
  assert.is(ksDistance([1, 2, 3], [3, 2, 1]), 0);
  assert.is(ksDistance([1, 2, 3], [4, 5]), 1);
  assert.is(ksDistance([4, 5], [1, 2, 3]), 1);
});

test("KS: hand-computed interleavings", () => {
  // a = {1,2,3,4}, b = {3,4,5,6}: after x = 2, F_a = 2/4 and F_b = 0; after 4: 1 vs 2/4 → D = 1/2.
  assert.ok(close(ksDistance([1, 2, 3, 4], [3, 4, 5, 6]), 0.5));
  // a = {1,3,5}, b = {2,4}: after 1: 1/3 − 0; after 2: 1/3 − 1/2; after 3: 2/3 − 1/2; after 4: 2/3 − 1; → D = 1/3.
  assert.ok(close(ksDistance([1, 3, 5], [2, 4]), 1 / 3));
  // Unequal sizes: a = {0}, b = {0,1,2,3}: after 0: 1 − 1/4 → D = 3/4.
  assert.ok(close(ksDistance([0], [0, 1, 2, 3]), 0.75));
});

test("KS: ties move together (no spurious distance within a run of equal values)", () => {
  // a = {5,5,5,5}, b = {5,5,6,6}: after 5: 1 vs 1/2 → D = 1/2 (not 3/4, which a tie-unaware merge could report).
  assert.ok(close(ksDistance([5, 5, 5, 5], [5, 5, 6, 6]), 0.5));
  assert.is(ksDistance([2, 2, 2], [2]), 0);
});

test("KS: negative values and empty samples", () => {
  assert.ok(close(ksDistance([-3, -1], [-2, 0]), 0.5));
  assert.ok(Number.isNaN(ksDistance([], [1])));
});

test("quantiles and medians agree with d3-array (type 7)", () => {
  const xs = [9, 1, 7, 3, 3, 12, -4, 8.5, 100, 2];
  const s = sorted(xs);
  for (const q of [0, 0.1, 0.25, 0.5, 0.9, 0.99, 1]) assert.ok(close(quantileSorted(s, q), d3quantile(xs, q)!), `q = ${q}`);
  assert.is(median(xs), d3median(xs));
  assert.is(median([4]), 4);
  assert.ok(Number.isNaN(median([])));
});

test("relative error is signed and relative to the measurement", () => {
  assert.is(relativeError(150, 100), 0.5);
  assert.is(relativeError(50, -100), 1.5);
  assert.ok(Number.isNaN(relativeError(1, 0)));
});

test("CDF points: evaluated after ties, ending at 1", () => {
  assert.equal(cdfPoints([1, 1, 2, 3]), [[1, 0.5], [2, 0.75], [3, 1]]);
  const many = Array.from({ length: 1000 }, (_, i) => i);
  const pts = cdfPoints(many, 100);
  assert.is(pts.length, 101);
  assert.equal(pts[pts.length - 1], [999, 1]);
  assert.equal(cdfPoints([]), []);
});

test.run();
