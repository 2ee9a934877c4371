/**
 * Figures: a Vega-Lite spec per FigureSpec (data inlined, so the .vl.json stands alone),
 * rendered to SVG headless. Styled for a systems paper: white, light grid, colour-blind-safe
 * palette, panels ~600 px wide.
 */
import { compile, type TopLevelSpec } from "vega-lite";
import { View, parse, resetSVGDefIds, Error as VegaErrorLevel } from "vega";
import { describeWhere } from "./common.js";
import {
  boxData, cdfData, meanData, prepare, replicationCount, stripData, type Channel, type ChannelName, type Datum,
  type Prepared,
} from "./figure-data.js";
import type { ScenarioResult } from "./results.js";
import type { FigureSpec } from "./spec.js";

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

function scaleOf(log: boolean | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // Log "nice" rounds out to whole decades, which can leave most of the panel empty.
  return log ? { type: "log", nice: false, ...extra } : { ...extra };
}

/** Encoding of a categorical channel, kept in the data's order (not Vega's alphabetical default). */
function categorical(ch: Channel, name: ChannelName, title?: string): Record<string, unknown> {
  return { field: name, type: ch.numeric ? "ordinal" : "nominal", title: title ?? shortName(ch.field), sort: ch.domain };
}

function colorEncoding(p: Prepared): Record<string, unknown> {
  const ch = p.channels.color;
  if (!ch) return {};
  const color = { field: "color", type: "nominal", title: shortName(ch.field), scale: { domain: ch.domain } };
  return { color };
}

/** Colour groups sit side by side within an x category. */
function offsetEncoding(p: Prepared): Record<string, unknown> {
  const ch = p.channels.color;
  return ch ? { xOffset: { field: "color", type: "nominal", scale: { domain: ch.domain } }, ...colorEncoding(p) } : {};
}

function xCategory(p: Prepared, fig: FigureSpec): Record<string, unknown> {
  const ch = p.channels.x;
  return ch ? { x: { ...categorical(ch, "x", fig.xTitle), axis: { labelAngle: 0 } } } : {};
}

function lineLayers(p: Prepared, fig: FigureSpec, yTitle: string): unknown[] {
  const ch = p.channels.x;
  const x = ch?.numeric
    ? {
        field: "x", type: "quantitative", title: fig.xTitle ?? shortName(ch.field), scale: scaleOf(fig.logX, { zero: false }),
        // Ticks at the swept values themselves, when few enough to label.
        ...(ch.domain.length <= 16 ? { axis: { values: ch.domain } } : {}),
      }
    : ch ? categorical(ch, "x", fig.xTitle) : { value: 0 };
  const y = { type: "quantitative", scale: scaleOf(fig.logY, { zero: false }) };
  const color = colorEncoding(p);
  return [
    // Line first: a shared legend takes its symbol from the first layer (a faint band otherwise).
    { mark: { type: "line", point: true }, encoding: { x, y: { ...y, field: "mean", title: yTitle }, ...color } },
    { mark: { type: "errorband", opacity: 0.25 }, encoding: { x, y: { ...y, field: "lo", title: yTitle }, y2: { field: "hi" }, ...color } },
  ];
}

function barLayers(p: Prepared, fig: FigureSpec, yTitle: string): unknown[] {
  const y = { type: "quantitative", scale: scaleOf(fig.logY) };
  const enc = { ...xCategory(p, fig), ...offsetEncoding(p) };
  return [
    { mark: { type: "bar" }, encoding: { ...enc, y: { ...y, field: "mean", title: yTitle } } },
    {
      mark: { type: "rule", color: "#222222", strokeWidth: 1.5 },
      encoding: { ...enc, color: { value: "#222222" }, y: { ...y, field: "lo", title: yTitle }, y2: { field: "hi" } },
    },
  ];
}

function boxLayers(p: Prepared, fig: FigureSpec, yTitle: string): unknown[] {
  const y = { type: "quantitative", scale: scaleOf(fig.logY, { zero: false }), title: yTitle };
  const enc = { ...xCategory(p, fig), ...offsetEncoding(p) };
  const boxes = { filter: "datum.part === 'box'" };
  return [
    { transform: [boxes], mark: { type: "rule", color: "#444444" }, encoding: { ...enc, color: { value: "#444444" }, y: { ...y, field: "lower" }, y2: { field: "upper" } } },
    { transform: [boxes], mark: { type: "bar", stroke: "#444444", strokeWidth: 1 }, encoding: { ...enc, y: { ...y, field: "q1" }, y2: { field: "q3" } } },
    { transform: [boxes], mark: { type: "tick", color: "#111111", thickness: 2 }, encoding: { ...enc, color: { value: "#111111" }, y: { ...y, field: "median" } } },
    { transform: [{ filter: "datum.part === 'outlier'" }], mark: { type: "point", size: 16, filled: false }, encoding: { ...enc, y: { ...y, field: "value" } } },
  ];
}

