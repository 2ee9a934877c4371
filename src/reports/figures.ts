/**
 * Figures: a Vega-Lite spec per FigureSpec (data inlined, so the .vl.json stands alone),
 * rendered to SVG headless. Styled for a systems paper: white, light grid, colour-blind-safe
 * palette, panels ~600 px wide.
 */
import { compile, type TopLevelSpec } from "vega-lite";
import * as vega from "vega";
import { View, parse, resetSVGDefIds, Error as VegaErrorLevel } from "vega";
import { describeWhere } from "./common.js";
import {
  boxData, cdfData, coloursShareX, meanData, paddedDomain, panelXDomains, prepare, replicationCount, stripData, thinnedTicks,
  type Channel, type ChannelName, type Datum, type Prepared,
} from "./figure-data.js";
import type { ScenarioResult } from "./results.js";
import type { FigureSpec } from "./spec.js";
import { textWidth, vegaTextWidth } from "./text-metrics.js";

export type VegaLiteSpec = Record<string, unknown>;

export interface BuiltFigure {
  readonly name: string;
  readonly title: string;
  readonly vegaLite: VegaLiteSpec;
  /** Why the figure is empty or incomplete (also shown in its subtitle). */
  readonly problem?: string;
}

const PANEL_WIDTH = 520;
const PANEL_HEIGHT = 300;
/** Okabe–Ito: distinguishable with common colour-vision deficiencies and in greyscale print. */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

export const FIGURE_CONFIG = {
  font: "sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: "#bbbbbb" },
  axis: {
    grid: true, gridColor: "#e8e8e8", domainColor: "#444444", tickColor: "#444444",
    labelFontSize: 12, titleFontSize: 13, titleFontWeight: "normal", labelColor: "#222222", titleColor: "#222222",
    labelOverlap: true,
  },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: "normal" },
  header: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: "normal" },
  title: { fontSize: 15, fontWeight: "bold", anchor: "start", subtitleFontSize: 12, subtitleColor: "#555555" },
  range: { category: PALETTE },
  line: { strokeWidth: 2 },
  point: { size: 36, filled: true },
} as const;

/** "model.params.kernel" reads as "kernel" on an axis. */
function shortName(field: string): string {
  return field.slice(field.lastIndexOf(".") + 1);
}

function metricTitle(result: ScenarioResult, metric: string): string {
  const unit = result.scenario.metrics.find((m) => m.name === metric)?.unit ?? "";
  return unit ? `${metric} (${unit})` : metric;
}

type Enc = Record<string, unknown>;

/** The numbers in `fields` of the plotted data, for an axis domain. */
function numbers(data: readonly Datum[], fields: readonly string[]): number[] {
  return data.flatMap((d) => fields.map((f) => d[f]).filter((v): v is number => typeof v === "number"));
}

/**
 * A quantitative scale whose domain is the data's, padded (see paddedDomain) so no mark sits on
 * the frame. Log "nice" would round out to whole decades and leave most of the panel empty, so
 * no rounding; marks are clipped to the panel (see `mark`) in case anything still falls outside.
 */
function dataScale(log: boolean | undefined, values: readonly number[], zero = false): Enc {
  const domain = paddedDomain(values, log === true, zero);
  return { ...(log ? { type: "log" } : { zero: false }), ...(domain ? { domain } : {}), nice: false };
}

/** A mark clipped to its panel. */
function mark(type: string, extra: Enc = {}): Enc {
  return { type, clip: true, ...extra };
}

/** Encoding of a categorical channel, kept in the data's order (not Vega's alphabetical default). */
function categorical(ch: Channel, name: ChannelName, title?: string): Enc {
  return { field: name, type: ch.numeric ? "ordinal" : "nominal", title: title ?? shortName(ch.field), sort: ch.domain };
}

/** Colour by the colour channel, or the palette's first colour for a single series. */
function colorEncoding(p: Prepared): Enc {
  const ch = p.channels.color;
  if (!ch) return { color: { value: PALETTE[0] } };
  return { color: { field: "color", type: "nominal", title: shortName(ch.field), scale: { domain: ch.domain } } };
}

/** Colour groups sit side by side within an x category, when a category holds more than one. */
function offsetEncoding(p: Prepared): Enc {
  const ch = p.channels.color;
  const offset = ch && coloursShareX(p) ? { xOffset: { field: "color", type: "nominal", scale: { domain: ch.domain } } } : {};
  return { ...offset, ...colorEncoding(p) };
}

