import { test } from "uvu";
import * as assert from "uvu/assert";
import { figureSpec, figureSpecs, renderSvg } from "../src/reports/index.js";
import { evenlySpaced, MAX_AXIS_LABELS, MAX_CDF_POINTS, paddedDomain, thinnedTicks } from "../src/reports/figure-data.js";
import { textWidth, vegaTextWidth } from "../src/reports/text-metrics.js";
import type { ScenarioResult } from "../src/reports/results.js";
import type { FigureSpec } from "../src/reports/spec.js";
import { demo, lat, meta, run, tput } from "./reports-fixture.js";

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
  // 5000 distinct values, more than MAX_CDF_POINTS: thinned to exactly that many (first and last kept).
  assert.is(pts.length, MAX_CDF_POINTS);
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

// --- Rendering for a paper: colour, domains, facets, axis labels -------------------------------

const k = "model.params.kernel", c = "model.params.cores";
const layers = (spec: Spec): Spec[] => unit(spec).layer;
const byMark = (spec: Spec, type: string): Spec[] => layers(spec).filter((l) => l.mark.type === type);

/** Two kernels; nautilus's box has no spread at all (every value equal), linux's a wide one. */
function tight(): ScenarioResult {
  return {
    scenario: meta(),
    runs: [
      run(0, { [k]: "nautilus", [c]: 2 }, 0, [500, 500, 500, 500, 500].map((v) => lat(v, 0))),
      run(1, { [k]: "linux", [c]: 2 }, 0, [900, 2000, 4000, 8000, 90000].map((v) => lat(v, 0))),
      run(2, { [k]: "nautilus", [c]: 4 }, 0, [700, 700, 701, 702, 3].map((v) => lat(v, 1))),
      run(3, { [k]: "linux", [c]: 4 }, 0, [1000, 3000, 5000, 9000, 12000].map((v) => lat(v, 1))),
    ],
  };
}

/** Texts of each axis-label group in an SVG, in document order. */
function axisLabels(svg: string): string[][] {
  const groups = svg.split('<g class="mark-text role-axis-label"').slice(1);
  return groups.map((g) => [...g.slice(0, g.indexOf("</g>")).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!));
}

test("box: box, whiskers and median carry the series colour, so a zero-spread box stays identifiable", async () => {
  const built = figureSpec(tight(), fig({ kind: "box", x: "kernel", color: "kernel", column: "cores", logY: true }));
  const spec = built.vegaLite as Spec;
  const [box, ...rest] = layers(spec);
  assert.is(box!.mark.type, "bar");
  assert.is(box!.encoding.color.field, "color");
  assert.is(box!.encoding.stroke.field, "color", "box outline in the series colour");
  assert.ok(box!.mark.fillOpacity < 1, "translucent box, so the median shows inside it");
  const whiskers = byMark(spec, "rule"), median = byMark(spec, "tick")[0]!;
  assert.is(whiskers.length, 2);
  for (const l of [...whiskers, median]) {
    assert.is(l.encoding.color.field, "color", `${l.mark.type} coloured by series`);
    assert.is(l.mark.color, undefined, `${l.mark.type} has no fixed colour`);
  }
  assert.is(median.encoding.y.field, "median");
  assert.equal(whiskers.map((w) => [w.encoding.y.field, w.encoding.y2.field]), [["lower", "q1"], ["q3", "upper"]]);
  assert.ok(rest.every((l) => l.mark.color === undefined));

  // Rendered: nautilus's (zero-height) box still draws its median in nautilus's colour.
  const svg = await renderSvg(spec);
  const ticks = svg.slice(svg.indexOf('aria-roledescription="tick"'));
  assert.match(ticks, /fill="#0072B2"/);
  assert.match(ticks, /fill="#E69F00"/);
  assert.not.match(svg, /fill="#111111"/, "no black median");

  // A single series still gets a palette colour, not Vega's default or black.
  const single = figureSpec(tight(), fig({ kind: "box", x: "kernel" })).vegaLite as Spec;
  assert.equal(byMark(single, "tick")[0]!.encoding.color, { value: "#0072B2" });
});

test("side-by-side offset only when an x category holds several colours", () => {
  const same = figureSpec(tight(), fig({ kind: "box", x: "kernel", color: "kernel" })).vegaLite as Spec;
  assert.is(layers(same)[0]!.encoding.xOffset, undefined, "colour = x: one box per category, centred");
  const mixed = figureSpec(tight(), fig({ kind: "box", x: "cores", color: "kernel" })).vegaLite as Spec;
  assert.is(layers(mixed)[0]!.encoding.xOffset.field, "color");
});

