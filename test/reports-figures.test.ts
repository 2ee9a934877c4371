import { test } from "uvu";
import * as assert from "uvu/assert";
import { figureSpec, figureSpecs, renderSvg } from "../src/reports/index.js";
import { evenlySpaced, MAX_CDF_POINTS } from "../src/reports/figure-data.js";
import type { ScenarioResult } from "../src/reports/results.js";
import type { FigureSpec } from "../src/reports/spec.js";
import { demo, lat, meta, run } from "./reports-fixture.js";

type Spec = Record<string, any>;
const fig = (over: Partial<FigureSpec>): FigureSpec => ({ name: "f", title: "F", kind: "line", metric: "latency", ...over });
const values = (spec: Spec): Array<Record<string, any>> => spec.data.values;
/** The unit spec (layers, size), whether or not the figure is faceted. */
const unit = (spec: Spec): Spec => spec.spec ?? spec;

test("line: mean of replication means with a t CI, per x and colour", () => {
  const built = figureSpec(demo(), fig({ x: "kernel", color: "cores" }));
  const data = values(built.vegaLite);
  assert.equal(data.map((d) => [d.x, d.color]), [["nautilus", 2], ["linux", 2]]);
  // nautilus replication means 2 and 4 → 3 ± 12.706·√2/√2.
  assert.is(data[0]!.mean, 3);
  assert.ok(Math.abs(data[0]!.lo - (3 - 12.706204736)) < 1e-6);
  assert.ok(Math.abs(data[0]!.hi - (3 + 12.706204736)) < 1e-6);
  assert.is(data[0]!.replications, 2);
  const layers = unit(built.vegaLite).layer;
  assert.equal(layers.map((l: Spec) => l.mark.type), ["line", "errorband"]);
  assert.is(layers[0].encoding.y.title, "latency (cycles)");
  assert.is(layers[0].encoding.x.title, "kernel");
  assert.equal(layers[0].encoding.x.sort, ["nautilus", "linux"], "categories keep data order");
  assert.is((built.vegaLite as Spec).config.font, "sans-serif");
  assert.is(built.problem, undefined);
});

test("line: numeric x is quantitative, log axes honoured, titles overridable", () => {
  const r: ScenarioResult = {
    scenario: meta({ sweepKeys: ["n"] }),
    runs: [1, 4, 2].map((n, i) => run(i, { n }, 0, [lat(n * 10, 0)])),
  };
  const built = figureSpec(r, fig({ x: "n", logX: true, logY: true, xTitle: "threads", yTitle: "time" }));
  const enc = unit(built.vegaLite).layer[0].encoding;
  assert.is(enc.x.type, "quantitative");
  assert.is(enc.x.scale.type, "log");
  assert.is(enc.y.scale.type, "log");
  assert.is(enc.x.title, "threads");
  assert.is(enc.y.title, "time");
  assert.equal(enc.x.axis.values, [1, 2, 4]);
});

test("where filters (list = any of) and facets", () => {
  const built = figureSpec(demo(), fig({ kind: "box", x: "kernel", column: "core", where: { kernel: ["linux"] } }));
  const boxes = values(built.vegaLite).filter((d) => d.part === "box");
  assert.equal(boxes.map((d) => [d.x, d.column]), [["linux", 0], ["linux", 1]]);
  assert.ok((built.vegaLite as Spec).facet.column);
  assert.is((built.vegaLite as Spec).facet.row, undefined);
  assert.ok(Array.isArray((built.vegaLite as Spec).spec.layer));
  assert.match(JSON.stringify(built.vegaLite.title), /kernel in \[linux\]/);
});

test("box: quartiles, whiskers within 1.5 IQR, outliers listed", () => {
  const r: ScenarioResult = { scenario: meta(), runs: [run(0, { "model.params.kernel": "k", "model.params.cores": 1 }, 0, [1, 2, 3, 4, 100].map((v) => lat(v, 0)))] };
  const data = values(figureSpec(r, fig({ kind: "box", x: "kernel" })).vegaLite);
  const box = data.find((d) => d.part === "box")!;
  assert.equal([box.q1, box.median, box.q3, box.lower, box.upper, box.n], [2, 3, 4, 1, 4, 5]);
  assert.equal(data.filter((d) => d.part === "outlier").map((d) => d.value), [100]);
});