/** The x scale of one facet panel, as Vega-Lite names it when x is resolved independently. */
const PANEL_X_SCALE = "child_x";

/**
 * Tick values of a long numeric categorical x (per-CPU): every 2ᵏ-th category, chosen per panel
 * (x64's 63 CPUs get every 8th, the Phi's 227 every 32nd). Panels differing, each looks its ticks
 * up by its own categories; values outside a panel's categories are not drawn.
 */
function axisValues(p: Prepared): Enc {
  if (!p.channels.x?.numeric) return {};
  const panels = panelXDomains(p).map((domain) => ({ domain, ticks: thinnedTicks(domain) ?? domain }));
  if (!panels.some((panel) => panel.ticks !== panel.domain)) return {};
  const lists = new Set(panels.map((panel) => JSON.stringify(panel.ticks)));
  if (lists.size === 1) return { values: panels[0]!.ticks };
  const table = Object.fromEntries(panels.map((panel) => [panel.domain.join(","), panel.ticks]));
  const domain = `domain(${JSON.stringify(PANEL_X_SCALE)})`;
  return { values: { expr: `${JSON.stringify(table)}[join(${domain}, ",")] || ${domain}` } };
}

/**
 * Categorical x, in data order. A long numeric one is ticked and labelled sparsely (axisValues).
 * Other labels are all kept: upright when they fit their bands, else slanted. (Vega's overlap check
 * would drop slanted labels that don't touch, judging by their upright bounding boxes.)
 */
function xCategory(p: Prepared, fig: FigureSpec): Enc {
  const ch = p.channels.x;
  if (!ch) return {};
  const values = axisValues(p);
  const bands = Math.max(1, ...panelXDomains(p).map((d) => d.length));
  const step = (0.9 * PANEL_WIDTH) / bands;
  // Narrow bands (hundreds of CPUs): keep the end categories' outliers ~4 px clear of the frame.
  const margin = 4 / (PANEL_WIDTH / bands);
  const scale = margin > 0.2 ? { scale: { paddingOuter: Math.round(margin * 100) / 100 } } : {};
  const longest = Math.max(0, ...ch.domain.map((v) => textWidth(String(v), FIGURE_CONFIG.axis.labelFontSize)));
  const labels = "values" in values ? { labelAngle: 0, ...values }
    : longest <= step ? { labelAngle: 0 }
    // Slanted labels ≥ 18 px apart don't touch, though their upright bounding boxes do.
    : { labelAngle: -45, labelLimit: 200, ...(step >= 18 ? { labelOverlap: false } : {}) };
  return { x: { ...categorical(ch, "x", fig.xTitle), ...scale, axis: labels } };
}

/** Whether the figure's x is categorical (a band per value) rather than a quantitative axis. */
function categoricalX(p: Prepared, fig: FigureSpec): boolean {
  return fig.kind === "cdf" ? false : fig.kind === "line" ? p.channels.x?.numeric !== true : p.channels.x !== undefined;
}

/** On a log axis a CI reaching ≤ 0 is drawn down to the panel's floor (its true end is off-scale). */
function ciFloor(log: boolean | undefined, scale: Enc): Enc {
  const domain = scale.domain as [number, number] | undefined;
  return log && domain ? { transform: [{ calculate: `max(datum.lo, ${domain[0]})`, as: "lo" }] } : {};
}

function lineLayers(p: Prepared, fig: FigureSpec, yTitle: string, data: Datum[]): unknown[] {
  const ch = p.channels.x;
  const x = ch?.numeric
    ? {
        field: "x", type: "quantitative", title: fig.xTitle ?? shortName(ch.field), scale: dataScale(fig.logX, numbers(data, ["x"])),
        // Ticks at the swept values themselves, when few enough to label.
        ...(ch.domain.length <= 16 ? { axis: { values: ch.domain } } : {}),
      }
    : ch ? xCategory(p, fig).x : { value: 0 };
  const scale = dataScale(fig.logY, numbers(data, ["lo", "mean", "hi"]));
  const y = { type: "quantitative", title: yTitle, scale };
  const color = colorEncoding(p);
  return [
    // Line first: a shared legend takes its symbol from the first layer (a faint band otherwise).
    { mark: mark("line", { point: true }), encoding: { x, y: { ...y, field: "mean" }, ...color } },
    { ...ciFloor(fig.logY, scale), mark: mark("errorband", { opacity: 0.25 }), encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, ...color } },
  ];
}