function cdfLayers(p: Prepared, fig: FigureSpec, valueTitle: string): unknown[] {
  return [{
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "value", type: "quantitative", title: fig.xTitle ?? valueTitle, scale: scaleOf(fig.logX, { zero: false }) },
      y: { field: "fraction", type: "quantitative", title: fig.yTitle ?? "cumulative fraction", scale: scaleOf(fig.logY) },
      ...colorEncoding(p),
    },
  }];
}

function stripLayers(p: Prepared, fig: FigureSpec, yTitle: string): unknown[] {
  return [{
    mark: { type: "tick", opacity: 0.5, thickness: 1 },
    encoding: {
      ...xCategory(p, fig), ...offsetEncoding(p),
      y: { field: "value", type: "quantitative", title: yTitle, scale: scaleOf(fig.logY, { zero: false }) },
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
    case "line": return { data: meanData(p), layer: lineLayers(p, fig, yTitle), about: `mean; band: ${ci}` };
    case "bar": return { data: meanData(p), layer: barLayers(p, fig, yTitle), about: `mean; bars: ${ci}` };
    case "box": return { data: boxData(p), layer: boxLayers(p, fig, yTitle), about: "box: quartiles; whiskers: 1.5 IQR" };
    case "cdf": return { data: cdfData(p), layer: cdfLayers(p, fig, valueTitle), about: "empirical CDF" };
    case "strip": {
      const s = stripData(p);
      return { data: s.data, layer: stripLayers(p, fig, yTitle), about: s.thinned ? "values (evenly thinned by rank)" : "all values" };
    }
  }
}

/** The Vega-Lite spec of one figure; an unusable spec yields an empty, annotated plot. */
export function figureSpec(result: ScenarioResult, fig: FigureSpec): BuiltFigure {
  const p = prepare(result, fig);
  const { data, layer, about } = body(result, fig, p);
  const filter = fig.where && Object.keys(fig.where).length ? `${describeWhere(fig.where)}; ` : "";
  const problem = p.problems.length ? p.problems.join("; ") : undefined;
  const subtitle = [`${filter}${about}`, ...p.notes, ...(problem ? [`PROBLEM: ${problem}`] : [])];
  const facet: Record<string, unknown> = {};
  for (const name of ["column", "row"] as const) {
    const ch = p.channels[name];
    // Panels read "cores = 4": the bare value alone is ambiguous next to the axes.
    if (!ch) continue;
    const header = { title: null, labelExpr: `${JSON.stringify(shortName(ch.field) + " = ")} + datum.value`, labelAngle: 0 };
    facet[name] = { ...categorical(ch, name), header: { ...header, labelOrient: name === "row" ? "right" : "top" } };
  }
  const view = { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer };
  const spec: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: fig.title, subtitle },
    data: { values: data },
    ...(Object.keys(facet).length ? { facet, spec: view } : view),
    config: FIGURE_CONFIG,
  };
  return { name: fig.name, title: fig.title, vegaLite: spec, ...(problem ? { problem } : {}) };
}

/** Specs for all of a scenario's figures, in declaration order. */
export function figureSpecs(result: ScenarioResult): BuiltFigure[] {
  return result.scenario.figures.map((fig) => figureSpec(result, fig));
}

let renderQueue: Promise<unknown> = Promise.resolve();

/**
 * SVG text of a Vega-Lite spec. Renders are serialized and Vega's global clip/gradient id
 * counters reset before each, so the same spec always yields byte-identical SVG.
 */
export function renderSvg(vegaLite: object): Promise<string> {
  const run = renderQueue.then(async () => {
    const vg = compile(vegaLite as TopLevelSpec, { logger: quietLogger() }).spec;
    const view = new View(parse(vg), { renderer: "none", logLevel: VegaErrorLevel });
    try {
      await view.runAsync();
      resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
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
