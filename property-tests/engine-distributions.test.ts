/**
 * Every distribution against its known moments: for random valid parameters, the sample mean of
 * n draws lies within 5 standard errors of the exact mean, and (where the eighth moment exists)
 * the sample variance within a loose band of the exact variance. The exact moments are derived in
 * this file from the parameters, and the distribution's own reported moments must agree with them.
 * Invalid parameters are rejected with the field path.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation, SimulationInputError, distribution, type DistributionSpec } from "../src/engine/index.js";
import { fcParams } from "./config.js";

const N = 20_000;
const pos = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Exact moments, computed here from the parameters (textbook formulas), not by the code under test. */
interface Moments { mean: number; variance: number }
/** checkVariance: the sample variance is tested only where its own sampling error is tame. */
interface Case { spec: DistributionSpec; exact: Moments; checkVariance?: boolean }

/** Moments of a uniform mixture of point masses (two-pass, so no cancellation). */
function pointMoments(xs: readonly number[]): Moments {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length };
}

/** The standard normal restricted to [a, b], by composite Simpson integration of exp(−z²/2). */
function truncatedStdNormal(a: number, b: number): Moments {
  const n = 4000; // even; the integrand is smooth on an interval of at most 3 standard deviations
  const h = (b - a) / n;
  const integrate = (f: (z: number) => number) => {
    let acc = f(a) + f(b);
    for (let i = 1; i < n; i++) acc += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
    return (acc * h) / 3;
  };
  const phi = (z: number) => Math.exp(-z * z / 2);
  const mass = integrate(phi);
  const mean = integrate((z) => z * phi(z)) / mass;
  return { mean, variance: integrate((z) => (z - mean) ** 2 * phi(z)) / mass };
}

/** Piecewise-linear inverse CDF = a mixture of uniforms on consecutive points; centred second moment. */
function quantileMoments(points: readonly (readonly [number, number])[]): Moments {
  let mean = 0;
  for (let i = 1; i < points.length; i++) mean += (points[i]![0] - points[i - 1]![0]) * (points[i - 1]![1] + points[i]![1]) / 2;
  let variance = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]![1] - mean, b = points[i]![1] - mean;
    variance += (points[i]![0] - points[i - 1]![0]) * (a * a + a * b + b * b) / 3;
  }
  return { mean, variance };
}

