/**
 * Text widths for laying out figures. Without a canvas, Vega guesses 0.8 em a character, about
 * half again as wide as real sans-serif text: it drops axis labels that would fit, truncates
 * short ones and leaves wide margins around long titles. Vega lets a program supply the
 * measure instead; this one uses Helvetica/Arial advance widths (Adobe AFM, per 1000 em),
 * widened 10% so DejaVu Sans (Linux's usual sans-serif) fits too. It is a pure function of the
 * text, so SVG output doesn't depend on whether a canvas package happens to be installed.
 */

/** Advance widths of ASCII 32..126 in Helvetica, per 1000 em. */
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];
const OTHER: Record<string, number> = { "…": 1000, "—": 1000, "–": 556, "−": 584, "×": 584, "÷": 584, "µ": 556, "≤": 549, "≥": 549 };
const FALLBACK = 600;
const WIDEN = 1.1;
const BOLD = 1.07;

/** Width in px of one line of sans-serif text. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? ASCII[code - 32]! : (OTHER[ch] ?? FALLBACK);
  }
  return (units / 1000) * fontSize * WIDEN * (bold ? BOLD : 1);
}

interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: number | string;
  readonly limit?: number;
}

/**
 * Vega's `textMetrics.width(item, text)`: the width of `text` as the item draws it. A limited
 * item (label limit) never draws wider than its limit, which Vega truncates to with an ellipsis.
 */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const line = text == null ? "" : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === "bold" || weight === "bolder" || Number(weight) >= 600;
  const width = textWidth(line, size, bold);
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