test("cdf: step points per colour, ties collapsed; downsampled deterministically", () => {
  const data = values(figureSpec(demo(), fig({ kind: "cdf", color: "kernel" })).vegaLite);
  const naut = data.filter((d) => d.color === "nautilus").map((d) => [d.value, d.fraction]);
  assert.equal(naut, [[1, 1 / 6], [2, 2 / 6], [3, 4 / 6], [4, 5 / 6], [5, 1]]);

  const many = Array.from({ length: 5000 }, (_, i) => lat(i * 0.5, 0));
  const big: ScenarioResult = { scenario: meta(), runs: [run(0, { "model.params.kernel": "k", "model.params.cores": 1 }, 0, many)] };
  const pts = values(figureSpec(big, fig({ kind: "cdf" })).vegaLite);
  assert.ok(pts.length <= MAX_CDF_POINTS && pts.length > 300, `${pts.length}`);
  assert.equal(pts[0], { value: 0, fraction: 1 / 5000 });
  assert.equal(pts[pts.length - 1], { value: 2499.5, fraction: 1 });
  assert.equal(pts, values(figureSpec(big, fig({ kind: "cdf" })).vegaLite));
});

test("evenlySpaced keeps extremes and respects the cap", () => {
  assert.equal(evenlySpaced([1, 2, 3], 5), [1, 2, 3]);
  const s = evenlySpaced(Array.from({ length: 1001 }, (_, i) => i), 11);
  assert.equal(s, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
});

test("strip and bar: raw values per category; bar has CI rules", () => {
  const strip = figureSpec(demo(), fig({ kind: "strip", x: "kernel", color: "core" }));
  assert.is(values(strip.vegaLite).length, 12);
  assert.ok(unit(strip.vegaLite).layer[0].encoding.xOffset);
  const bar = figureSpec(demo(), fig({ kind: "bar", metric: "throughput", x: "kernel" }));
  assert.equal(values(bar.vegaLite).map((d) => [d.x, d.mean]), [["nautilus", 110], ["linux", 60]]);
  assert.equal(unit(bar.vegaLite).layer.map((l: Spec) => l.mark.type), ["bar", "rule"]);
  assert.is(unit(bar.vegaLite).layer[0].encoding.y.title, "throughput (ops/s)");
});

test("log axis drops non-positive values and says so", () => {
  const r: ScenarioResult = { scenario: meta(), runs: [run(0, { "model.params.kernel": "k", "model.params.cores": 1 }, 0, [0, -1, 5].map((v) => lat(v, 0)))] };
  const built = figureSpec(r, fig({ kind: "strip", x: "kernel", logY: true }));
  assert.equal(values(built.vegaLite).map((d) => d.value), [5]);
  assert.match(JSON.stringify(built.vegaLite.title), /2 value\(s\) ≤ 0 omitted/);
});

test("unknown fields and missing metric are reported, not thrown", () => {
  const built = figureSpec(demo(), fig({ metric: "nope", x: "bogus", where: { also: 1 } }));
  assert.ok(built.problem);
  assert.match(built.problem!, /unknown filter field\(s\): also/);
  assert.match(built.problem!, /no observations of metric "nope"/);
  assert.match(built.problem!, /unknown x field "bogus"/);
  assert.equal(values(built.vegaLite), []);
  assert.match(figureSpec(demo(), fig({ kind: "line" })).problem ?? "", /needs an x field/);
  assert.is(figureSpec(demo(), fig({ kind: "box" })).problem, undefined, "box without x is one box");
});

test("figureSpecs follows the scenario's declared figures", () => {
  const r = demo({ figures: [fig({ name: "a" }), fig({ name: "b", kind: "cdf" })] });
  assert.equal(figureSpecs(r).map((f) => f.name), ["a", "b"]);
});

test("renderSvg: every kind renders to SVG, byte-identical across calls", async () => {
  const kinds: Array<Partial<FigureSpec>> = [
    { kind: "line", x: "kernel", color: "core" },
    { kind: "box", x: "kernel", color: "core", logY: true },
    { kind: "cdf", color: "kernel", column: "core", logX: true },
    { kind: "strip", x: "kernel", row: "core" },
    { kind: "bar", x: "kernel", color: "core" },
    { kind: "line", metric: "nope", x: "kernel", logY: true },
  ];
  for (const k of kinds) {
    const spec = figureSpec(demo(), fig(k)).vegaLite;
    const [a, b] = await Promise.all([renderSvg(spec), renderSvg(spec)]);
    assert.ok(a.startsWith("<svg"), `${k.kind}: ${a.slice(0, 40)}`);
    assert.ok(a.includes("</svg>"));
    assert.is(a, b, `${k.kind} SVG differs between renders`);
    assert.is(a, await renderSvg(JSON.parse(JSON.stringify(spec))), `${k.kind} not a pure function of the spec`);
  }
});

test("renderSvg: white background and axis title with unit", async () => {
  const svg = await renderSvg(figureSpec(demo(), fig({ x: "kernel" })).vegaLite);
  assert.match(svg, /fill="white"/);
  assert.ok(svg.includes("latency (cycles)"));
  assert.ok(svg.includes("sans-serif"));
});

test.run();