const specArb: fc.Arbitrary<Case> = fc.oneof(
  pos(-1e3, 1e3).map((v) => ({ spec: { dist: "constant" as const, value: v }, exact: { mean: v, variance: 0 } })),
  fc.tuple(pos(-1e3, 1e3), pos(0.01, 1e3)).map(([a, w]) => ({ spec: { dist: "uniform" as const, min: a, max: a + w }, exact: { mean: (a + (a + w)) / 2, variance: (w * w) / 12 } })),
  pos(0.01, 1e4).map((m) => ({ spec: { dist: "exponential" as const, mean: m }, exact: { mean: m, variance: m * m } })),
  fc.tuple(pos(-100, 100), pos(0.1, 50)).map(([m, sd]) => ({ spec: { dist: "normal" as const, mean: m, sd }, exact: { mean: m, variance: sd * sd } })),
  fc.tuple(pos(-100, 100), pos(0.1, 50), pos(-2, 1), pos(0.2, 3)).map(([m, sd, a, w]) => {
    const z = truncatedStdNormal(a, a + w);
    return {
      spec: { dist: "normal" as const, mean: m, sd, min: m + a * sd, max: m + (a + w) * sd },
      exact: { mean: m + sd * z.mean, variance: sd * sd * z.variance },
    };
  }),
  fc.tuple(pos(1, 1e4), pos(0.01, 0.6)).map(([med, s]) => ({
    spec: { dist: "lognormal" as const, median: med, sigma: s },
    exact: { mean: med * Math.exp(s * s / 2), variance: med * med * Math.exp(s * s) * (Math.exp(s * s) - 1) },
  })),
  fc.tuple(pos(0.2, 20), pos(0.1, 100)).map(([k, th]) => ({ spec: { dist: "gamma" as const, shape: k, scale: th }, exact: { mean: k * th, variance: k * th * th } })),
  fc.tuple(pos(1, 100), pos(4.5, 12)).map(([xm, a]) => ({
    spec: { dist: "pareto" as const, scale: xm, shape: a },
    exact: { mean: (a * xm) / (a - 1), variance: (xm * xm * a) / ((a - 1) ** 2 * (a - 2)) },
    // Below shape 8 the sample variance's own variance (8th moment) is infinite or huge: a 25% band
    // fails for some seeds (e.g. FC_SEED=419703167 at shape 4.5), so only the mean is checked there.
    checkVariance: a >= 8,
  })),
  fc.array(pos(-50, 50), { minLength: 1, maxLength: 30 }).map((xs) => ({ spec: { dist: "empirical" as const, samples: xs }, exact: pointMoments(xs) })),
  fc.array(pos(0, 10), { minLength: 1, maxLength: 6 }).map((steps) => {
    const xs = steps.reduce<number[]>((acc, d) => [...acc, acc[acc.length - 1]! + d], [0]);
    const quantiles = xs.map((x, i) => [i / (xs.length - 1), x] as [number, number]);
    return { spec: { dist: "empirical" as const, quantiles }, exact: quantileMoments(quantiles) };
  }),
  fc.tuple(pos(0.1, 5), pos(1, 100), pos(0.1, 5), pos(200, 500)).map(([w1, m1, w2, m2]) => {
    const p1 = w1 / (w1 + w2), p2 = w2 / (w1 + w2);
    const mean = p1 * m1 + p2 * (m2 + 5);
    const second = p1 * 2 * m1 * m1 + p2 * (100 / 12 + (m2 + 5) ** 2); // E[X²] of exponential(m1) and uniform(m2, m2+10)
    return {
      spec: { dist: "mixture" as const, components: [{ weight: w1, of: { dist: "exponential" as const, mean: m1 } }, { weight: w2, of: { dist: "uniform" as const, min: m2, max: m2 + 10 } }] },
      exact: { mean, variance: second - mean * mean },
    };
  }),
  fc.tuple(pos(-1e3, 1e3), pos(1, 100)).map(([s, m]) => ({ spec: { dist: "shifted" as const, shift: s, of: { dist: "exponential" as const, mean: m } }, exact: { mean: s + m, variance: m * m } })),
);

test("sample moments match each distribution's exact moments (derived here from its parameters)", () => {
  fc.assert(
    fc.property(specArb, fc.nat(), ({ spec, exact, checkVariance = true }, seed) => {
      const d = distribution(spec);
      // The distribution's own moments agree with the textbook ones. Tolerances: the truncated
      // normal's moments go through an erfc approximation (fractional error ≤ 1.2e-7), which a
      // narrow window amplifies in the variance to ~2e-4 relative; one-pass E[X²] − E[X]²
      // formulas cancel. A misread parameter (sd for variance, median for mean…) is off by far more.
      const scale2 = exact.mean * exact.mean + exact.variance + 1;
      assert.ok(Math.abs(d.mean - exact.mean) <= 1e-6 * (Math.abs(exact.mean) + Math.sqrt(exact.variance)) + 1e-12, `${d.describe}: mean ${d.mean} vs exact ${exact.mean}`);
      assert.ok(Math.abs(d.variance - exact.variance) <= 1e-3 * exact.variance + 1e-12 * scale2, `${d.describe}: variance ${d.variance} vs exact ${exact.variance}`);
      const rng = new Simulation({ seed }).streams.get("moments");
      let mean = 0, m2 = 0; // Welford: no cancellation when the variance is tiny next to the mean
      for (let i = 0; i < N; i++) {
        const x = d.sample(rng);
        const delta = x - mean;
        mean += delta / (i + 1);
        m2 += delta * (x - mean);
      }
      const variance = m2 / N;
      const se = Math.sqrt(exact.variance / N);
      const slack = 5 * se + 1e-9 * Math.max(1, Math.abs(exact.mean));
      assert.ok(Math.abs(mean - exact.mean) <= slack, `${d.describe}: sample mean ${mean} vs exact ${exact.mean} (±${slack})`);
      if (!checkVariance) {
        // the mean check above is the sampling check for this case
      } else if (exact.variance > 1e-12 * scale2) {
        const rel = Math.abs(variance - exact.variance) / exact.variance;
        assert.ok(rel < 0.25, `${d.describe}: sample variance ${variance} vs exact ${exact.variance}`);
      } else {
        assert.ok(variance <= 1e-6 * scale2, `${d.describe}: sample variance ${variance} for a (near-)point mass`);
      }
    }),
    fcParams(120),
  );
});