function barLayers(p: Prepared, fig: FigureSpec, yTitle: string, data: Datum[]): unknown[] {
  const scale = dataScale(fig.logY, numbers(data, ["lo", "mean", "hi"]), !fig.logY);
  const y = { type: "quantitative", title: yTitle, scale };
  const enc = { ...xCategory(p, fig), ...offsetEncoding(p) };
  // Means side by side, never stacked; on a log axis (no zero) bars rise from the panel's floor.
  return [
    { mark: mark("bar"), encoding: { ...enc, y: { ...y, field: "mean", stack: null } } },
    {
      ...ciFloor(fig.logY, scale), mark: mark("rule", { strokeWidth: 1.5 }),
      encoding: { ...enc, color: { value: "#222222" }, y: { ...y, field: "lo" }, y2: { field: "hi" } },
    },
  ];
}

/**
 * Tukey boxes in the series colour: translucent box with a coloured outline, coloured whiskers
 * (stopping at the box) and a solid coloured median, so a series stays identifiable even when
 * its box collapses to the median line, as Nautilus's often do.
 */
function boxLayers(p: Prepared, fig: FigureSpec, yTitle: string, data: Datum[]): unknown[] {
  const scale = dataScale(fig.logY, numbers(data, ["lower", "q1", "median", "q3", "upper", "value"]));
  const y = { type: "quantitative", title: yTitle, scale };
  const enc = { ...xCategory(p, fig), ...offsetEncoding(p) };
  const stroke = { stroke: enc.color };
  const boxes = [{ filter: "datum.part === 'box'" }];
  const whisker = mark("rule", { strokeWidth: 1.5 });
  return [
    // Box first: the shared legend takes its symbol from the first layer.
    { transform: boxes, mark: mark("bar", { fillOpacity: 0.3, strokeWidth: 1.5 }), encoding: { ...enc, ...stroke, y: { ...y, field: "q1" }, y2: { field: "q3" } } },
    { transform: boxes, mark: whisker, encoding: { ...enc, y: { ...y, field: "lower" }, y2: { field: "q1" } } },
    { transform: boxes, mark: whisker, encoding: { ...enc, y: { ...y, field: "q3" }, y2: { field: "upper" } } },
    // Opaque: Vega-Lite draws unaggregated ticks at 0.7 opacity by default.
    { transform: boxes, mark: mark("tick", { thickness: 3, opacity: 1 }), encoding: { ...enc, y: { ...y, field: "median" } } },
    { transform: [{ filter: "datum.part === 'outlier'" }], mark: mark("point", { size: 16, filled: false }), encoding: { ...enc, y: { ...y, field: "value" } } },
  ];
}

function cdfLayers(p: Prepared, fig: FigureSpec, valueTitle: string, data: Datum[]): unknown[] {
  const fractions = numbers(data, ["fraction"]);
  return [{
    mark: mark("line", { interpolate: "step-after" }),
    encoding: {
      x: { field: "value", type: "quantitative", title: fig.xTitle ?? valueTitle, scale: dataScale(fig.logX, numbers(data, ["value"])) },
      y: {
        field: "fraction", type: "quantitative", title: fig.yTitle ?? "cumulative fraction",
        scale: dataScale(fig.logY, fig.logY ? fractions : [0, 1, ...fractions]),
      },
      ...colorEncoding(p),
    },
  }];
}

function stripLayers(p: Prepared, fig: FigureSpec, yTitle: string, data: Datum[]): unknown[] {
  return [{
    mark: mark("tick", { opacity: 0.5, thickness: 1 }),
    encoding: {
      ...xCategory(p, fig), ...offsetEncoding(p),
      y: { field: "value", type: "quantitative", title: yTitle, scale: dataScale(fig.logY, numbers(data, ["value"])) },
    },
  }];
}

