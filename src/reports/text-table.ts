/**
 * Tables for the terminal, drawn by cli-table3: numbers right-aligned, a dashed rule under the
 * header, and, given `maxWidth`, the widest wrappable columns narrowed (their text wraps on word
 * boundaries) until the table fits.
 */
import Table from "cli-table3";

/** A number, optionally with a sign, thousands separators, decimals, exponent or "± half-width". */
const NUMERIC = /^[-+]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?( ± \d[\d,]*(\.\d+)?(e[-+]?\d+)?)?%?$/i;
export const isNumericText = (s: string) => NUMERIC.test(s.trim());

const GAP = 2;
/** No borders: only a two-space gap between columns. */
const CHARS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "", bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: " ".repeat(GAP),
};

export interface TextTableOptions {
  /** Total width to fit, e.g. 100 columns. */
  readonly maxWidth?: number;
  /**
   * How to fit: [column, narrowest width] pairs, applied in order, each narrowing its column
   * (its text wraps) no further than needed; default: the last column, down to 12.
   */
  readonly shrink?: ReadonlyArray<readonly [number, number]>;
}

function widthsToFit(natural: number[], maxWidth: number | undefined, shrink: ReadonlyArray<readonly [number, number]>): number[] {
  const widths = [...natural];
  if (maxWidth === undefined) return widths;
  for (const [i, floor] of shrink) {
    const excess = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - maxWidth;
    if (excess <= 0) break;
    widths[i] = Math.max(Math.min(floor, widths[i]!), widths[i]! - excess);
  }
  return widths;
}

export function textTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>, options: TextTableOptions = {}): string {
  const natural = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const widths = widthsToFit(natural, options.maxWidth, options.shrink ?? [[columns.length - 1, 12]]);
  const table = new Table({
    chars: CHARS, colWidths: widths, wordWrap: true, wrapOnWordBoundary: true,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
  });
  const cell = (text: string, i: number) => ({ content: text, hAlign: isNumericText(text) && i > 0 ? ("right" as const) : ("left" as const) });
  table.push(columns.map((c) => ({ content: c })), widths.map((w) => "-".repeat(w)));
  for (const r of rows) table.push(columns.map((_, i) => cell(r[i] ?? "", i)));
  return table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
}