test("excessOver(c), the mean of max(0, X − c), matches its sample estimate at thresholds across the distribution", () => {
  fc.assert(
    fc.property(specArb, fc.integer({ min: -300, max: 300 }).map((i) => i / 100), fc.nat(), ({ spec, exact }, k, seed) => {
      const d = distribution(spec);
      const c = exact.mean + k * Math.sqrt(exact.variance);
      const rng = new Simulation({ seed }).streams.get("excess");
      let mean = 0, m2 = 0, above = 0;
      for (let i = 0; i < N; i++) {
        const y = Math.max(0, d.sample(rng) - c);
        if (y > 0) above++;
        const delta = y - mean;
        mean += delta / (i + 1);
        m2 += delta * (y - mean);
      }
      const e = d.excessOver(c);
      // Sampling error of the clamped draw: its sample sd, unless few draws exceed c (a rare tail,
      // whose sample sd can be 0); then the exact bound Var ≤ E[(X − c)²] = variance + (mean − c)².
      // Plus the erfc approximation's share.
      const variance = above >= 50 ? m2 / N : exact.variance + (exact.mean - c) ** 2;
      const slack = 5 * Math.sqrt(variance / N) + 1e-6 * (Math.abs(exact.mean) + Math.abs(c) + Math.sqrt(exact.variance)) + 1e-9;
      assert.ok(Math.abs(e - mean) <= slack, `${d.describe}: excessOver(${c}) = ${e} vs sample ${mean} (±${slack})`);
      // Jensen's bound and the limits hold exactly, whatever the sampling.
      assert.ok(e >= Math.max(0, d.mean - c) - 1e-9 * (Math.abs(d.mean) + Math.abs(c) + 1), `${d.describe}: excessOver(${c}) = ${e} below max(0, mean − c)`);
    }),
    fcParams(120),
  );
});

test("gamma of whole shape n: excessOver agrees with the Erlang closed form (Q(n, x) = e^−x Σ_{k<n} x^k/k!)", () => {
  const erlangQ = (n: number, x: number) => {
    let term = 1, sum = 0;
    for (let k = 0; k < n; k++) {
      sum += term;
      term *= x / (k + 1);
    }
    return Math.exp(-x) * sum;
  };
  fc.assert(
    // x on an even grid: fc.double crowds near 0 and the bounds, where Q is trivially 1 or ~0.
    fc.property(fc.integer({ min: 1, max: 30 }), pos(0.1, 100), fc.integer({ min: 0, max: 6000 }).map((i) => i / 100), (n, scale, x) => {
      const c = x * scale;
      const want = n * scale * erlangQ(n + 1, x) - c * erlangQ(n, x);
      const got = distribution({ dist: "gamma", shape: n, scale }).excessOver(c);
      assert.ok(Math.abs(got - want) <= 1e-9 * n * scale, `gamma(${n}, ${scale}).excessOver(${c}) = ${got}, closed form ${want}`);
    }),
    fcParams(300),
  );
});

test("invalid parameters are rejected, naming the field", () => {
  const cases: Array<[DistributionSpec, string]> = [
    [{ dist: "exponential", mean: -1 }, "cost.mean"],
    [{ dist: "uniform", min: 3, max: 1 }, "cost.max"],
    [{ dist: "normal", mean: 0, sd: 1, min: 50, max: 60 }, "cost"],
    [{ dist: "gamma", shape: 0, scale: 1 }, "cost.shape"],
    [{ dist: "pareto", scale: 1, shape: NaN }, "cost.shape"],
    [{ dist: "empirical", samples: [] }, "cost.samples"],
    [{ dist: "empirical", quantiles: [[0, 1], [0.5, 0], [1, 2]] }, "cost.quantiles[1][1]"],
    [{ dist: "mixture", components: [{ weight: 1, of: { dist: "exponential", mean: 0 } }] }, "cost.components[0].of.mean"],
    [{ dist: "lognormal", sigma: 1 }, "cost"],
    [{ dist: "bogus" } as unknown as DistributionSpec, "cost.dist"],
  ];
  for (const [spec, path] of cases) {
    assert.throws(() => distribution(spec, "cost"), (e: unknown) => e instanceof SimulationInputError && (e as Error).message.startsWith(path), JSON.stringify(spec));
  }
});

test.run();
