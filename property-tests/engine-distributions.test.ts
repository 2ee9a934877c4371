/**
 * Every distribution against its known moments: for random valid parameters, the sample mean of
 * n draws lies within 5 standard errors of the exact mean, and (where the fourth moment exists)
 * the sample variance within a loose band of the exact variance. Invalid parameters are
 * rejected with the field path.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation, SimulationInputError, distribution, type DistributionSpec } from "../src/engine/index.js";
import { fcParams } from "./config.js";

const N = 20_000;
const pos = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

const specArb: fc.Arbitrary<{ spec: DistributionSpec; checkVariance: boolean }> = fc.oneof(
  pos(-1e3, 1e3).map((v) => ({ spec: { dist: "constant" as const, value: v }, checkVariance: true })),
  fc.tuple(pos(-1e3, 1e3), pos(0.01, 1e3)).map(([a, w]) => ({ spec: { dist: "uniform" as const, min: a, max: a + w }, checkVariance: true })),
  pos(0.01, 1e4).map((m) => ({ spec: { dist: "exponential" as const, mean: m }, checkVariance: true })),
  fc.tuple(pos(-100, 100), pos(0.1, 50)).map(([m, sd]) => ({ spec: { dist: "normal" as const, mean: m, sd }, checkVariance: true })),
  fc.tuple(pos(-100, 100), pos(0.1, 50), pos(-2, 1), pos(0.2, 3)).map(([m, sd, a, w]) => ({
    spec: { dist: "normal" as const, mean: m, sd, min: m + a * sd, max: m + (a + w) * sd },
    checkVariance: true,
  })),
  fc.tuple(pos(1, 1e4), pos(0.01, 0.6)).map(([med, s]) => ({ spec: { dist: "lognormal" as const, median: med, sigma: s }, checkVariance: true })),
  fc.tuple(pos(0.2, 20), pos(0.1, 100)).map(([k, th]) => ({ spec: { dist: "gamma" as const, shape: k, scale: th }, checkVariance: true })),
  fc.tuple(pos(1, 100), pos(4.5, 12)).map(([xm, a]) => ({ spec: { dist: "pareto" as const, scale: xm, shape: a }, checkVariance: true })),
  fc.array(pos(-50, 50), { minLength: 1, maxLength: 30 }).map((xs) => ({ spec: { dist: "empirical" as const, samples: xs }, checkVariance: true })),
  fc.array(pos(0, 10), { minLength: 1, maxLength: 6 }).map((steps) => {
    const xs = steps.reduce<number[]>((acc, d) => [...acc, acc[acc.length - 1]! + d], [0]);
    const quantiles = xs.map((x, i) => [i / (xs.length - 1), x] as [number, number]);
    return { spec: { dist: "empirical" as const, quantiles }, checkVariance: true };
  }),
  fc.tuple(pos(0.1, 5), pos(1, 100), pos(0.1, 5), pos(200, 500)).map(([w1, m1, w2, m2]) => ({
    spec: { dist: "mixture" as const, components: [{ weight: w1, of: { dist: "exponential" as const, mean: m1 } }, { weight: w2, of: { dist: "uniform" as const, min: m2, max: m2 + 10 } }] },
    checkVariance: true,
  })),
  fc.tuple(pos(-1e3, 1e3), pos(1, 100)).map(([s, m]) => ({ spec: { dist: "shifted" as const, shift: s, of: { dist: "exponential" as const, mean: m } }, checkVariance: true })),
);

test("sample moments match each distribution's exact moments", () => {
  fc.assert(
    fc.property(specArb, fc.nat(), ({ spec, checkVariance }, seed) => {
      const d = distribution(spec);
      const rng = new Simulation({ seed }).streams.get("moments");
      let sum = 0, sum2 = 0;
      for (let i = 0; i < N; i++) {
        const x = d.sample(rng);
        sum += x;
        sum2 += x * x;
      }
      const mean = sum / N;
      const variance = Math.max(0, sum2 / N - mean * mean);
      const se = Math.sqrt(d.variance / N);
      const slack = 5 * se + 1e-9 * Math.max(1, Math.abs(d.mean));
      assert.ok(Math.abs(mean - d.mean) <= slack, `${d.describe}: sample mean ${mean} vs exact ${d.mean} (±${slack})`);
      if (checkVariance && d.variance > 0) {
        const rel = Math.abs(variance - d.variance) / d.variance;
        assert.ok(rel < 0.25, `${d.describe}: sample variance ${variance} vs exact ${d.variance}`);
      }
    }),
    fcParams(120),
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
