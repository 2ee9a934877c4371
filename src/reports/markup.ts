/**
 * Text for people: number display, HTML and Markdown escaping, and a small Markdown → HTML
 * converter for report sections. A subset on purpose: everything is escaped first, so
 * model-supplied text can never inject markup (a full library would pass raw HTML through).
 */
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

/** Inline Markdown on already-escaped text: code, bold, emphasis, safe links. */
function inline(escaped: string): string {
  return escaped
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    // Only web and relative targets: a javascript: URL must not become a link.
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\.{0,2}\/|#)[^)\s]*|[A-Za-z0-9_.-]+(?:\/[^)\s]*)?)\)/g, '<a href="$2">$1</a>');
}

function tableCells(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

const isTableRule = (line: string | undefined) => line !== undefined && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line);

/**
 * Markdown subset → HTML: ATX headings (shifted by `headingShift` to nest under the
 * report's own), paragraphs, "-"/"*" and "1." lists, fenced code, pipe tables.
 */
export function markdownToHtml(md: string, headingShift = 2): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(escapeHtml(para.join(" ")))}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i]!)) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
    } else if (/^#{1,6}\s/.test(line)) {
      flush();
      const level = Math.min(6, line.match(/^#+/)![0].length + headingShift);
      out.push(`<h${level}>${inline(escapeHtml(line.replace(/^#+\s*/, "").replace(/\s*#*\s*$/, "")))}</h${level}>`);
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      flush();
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i]!); i++) {
        items.push(`<li>${inline(escapeHtml(lines[i]!.replace(/^\s*([-*]|\d+\.)\s+/, "")))}</li>`);
      }
      i--;
      out.push(`<${ordered ? "ol" : "ul"}>${items.join("")}</${ordered ? "ol" : "ul"}>`);
    } else if (line.includes("|") && isTableRule(lines[i + 1])) {
      flush();
      const head = tableCells(line).map((c) => `<th>${inline(escapeHtml(c))}</th>`).join("");
      const body: string[] = [];
      for (i += 2; i < lines.length && lines[i]!.includes("|") && lines[i]!.trim() !== ""; i++) {
        body.push(`<tr>${tableCells(lines[i]!).map((c) => `<td>${inline(escapeHtml(c))}</td>`).join("")}</tr>`);
      }
      i--;
      out.push(`<table><thead><tr>${head}</tr></thead><tbody>${body.join("")}</tbody></table>`);
    } else if (line.trim() === "") {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  return out.join("\n");
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
