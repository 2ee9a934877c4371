/**
 * report.html: one self-contained file (inline CSS, inline SVG, no scripts, no network)
 * that opens offline. All text passes through escapeHtml.
 */
import { displayClaimValue, displayThreshold, escapeHtml as e, markdownToHtml } from "./markup.js";
import type { ReportModel, ReportSection, ReportTable } from "./report-model.js";
import type { ClaimVerdict } from "./spec.js";

const CSS = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; background: #fff;
  max-width: 1280px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { margin-top: 1.6rem; } code { font: .9em ui-monospace, Menlo, Consolas, monospace; background: #f4f4f4; padding: 0 .2em; }
pre { background: #f6f6f6; padding: .6rem .8rem; overflow-x: auto; }
table.facts td, table.facts th { border: 0; padding: .05rem 1rem .05rem 0; background: none; font-size: .95rem; }
table.facts th { font-weight: 600; color: #444; }
nav { margin: 1rem 0; } nav a { margin-right: 1.2rem; white-space: nowrap; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .88rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; border-bottom: 1px solid #ccc; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { white-space: nowrap; } table.facts td code { white-space: normal; overflow-wrap: anywhere; }
td, p, li, figcaption, summary { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
details.section { margin: .4rem 0; padding: .3rem .6rem; border-left: 3px solid #d0dbe8; }
tr.total td { font-weight: 700; border-top: 1px solid #999; }
@media (max-width: 1000px) { body { padding: 1rem 1rem 3rem; } }
.pass, .fail { display: inline-block; min-width: 3.2em; text-align: center; font-weight: 700; border-radius: 3px; padding: 0 .35em; }
.pass { background: #dff3e3; color: #14622b; } .fail { background: #fbe0de; color: #a4161a; }
.problem { color: #a4161a; } .note { color: #666; font-size: .88rem; }
figure { margin: 1.2rem 0 2rem; } figcaption { color: #555; font-size: .9rem; margin-top: .3rem; }
figure svg { max-width: 100%; height: auto; }
details > summary { cursor: pointer; color: #0b5394; }
`;

const NUM = "-?\\d[\\d,]*(?:\\.\\d+)?(?:e[-+]?\\d+)?";
/** Numbers (and "mean ± half-width") are right-aligned and kept on one line. */
const isNumeric = (v: string | number) => typeof v === "number" || new RegExp(`^${NUM}(?: ± ${NUM})?$`, "i").test(v);

export function htmlTable(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${e(c)}</th>`).join("");
  const cells = (row: ReadonlyArray<string | number>) => row.map((v) => `<td${isNumeric(v) ? ' class="num"' : ""}>${e(String(v))}</td>`).join("");
  const body = t.rows.map((row) => `<tr>${cells(row)}</tr>`).join("\n");
  const foot = t.total ? `<tfoot><tr class="total">${cells(t.total)}</tr></tfoot>` : "";
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`;
}

function badge(pass: boolean): string {
  return pass ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
}

function claimRow(v: ClaimVerdict): string {
  const groups = v.groups.length
    ? `<details><summary>${v.groups.filter((g) => g.pass).length} of ${v.groups.length} groups pass</summary>` +
      htmlTable({
        columns: ["group", "value", "result"],
        rows: v.groups.map((g) => [g.group, displayClaimValue(g.value), g.pass ? "pass" : "FAIL"]),
      }) + "</details>"
    : "";
  const problem = v.problem ? `<div class="problem">${e(v.problem)}</div>` : "";
  return `<tr><td>${badge(v.pass)}</td><td>${e(v.scenario)}</td><td><code>${e(v.id)}</code></td>` +
    `<td>${e(v.text)}${problem}${groups}</td><td class="num">${e(displayClaimValue(v.value))}</td>` +
    `<td>${e(v.op)}</td><td class="num">${e(displayThreshold(v))}</td></tr>`;
}

function claimsTable(vs: readonly ClaimVerdict[]): string {
  return `<div class="scroll"><table class="claims"><thead><tr><th>result</th><th>scenario</th><th>claim</th>` +
    `<th>statement</th><th>value</th><th>op</th><th>threshold</th></tr></thead><tbody>\n` +
    vs.map(claimRow).join("\n") + "\n</tbody></table></div>";
}

function claimsHtml(m: ReportModel): string {
  const vs = m.claims.verdicts;
  if (vs.length === 0) return "<p>No claims were declared.</p>";
  return `<p>${e(m.claims.summary)} Each scenario's section repeats its own claims beside its figures.</p>${claimsTable(vs)}`;
}

/** Anchors derived from names; the index keeps them unique when names slug alike. */
function anchor(prefix: string, name: string, i: number): string {
  return `${prefix}-${i}-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
}

/** Inline SVG from the renderer; scripts and event handlers removed in case an input carries any. */
function safeSvg(svg: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*>\s*/, "");
  if (!/^<svg[\s>]/.test(body)) return `<pre>${e(svg)}</pre>`;
  return body
    .replace(/<script[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, "")
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, "")
    .replace(/(href\s*=\s*["'])\s*javascript:[^"']*/gi, "$1#");
}

function figureHtml(id: string, svg: string, caption: string): string {
  return `<figure id="${id}">\n${safeSvg(svg)}\n<figcaption>${caption}</figcaption></figure>`;
}

/** A section inside a scenario (a step breakdown): collapsed, its first paragraph as the summary line. */
function nestedSectionHtml(s: ReportSection, id: string): string {
  const lead = s.markdown ? s.markdown.split(/\n\s*\n/)[0]!.replace(/\s+/g, " ").trim() : "";
  return `<details class="section" id="${id}"><summary><strong>${e(s.title)}</strong>${lead ? ` — ${e(lead)}` : ""}</summary>` +
    sectionBody(s, id) + "</details>";
}

function sectionBody(s: ReportSection, id: string): string {
  return (s.markdown ? markdownToHtml(s.markdown) : "") + (s.table ? htmlTable(s.table) : "") +
    (s.figures ?? []).map((f, j) => figureHtml(`${id}-figure-${j}`, f.svg, `${e(f.title)} <span class="note">(${e(f.path)})</span>`)).join("\n");
}

function scenariosHtml(m: ReportModel): string[] {
  return m.scenarios.map((s, i) => {
    const id = anchor("scenario", s.name, i);
    const failuresId = `${id}-failures`;
    // The SVG carries its title; the caption numbers it, names its file and any points it lost.
    const figures = s.figures.map((f, j) => figureHtml(anchor("figure", `${s.name}-${f.name}`, j),
      f.svg, `Figure ${i + 1}.${j + 1}: ${e(f.title)} <span class="note">(${e(f.path)})</span>` +
        (f.lost ? ` <span class="problem">${e(f.lost)} <a href="#${failuresId}">See the failed runs.</a></span>` : "")));
    const summaryRows = s.summary.rows.length;
    const summary = `${s.summaryNote ? `<p class="note">${e(s.summaryNote)}</p>` : ""}` +
      (summaryRows > 12
        ? `<details><summary>${summaryRows} rows</summary>${htmlTable(s.summary)}</details>`
        : htmlTable(s.summary));
    return `<section id="${id}"><h2>Scenario ${e(s.name)}</h2>` +
      (s.description ? `<p>${e(s.description)}</p>` : "") +
      (figures.length ? `<h3>Figures</h3>\n${figures.join("\n")}` : "") +
      (s.claims.length ? `<h3>Claims</h3>${claimsTable(s.claims)}` : "") +
      (s.sections.length ? `<h3>Step by step</h3>${s.sections.map((x, j) => nestedSectionHtml(x, `${id}-steps-${j}`)).join("\n")}` : "") +
      `<h3>Summary</h3>${summary}` +
      `<h3 id="${failuresId}">Failed runs</h3>` +
      (s.failures.rows.length ? htmlTable(s.failures) : "<p>None: every run succeeded.</p>") +
      "</section>";
  });
}

function sectionsHtml(m: ReportModel): string[] {
  return m.sections.map((s, i) => {
    const id = anchor("section", s.title, i);
    return `<section id="${id}"><h2>${e(s.title)}</h2>${sectionBody(s, id)}</section>`;
  });
}

export function renderHtml(m: ReportModel): string {
  const nav = [
    ["about", "About"],
    ["claims", "Claims"],
    ...m.scenarios.map((s, i) => [anchor("scenario", s.name, i), `Scenario ${s.name}`]),
    ...m.sections.map((s, i) => [anchor("section", s.title, i), s.title]),
    ["failures", `Failures (${m.failures.rows.length})`],
    ["manifest", "Manifest"],
  ];
  const failures = m.failures.rows.length ? htmlTable(m.failures) : "<p>All runs succeeded.</p>";
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(m.title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${e(m.title)}</h1><table class="facts">` +
      m.facts.map(([k, v]) => `<tr><th>${e(k)}</th><td>${k === "created by" ? `<code>${e(v)}</code>` : e(v)}</td></tr>`).join("") +
      "</table></header>",
    `<nav>${nav.map(([id, label]) => `<a href="#${e(id!)}">${e(label!)}</a>`).join(" ")}</nav>`,
    `<section id="about">${markdownToHtml(m.intro, 0)}</section>`,
    `<section id="claims"><h2>Claims</h2>${claimsHtml(m)}</section>`,
    ...scenariosHtml(m),
    ...sectionsHtml(m),
    `<section id="failures"><h2>Failures</h2>${failures}</section>`,
    `<section id="manifest"><h2>Manifest</h2>${htmlTable(m.manifest.scenarios)}` +
      `<details><summary>All ${m.manifest.runs.rows.length} runs</summary>${htmlTable(m.manifest.runs)}</details></section>`,
    "</body></html>",
    "",
  ].join("\n");
}
