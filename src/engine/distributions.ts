/**
 * Probability distributions with validated parameters and known moments. A distribution is
 * built once from a plain spec (as found in parameter files) and sampled from a named stream.
 */
import { SimulationInputError } from "./errors.js";
import type { RandomStream } from "./random.js";

export type DistributionSpec =
  | number
  | { readonly dist: "constant"; readonly value: number }
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "exponential"; readonly mean: number }
  | { readonly dist: "normal"; readonly mean: number; readonly sd: number; readonly min?: number; readonly max?: number }
  | { readonly dist: "lognormal"; readonly mu?: number; readonly median?: number; readonly sigma: number }
  | { readonly dist: "gamma"; readonly shape: number; readonly scale: number }
  | { readonly dist: "pareto"; readonly scale: number; readonly shape: number }
  | { readonly dist: "empirical"; readonly samples: readonly number[] }
  | { readonly dist: "empirical"; readonly quantiles: ReadonlyArray<readonly [number, number]> }
  | { readonly dist: "mixture"; readonly components: ReadonlyArray<{ readonly weight: number; readonly of: DistributionSpec }> }
  | { readonly dist: "shifted"; readonly shift: number; readonly of: DistributionSpec };

export interface Distribution {
  sample(rng: RandomStream): number;
  /** Exact mean (Infinity where it does not exist). */
  readonly mean: number;
  /** Exact variance (Infinity where it does not exist). */
  readonly variance: number;
  /**
   * E[max(0, X − c)], the mean excess over c. Users that clamp draws at 0 (times) have the mean
   * `excessOver(0)`, which exceeds `mean` when the distribution reaches below 0.
   */
  excessOver(c: number): number;
  readonly describe: string;
}

/** Builds a distribution; `path` names where the spec came from in error messages. */
export function distribution(spec: DistributionSpec, path = "distribution"): Distribution {
  if (typeof spec === "number") return constant(finite(spec, path));
  const p = (field: string) => `${path}.${field}`;
  switch (spec.dist) {
    case "constant":
      return constant(finite(spec.value, p("value")));
    case "uniform": {
      const min = finite(spec.min, p("min"));
      const max = finite(spec.max, p("max"));
      if (!(max >= min)) fail(p("max"), `≥ min (${min})`, max);
      const w = max - min;
      return { sample: (r) => min + w * r.uniform(), mean: (min + max) / 2, variance: (w * w) / 12, excessOver: (c) => uniformExcess(min, max, c), describe: `uniform(${min}, ${max})` };
    }
    case "exponential": {
      const mean = positive(spec.mean, p("mean"));
      return {
        sample: (r) => -mean * Math.log(r.uniformPositive()), mean, variance: mean * mean,
        excessOver: (c) => (c <= 0 ? mean - c : mean * Math.exp(-c / mean)),
        describe: `exponential(mean ${mean})`,
      };
    }
    case "normal":
      return normal(spec, path);
    case "lognormal": {
      const sigma = nonNegative(spec.sigma, p("sigma"));
      if ((spec.mu === undefined) === (spec.median === undefined)) fail(path, "exactly one of mu or median", JSON.stringify(spec));
      const mu = spec.mu !== undefined ? finite(spec.mu, p("mu")) : Math.log(positive(spec.median!, p("median")));
      const s2 = sigma * sigma;
      return {
        sample: (r) => Math.exp(mu + sigma * r.standardNormal()),
        mean: Math.exp(mu + s2 / 2),
        variance: (Math.exp(s2) - 1) * Math.exp(2 * mu + s2),
        // Black–Scholes: E[(X − c)+] = E[X]·Φ(d1) − c·Φ(d1 − σ).
        excessOver: (c) => {
          if (c <= 0) return Math.exp(mu + s2 / 2) - c;
          if (sigma === 0) return Math.max(0, Math.exp(mu) - c);
          const d1 = (mu + s2 - Math.log(c)) / sigma;
          return Math.exp(mu + s2 / 2) * normalCdf(d1) - c * normalCdf(d1 - sigma);
        },
        describe: `lognormal(median ${Math.exp(mu)}, sigma ${sigma})`,
      };
    }
    case "gamma": {
      const shape = positive(spec.shape, p("shape"));
      const scale = positive(spec.scale, p("scale"));
      return {
        sample: (r) => scale * gammaUnit(r, shape), mean: shape * scale, variance: shape * scale * scale,
        // E[X; X > c] − c·P(X > c), with Q the regularized upper incomplete gamma.
        excessOver: (c) => (c <= 0 ? shape * scale - c : shape * scale * gammaQ(shape + 1, c / scale) - c * gammaQ(shape, c / scale)),
        describe: `gamma(shape ${shape}, scale ${scale})`,
      };
    }
    case "pareto": {
      const xm = positive(spec.scale, p("scale"));
      const a = positive(spec.shape, p("shape"));
      return {
        sample: (r) => xm * Math.pow(r.uniformPositive(), -1 / a),
        mean: a > 1 ? (a * xm) / (a - 1) : Infinity,
        variance: a > 2 ? (xm * xm * a) / ((a - 1) * (a - 1) * (a - 2)) : Infinity,
        // ∫_c^∞ P(X > x) dx = xm^a·c^(1−a)/(a − 1) for c ≥ xm.
        excessOver: (c) => (a <= 1 ? Infinity : c <= xm ? (a * xm) / (a - 1) - c : (Math.pow(xm / c, a) * c) / (a - 1)),
        describe: `pareto(scale ${xm}, shape ${a})`,
      };
    }
    case "empirical":
      return "samples" in spec ? empiricalSamples(spec.samples, p("samples")) : empiricalQuantiles(spec.quantiles, p("quantiles"));
    case "mixture":
      return mixture(spec.components, p("components"));
    case "shifted": {
      const shift = finite(spec.shift, p("shift"));
      const inner = distribution(spec.of, p("of"));
      return {
        sample: (r) => shift + inner.sample(r), mean: shift + inner.mean, variance: inner.variance,
        excessOver: (c) => inner.excessOver(c - shift),
        describe: `${shift} + ${inner.describe}`,
      };
    }
    default:
      return fail(p("dist"), "one of constant, uniform, exponential, normal, lognormal, gamma, pareto, empirical, mixture, shifted", (spec as { dist: unknown }).dist);
  }
}