/** Data and layers for the figure's kind, with the subtitle explaining what is drawn. */
function body(result: ScenarioResult, fig: FigureSpec, p: Prepared): { data: Datum[]; layer: unknown[]; about: string } {
  const valueTitle = metricTitle(result, fig.metric);
  const yTitle = fig.yTitle ?? valueTitle;
  const reps = replicationCount(p);
  const ci = reps > 1 ? `95% CI over ${reps} replications` : reps === 1 ? "1 replication, no CI" : "no data";
  switch (fig.kind) {
    case "line": { const d = meanData(p); return { data: d, layer: lineLayers(p, fig, yTitle, d), about: `mean; band: ${ci}` }; }
    case "bar": { const d = meanData(p); return { data: d, layer: barLayers(p, fig, yTitle, d), about: `mean; bars: ${ci}` }; }
    case "box": { const d = boxData(p); return { data: d, layer: boxLayers(p, fig, yTitle, d), about: "box: quartiles; whiskers: 1.5 IQR" }; }
    case "cdf": { const d = cdfData(p); return { data: d, layer: cdfLayers(p, fig, valueTitle, d), about: "empirical CDF" }; }
    case "strip": {
      const s = stripData(p);
      return { data: s.data, layer: stripLayers(p, fig, yTitle, s.data), about: s.thinned ? "values (evenly thinned by rank)" : "all values" };
    }
  }
}

/** The Vega-Lite spec of one figure; an unusable spec yields an empty, annotated plot. */
export function figureSpec(result: ScenarioResult, fig: FigureSpec): BuiltFigure {
  const p = prepare(result, fig);
  const { data, layer, about } = body(result, fig, p);
  const filter = fig.where && Object.keys(fig.where).length ? `${describeWhere(fig.where)}; ` : "";
  const problem = p.problems.length ? p.problems.join("; ") : undefined;
  const config = result.scenario.configuration ?? [];
  const subtitle = [`${filter}${about}`, ...p.notes, ...(config.length ? [`parameters: ${config.join("; ")}`] : []), ...(problem ? [`PROBLEM: ${problem}`] : [])];
  const facet: Record<string, unknown> = {};
  for (const name of ["column", "row"] as const) {
    const ch = p.channels[name];
    // Panels read "cores = 4": the bare value alone is ambiguous next to the axes.
    if (!ch) continue;
    const header = { title: null, labelExpr: `${JSON.stringify(shortName(ch.field) + " = ")} + datum.value`, labelAngle: 0 };
    facet[name] = { ...categorical(ch, name), header: { ...header, labelOrient: name === "row" ? "right" : "top" } };
  }
  const view = { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer };
  // Each panel shows only its own categories (x64's CPUs, not the Phi's); y stays shared so panels compare.
  const resolve = categoricalX(p, fig) ? { resolve: { scale: { x: "independent", xOffset: "independent" } } } : {};
  const spec: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: fig.title, subtitle },
    data: { values: data },
    ...(Object.keys(facet).length ? { facet, spec: view, ...resolve } : view),
    config: FIGURE_CONFIG,
  };
  return { name: fig.name, title: fig.title, vegaLite: spec, ...(problem ? { problem } : {}) };
}

/** Specs for all of a scenario's figures, in declaration order. */
export function figureSpecs(result: ScenarioResult): BuiltFigure[] {
  return result.scenario.figures.map((fig) => figureSpec(result, fig));
}

/** Vega's text measure (exported by vega-scenegraph, missing from Vega's typings). */
const textMetrics = (vega as unknown as { textMetrics: { width: (item: object, text: unknown) => number } }).textMetrics;

let renderQueue: Promise<unknown> = Promise.resolve();

/**
 * SVG text of a Vega-Lite spec. Renders are serialized, Vega's global clip/gradient id counters
 * reset before each and text measured by our own table (text-metrics.ts), so the same spec
 * always yields byte-identical SVG.
 */
export function renderSvg(vegaLite: object): Promise<string> {
  const run = renderQueue.then(async () => {
    const vg = compile(vegaLite as TopLevelSpec, { logger: quietLogger() }).spec;
    const measure = textMetrics.width;
    textMetrics.width = vegaTextWidth;
    let view: View | undefined;
    try {
      view = new View(parse(vg), { renderer: "none", logLevel: VegaErrorLevel });
      await view.runAsync();
      resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view?.finalize();
      textMetrics.width = measure;
    }
  });
  renderQueue = run.catch(() => undefined);
  return run;
}

/** Vega-Lite's warnings (e.g. about a log-scaled bar) are advisory; errors still throw. */
function quietLogger() {
  let level = 0;
  const logger = {
    level(l?: number) { if (l === undefined) return level; level = l; return logger; },
    error(...args: readonly unknown[]) { throw new Error(args.map(String).join(" ")); },
    warn() { return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  return logger as never;
}
