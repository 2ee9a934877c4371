/**
 * Text for people: number display, HTML and Markdown escaping, and Markdown → HTML for report
 * sections (markdown-it with raw HTML disabled, so model-supplied text never injects markup).
 */
import MarkdownIt from "markdown-it";
import { formatNumber } from "./common.js";
import type { ClaimVerdict } from "./spec.js";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Text for a Markdown table cell or inline context: no pipes, emphasis, code or raw HTML. */
export function escapeMd(s: string): string {
  return s
    .replace(/[\\`*_[\]|#]/g, (c) => "\\" + c)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r?\n/g, " ");
}

/**
 * Section Markdown for report.md, with raw HTML tags neutralized (a "<" that starts a tag
 * becomes "&lt;") outside code fences and code spans, where Markdown shows text literally.
 */
export function neutralizeMdHtml(md: string): string {
  let fenced = false;
  return md
    .split("\n")
    .map((line) => {
      if (/^\s*```/.test(line)) { fenced = !fenced; return line; }
      if (fenced) return line;
      // Split on code spans: odd pieces are code and stay as they are.
      return line.split(/(`+[^`]*`+)/).map((part, i) => (i % 2 ? part : part.replace(/<(?=[A-Za-z/!?])/g, "&lt;"))).join("");
    })
    .join("\n");
}

/** Inline code span whose content may hold backticks. */
export function mdCode(s: string): string {
  const ticks = "`".repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return `${ticks} ${s.replace(/\r?\n/g, " ")} ${ticks}`;
}

/**
 * Section Markdown → HTML with markdown-it (CommonMark + pipe tables). Raw HTML is off, so a
 * tag in model-supplied text shows as text; markdown-it's link check refuses javascript: and
 * similar URLs. Headings shift by `headingShift` to nest under the report's own.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.renderer.rules.heading_open = (tokens, i, options, _env, self) => {
  const t = tokens[i]!;
  t.tag = `h${Math.min(6, Number(t.tag.slice(1)) + (t.meta?.shift ?? 0))}`;
  return self.renderToken(tokens, i, options);
};
md.renderer.rules.heading_close = md.renderer.rules.heading_open;

export function markdownToHtml(text: string, headingShift = 2): string {
  const tokens = md.parse(text, {});
  for (const t of tokens) if (t.type === "heading_open" || t.type === "heading_close") t.meta = { shift: headingShift };
  return md.renderer.render(tokens, md.options, {}).trimEnd();
}

/**
 * Readable number: integers exact, others to `digits` significant digits but never coarser
 * than a whole unit (13807.3 → "13807", not "13810", which would look exact); missing as "–".
 */
export function display(x: number | undefined, digits = 4): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  if (Number.isInteger(x) || !Number.isFinite(x)) return formatNumber(x);
  if (Math.abs(x) >= 10 ** digits) return formatNumber(Math.round(x));
  return String(Number(x.toPrecision(digits)));
}

/** Claim values get more digits: a value just under its threshold must not print as equal. */
export function displayClaimValue(x: number): string {
  return display(x, 6);
}

export function displayThreshold(v: ClaimVerdict): string {
  const t = v.threshold;
  return typeof t === "number" ? displayClaimValue(t) : `[${displayClaimValue(t[0])}, ${displayClaimValue(t[1])}]`;
}