test("log value axis: padded domain from the data holds every plotted value, off the frame", () => {
  for (const kind of ["box", "strip", "line", "bar"] as const) {
    const spec = figureSpec(tight(), fig({ kind, x: "kernel", color: "kernel", column: "cores", logY: true })).vegaLite as Spec;
    const plotted = values(spec).flatMap((d) => ["lower", "upper", "q1", "q3", "median", "value", "mean", "hi"]
      .map((f) => d[f]).filter((v): v is number => typeof v === "number"));
    const scale = layers(spec)[0]!.encoding.y.scale;
    assert.is(scale.type, "log", kind);
    assert.is(scale.nice, false, `${kind}: nice would round out to whole decades`);
    const [lo, hi] = scale.domain as [number, number];
    const min = Math.min(...plotted), max = Math.max(...plotted);
    assert.ok(lo < min && hi > max, `${kind}: [${lo}, ${hi}] strictly contains [${min}, ${max}]`);
    // Padding: a fraction of the span each side, not decades of empty panel.
    const span = Math.log10(max / min);
    assert.ok(Math.log10(min / lo) <= 0.1 * span + 1e-9 && Math.log10(hi / max) <= 0.1 * span + 1e-9, `${kind}: too much padding`);
    assert.ok(layers(spec).every((l) => l.mark.clip === true), `${kind}: marks clipped to the panel`);
  }
});

test("paddedDomain: fractions of the span, decades on log, zero kept for bars", () => {
  const [lo, hi] = paddedDomain([10, 1000], true)!;
  assert.ok(Math.abs(Math.log10(lo) - (1 - 0.1)) < 1e-12 && Math.abs(Math.log10(hi) - (3 + 0.1)) < 1e-12);
  assert.equal(paddedDomain([0, -3, 100], true)!.map((v) => Math.round(Math.log10(v) * 1000) / 1000), [1.9, 2.1], "≤ 0 ignored; single value ±0.1 decade");
  assert.equal(paddedDomain([10, 30], false), [9, 31]);
  assert.equal(paddedDomain([10, 30], false, true), [0, 31.5], "zero: from 0, padded only away from it");
  assert.equal(paddedDomain([-10, -30], false, true), [-31.5, 0]);
  assert.is(paddedDomain([], true), undefined);
  assert.is(paddedDomain([NaN, Infinity], false), undefined);
  // Narrow log spans still get a visible margin.
  const [a, b] = paddedDomain([100, 101], true)!;
  assert.ok(a < 100 && b > 101 && a > 95 && b < 106, `${a} ${b}`);
});