function constant(value: number): Distribution {
  return { sample: () => value, mean: value, variance: 0, excessOver: (c) => Math.max(0, value - c), describe: String(value) };
}

function normal(spec: { mean: number; sd: number; min?: number; max?: number }, path: string): Distribution {
  const mean = finite(spec.mean, `${path}.mean`);
  const sd = nonNegative(spec.sd, `${path}.sd`);
  const lo = spec.min === undefined ? -Infinity : finite(spec.min, `${path}.min`);
  const hi = spec.max === undefined ? Infinity : finite(spec.max, `${path}.max`);
  if (!(hi > lo)) fail(`${path}.max`, `> min (${lo})`, hi);
  if (sd === 0) {
    if (mean < lo || mean > hi) fail(`${path}.mean`, `within [min, max] when sd is 0`, mean);
    return constant(mean);
  }
  const a = (lo - mean) / sd;
  const b = (hi - mean) / sd;
  const mass = normalCdf(b) - normalCdf(a);
  if (!(mass > 1e-6)) fail(path, "a truncation interval holding at least 1e-6 of the normal's mass", `[${lo}, ${hi}] around mean ${mean}, sd ${sd}`);
  // Truncated-normal moments (Johnson, Kotz & Balakrishnan).
  const pa = Number.isFinite(a) ? normalPdf(a) : 0;
  const pb = Number.isFinite(b) ? normalPdf(b) : 0;
  const aa = Number.isFinite(a) ? a * pa : 0;
  const bb = Number.isFinite(b) ? b * pb : 0;
  const m = mean + (sd * (pa - pb)) / mass;
  const v = sd * sd * (1 + (aa - bb) / mass - ((pa - pb) / mass) ** 2);
  return {
    sample: (r) => {
      // Rejection: accepted with probability `mass` ≥ 1e-6 per draw.
      for (;;) {
        const x = mean + sd * r.standardNormal();
        if (x >= lo && x <= hi) return x;
      }
    },
    mean: m,
    variance: v,
    // ∫ (x − c) over [max(lo, c), hi] of the normal density, over the interval's mass.
    excessOver: (c) => {
      if (c >= hi) return 0;
      if (c <= lo) return m - c;
      const z = (c - mean) / sd;
      return ((mean - c) * (normalCdf(b) - normalCdf(z)) + sd * (normalPdf(z) - pb)) / mass;
    },
    describe: `normal(${mean}, sd ${sd}${Number.isFinite(lo) || Number.isFinite(hi) ? `, in [${lo}, ${hi}]` : ""})`,
  };
}

/** Marsaglia & Tsang (2000); shape < 1 through the U^(1/shape) boost. */
function gammaUnit(r: RandomStream, shape: number): number {
  if (shape < 1) return gammaUnit(r, shape + 1) * Math.pow(r.uniformPositive(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = r.standardNormal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r.uniformPositive();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function empiricalSamples(samples: readonly number[], path: string): Distribution {
  if (!Array.isArray(samples) || samples.length === 0) fail(path, "a non-empty list of numbers", JSON.stringify(samples));
  const xs = Float64Array.from(samples, (x, i) => finite(x, `${path}[${i}]`));
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x / n;
  let variance = 0;
  for (const x of xs) variance += (x - mean) ** 2 / n;
  const excessOver = (c: number) => {
    let e = 0;
    for (const x of xs) if (x > c) e += (x - c) / n;
    return e;
  };
  return { sample: (r) => xs[Math.floor(r.uniform() * n)]!, mean, variance, excessOver, describe: `empirical(${n} samples)` };
}

/** Piecewise-linear inverse CDF through (p, x) points with p from 0 to 1. */
function empiricalQuantiles(points: ReadonlyArray<readonly [number, number]>, path: string): Distribution {
  if (!Array.isArray(points) || points.length < 2) fail(path, "at least two [p, x] points", JSON.stringify(points));
  const ps = points.map((pt, i) => finite(pt[0], `${path}[${i}][0]`));
  const xs = points.map((pt, i) => finite(pt[1], `${path}[${i}][1]`));
  if (ps[0] !== 0 || ps[ps.length - 1] !== 1) fail(path, "probabilities starting at 0 and ending at 1", `${ps[0]} … ${ps[ps.length - 1]}`);
  for (let i = 1; i < ps.length; i++) {
    if (!(ps[i]! > ps[i - 1]!)) fail(`${path}[${i}][0]`, "strictly increasing probabilities", ps[i]);
    if (!(xs[i]! >= xs[i - 1]!)) fail(`${path}[${i}][1]`, "non-decreasing values", xs[i]);
  }
  let m1 = 0, m2 = 0;
  for (let i = 1; i < ps.length; i++) {
    const dp = ps[i]! - ps[i - 1]!, a = xs[i - 1]!, b = xs[i]!;
    m1 += ((a + b) / 2) * dp;
    m2 += ((a * a + a * b + b * b) / 3) * dp;
  }
  return {
    sample: (r) => {
      const u = r.uniform();
      let i = 1;
      while (ps[i]! < u) i++;
      const p0 = ps[i - 1]!, p1 = ps[i]!;
      return xs[i - 1]! + ((u - p0) / (p1 - p0)) * (xs[i]! - xs[i - 1]!);
    },
    mean: m1,
    variance: Math.max(0, m2 - m1 * m1),
    // Each segment is uniform over [x(i−1), x(i)] with probability p(i) − p(i−1).
    excessOver: (c) => {
      let e = 0;
      for (let i = 1; i < ps.length; i++) e += (ps[i]! - ps[i - 1]!) * uniformExcess(xs[i - 1]!, xs[i]!, c);
      return e;
    },
    describe: `empirical(${ps.length} quantiles)`,
  };
}

function mixture(components: ReadonlyArray<{ weight: number; of: DistributionSpec }>, path: string): Distribution {
  if (!Array.isArray(components) || components.length === 0) fail(path, "a non-empty list of {weight, of}", JSON.stringify(components));
  const weights = components.map((c, i) => positive(c.weight, `${path}[${i}].weight`));
  const parts = components.map((c, i) => distribution(c.of, `${path}[${i}].of`));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(((s) => (w: number) => (s += w / total))(0));
  cumulative[cumulative.length - 1] = 1;
  let mean = 0, m2 = 0;
  parts.forEach((d, i) => {
    const w = weights[i]! / total;
    mean += w * d.mean;
    m2 += w * (d.variance + d.mean * d.mean);
  });
  return {
    sample: (r) => {
      const u = r.uniform();
      let i = 0;
      while (cumulative[i]! <= u) i++;
      return parts[i]!.sample(r);
    },
    mean,
    variance: m2 - mean * mean,
    excessOver: (c) => parts.reduce((e, d, i) => e + (weights[i]! / total) * d.excessOver(c), 0),
    describe: `mixture(${parts.map((d, i) => `${(weights[i]! / total).toFixed(3)}×${d.describe}`).join(", ")})`,
  };
}

/** E[max(0, U − c)] for U uniform on [min, max] (a point mass when min = max). */
function uniformExcess(min: number, max: number, c: number): number {
  if (c <= min) return (min + max) / 2 - c;
  if (c >= max) return 0;
  return ((max - c) * (max - c)) / (2 * (max - min));
}

/** Q(s, x), the regularized upper incomplete gamma: series or Lentz's continued fraction (Numerical Recipes §6.2). */
function gammaQ(s: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + s * Math.log(x) - logGamma(s));
  if (x < s + 1) {
    let term = 1 / s, sum = term;
    for (let a = s; Math.abs(term) > Math.abs(sum) * 1e-15; ) sum += term *= x / ++a;
    return Math.max(0, 1 - sum * front);
  }
  const tiny = 1e-300;
  let b = x + 1 - s, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return front * h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = g[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Φ(x) via erfc (W. J. Cody's rational approximation as in Numerical Recipes, |ε| < 1.2e-7). */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

function finite(x: unknown, path: string): number {
  if (typeof x !== "number" || !Number.isFinite(x)) fail(path, "a finite number", x);
  return x as number;
}
function positive(x: unknown, path: string): number {
  const v = finite(x, path);
  if (!(v > 0)) fail(path, "a number > 0", v);
  return v;
}
function nonNegative(x: unknown, path: string): number {
  const v = finite(x, path);
  if (!(v >= 0)) fail(path, "a number ≥ 0", v);
  return v;
}
function fail(path: string, expected: string, found: unknown): never {
  throw new SimulationInputError(`${path}: expected ${expected}, found ${typeof found === "string" ? found : JSON.stringify(found)}`);
}