test("bars on a log axis rise from the panel's floor (not from a stacked zero), CI clamped to it", async () => {
  const r: ScenarioResult = {
    scenario: meta({ sweepKeys: ["op"] }),
    runs: [
      run(0, { op: "fast" }, 0, [tput(0.002)]), run(1, { op: "fast" }, 1, [tput(0.003)]),
      run(2, { op: "slow" }, 0, [tput(900)]), run(3, { op: "slow" }, 1, [tput(1000)]),
    ],
  };
  const spec = figureSpec(r, fig({ kind: "bar", metric: "throughput", x: "op", logY: true })).vegaLite as Spec;
  assert.is(layers(spec)[0]!.encoding.y.stack, null);
  // The "fast" CI (t with 1 df) reaches below zero: drawn down to the floor, not dropped.
  assert.ok(values(spec)[0]!.lo < 0);
  assert.match(JSON.stringify(layers(spec)[1]!.transform), /max\(datum\.lo, /);
  const svg = await renderSvg(spec);
  const bars = svg.slice(svg.indexOf("layer_0_marks"), svg.indexOf("layer_1_marks"));
  const heights = [...bars.matchAll(/d="M[^,]+,[^h]+h[^v]+v([^h]+)h/g)].map((m) => Number(m[1]));
  assert.is(heights.length, 2);
  assert.ok(heights.every((h) => h > 1), `bar heights ${heights}`);
});

test("faceted, categorical x: each panel its own categories (x independent, y shared)", async () => {
  const r: ScenarioResult = {
    scenario: meta(),
    runs: [
      run(0, { [k]: "a", [c]: 2 }, 0, [1, 2, 3].map((v) => lat(v * 10, v))),
      run(1, { [k]: "b", [c]: 2 }, 0, [1, 2, 3, 4, 5].map((v) => lat(v * 10, v * 100))),
    ],
  };
  const spec = figureSpec(r, fig({ kind: "box", x: "core", column: "kernel", logY: true })).vegaLite as Spec;
  assert.is(spec.resolve.scale.x, "independent");
  assert.is(spec.resolve.scale.y, undefined, "y shared so panels compare");
  const labels = axisLabels(await renderSvg(spec)).map((g) => g.join());
  assert.ok(labels.includes("1,2,3") && labels.includes("100,200,300,400,500"), JSON.stringify(labels));
  assert.ok(!labels.some((g) => g.startsWith("1,2,3,100")), "no panel shows the other's categories");

  // Quantitative x (CDF, numeric line) stays shared; unfaceted figures need no resolution.
  assert.is((figureSpec(r, fig({ kind: "cdf", column: "kernel" })).vegaLite as Spec).resolve, undefined);
  assert.is((figureSpec(r, fig({ kind: "box", x: "core" })).vegaLite as Spec).resolve, undefined);
});

test("thinnedTicks: every 2ᵏ-th CPU within MAX_AXIS_LABELS; short axes untouched", () => {
  const cpus = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  assert.equal(thinnedTicks(cpus(63)), [1, 8, 16, 24, 32, 40, 48, 56]);
  assert.equal(thinnedTicks(cpus(227)), [1, 32, 64, 96, 128, 160, 192, 224]);
  assert.is(thinnedTicks(cpus(MAX_AXIS_LABELS)), undefined);
  const odd = Array.from({ length: 40 }, (_, i) => 2 * i + 1);
  // No odd CPU is a multiple of 2ᵏ (the first alone is too few): every 4th category (every 2nd leaves 20, over MAX_AXIS_LABELS).
  assert.ok(odd.length / 4 <= MAX_AXIS_LABELS && MAX_AXIS_LABELS < odd.length / 2, "the premise: 4 is the smallest step that fits");
  assert.equal(thinnedTicks(odd), odd.filter((_, i) => i % 4 === 0));
  const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
  assert.equal(thinnedTicks(names), ["n0", "n4", "n8", "n12", "n16", "n20", "n24", "n28"]);
});

test("per-CPU x: labels thinned per panel (63 and 227 CPUs side by side)", async () => {
  const cpus = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const r: ScenarioResult = {
    scenario: meta(),
    runs: [
      run(0, { [k]: "x64", [c]: 64 }, 0, cpus(63).map((i) => lat(1000 + i, i))),
      run(1, { [k]: "phi", [c]: 228 }, 0, cpus(227).map((i) => lat(3000 + i, i))),
    ],
  };
  const spec = figureSpec(r, fig({ kind: "box", x: "core", column: "kernel", logY: true })).vegaLite as Spec;
  assert.equal(Object.keys(layers(spec)[0]!.encoding.x.axis.values), ["expr"]);
  const labels = axisLabels(await renderSvg(spec));
  assert.ok(labels.some((g) => g.join() === "1,8,16,24,32,40,48,56"), JSON.stringify(labels));
  assert.ok(labels.some((g) => g.join() === "1,32,64,96,128,160,192,224"), JSON.stringify(labels));

  // One panel: a plain list of tick values.
  const one = figureSpec(r, fig({ kind: "box", x: "core", where: { kernel: "x64" } })).vegaLite as Spec;
  assert.equal(layers(one)[0]!.encoding.x.axis.values, [1, 8, 16, 24, 32, 40, 48, 56]);
});

test("long category names are slanted and all kept; short ones stay upright", async () => {
  const ops = ["null-hypercall", "state-hypercall", "merge", "async-invoke", "sync-setup", "sync-invoke", "sync-teardown",
    "hrt-boot-early-ping", "hrt-boot-full", "hrt-boot-vmm-setup", "function-call", "linux-syscall"];
  const r: ScenarioResult = { scenario: meta({ sweepKeys: ["op"] }), runs: ops.map((op, i) => run(i, { op }, 0, [tput(i + 1)])) };
  const spec = figureSpec(r, fig({ kind: "bar", metric: "throughput", x: "op" })).vegaLite as Spec;
  assert.is(layers(spec)[0]!.encoding.x.axis.labelAngle, -45);
  const x = axisLabels(await renderSvg(spec)).find((g) => g.includes("merge"))!;
  assert.equal(x, ops, "every label drawn, none truncated");
  assert.is(layers(figureSpec(demo(), fig({ kind: "box", x: "kernel" })).vegaLite as Spec)[0]!.encoding.x.axis.labelAngle, 0);
});

test("text metrics: proportional widths, limits respected", () => {
  assert.ok(textWidth("mmmm", 12) > 2 * textWidth("iiii", 12));
  assert.ok(Math.abs(textWidth("0", 10) - 5.56 * 1.1) < 1e-9);
  assert.ok(textWidth("Title", 12, true) > textWidth("Title", 12));
  assert.is(vegaTextWidth({ fontSize: 12, limit: 20 }, "a rather long label"), 20);
  assert.is(vegaTextWidth({ fontSize: 12 }, "  x  "), textWidth("x", 12));
  assert.is(vegaTextWidth({}, null), 0);
});

test("renderSvg: faceted per-CPU and log-bar figures render byte-identically", async () => {
  const r = tight();
  for (const f of [fig({ kind: "box", x: "core", color: "kernel", column: "cores", logY: true }), fig({ kind: "bar", x: "kernel", logY: true })]) {
    const spec = figureSpec(r, f).vegaLite;
    const a = await renderSvg(spec);
    assert.is(a, await renderSvg(JSON.parse(JSON.stringify(spec))));
  }
});

test.run();
