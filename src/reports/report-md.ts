/**
 * report.md: the same content as report.html in Markdown, figures linked by relative path
 * (figures/<scenario>/<name>.svg). Cell text is escaped so names cannot break tables.
 */
import { displayClaimValue, displayThreshold, escapeMd, mdCode, neutralizeMdHtml } from "./markup.js";
import type { ReportModel, ReportSection, ReportTable } from "./report-model.js";
import type { ClaimVerdict } from "./spec.js";

export function mdTable(t: ReportTable): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map((c) => escapeMd(String(c))).join(" | ")} |`;
  const total = t.total ? [`| ${t.total.map((c) => (String(c) === "" ? "" : `**${escapeMd(String(c))}**`)).join(" | ")} |`] : [];
  return [line(t.columns), `|${t.columns.map(() => " --- ").join("|")}|`, ...t.rows.map(line), ...total].join("\n");
}

function claimsMd(summary: string, vs: readonly ClaimVerdict[]): string[] {
  if (vs.length === 0) return ["No claims were declared."];
  const table = mdTable({
    columns: ["result", "scenario", "claim", "statement", "value", "op", "threshold", "problem"],
    rows: vs.map((v) => [
      v.pass ? "PASS" : "FAIL", v.scenario, v.id, v.text, displayClaimValue(v.value), v.op, displayThreshold(v), v.problem ?? "",
    ]),
  });
  // Per-group detail as lists below the table: Markdown tables cannot nest.
  const groups = vs.filter((v) => v.groups.length).flatMap((v) => [
    `**${escapeMd(v.scenario)} / ${escapeMd(v.id)}** — ${v.groups.filter((g) => g.pass).length} of ${v.groups.length} groups pass:`,
    "",
    ...v.groups.map((g) => `- ${escapeMd(g.group)}: ${displayClaimValue(g.value)} (${g.pass ? "pass" : "FAIL"})`),
    "",
  ]);
  return [summary, "", table, "", ...groups];
}

function sectionMd(s: ReportSection, level: string): string[] {
  const out = ["", `${level} ${escapeMd(s.title)}`, ""];
  if (s.markdown) out.push(neutralizeMdHtml(s.markdown.trim()), "");
  if (s.table) out.push(mdTable(s.table));
  (s.figures ?? []).forEach((f, j) => out.push("", `![${escapeMd(f.title)}](${f.path})`, "", `*Figure ${escapeMd(s.title)} ${j + 1}: ${escapeMd(f.title)}*`));
  return out;
}

export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [`# ${escapeMd(m.title)}`, ""];
  for (const [k, v] of m.facts) out.push(`- **${escapeMd(k)}**: ${k === "created by" ? mdCode(v) : escapeMd(v)}`);
  out.push("", m.intro);
  out.push("", "## Claims", "", ...claimsMd(m.claims.summary, m.claims.verdicts));
  m.scenarios.forEach((s, i) => {
    out.push("", `## Scenario ${escapeMd(s.name)}`, "");
    if (s.description) out.push(escapeMd(s.description), "");
    if (s.figures.length) {
      out.push("### Figures", "");
      s.figures.forEach((f, j) => out.push(
        `![${escapeMd(f.title)}](${f.path})`, "",
        `*Figure ${i + 1}.${j + 1}: ${escapeMd(f.title)}*${f.lost ? ` ${escapeMd(f.lost)} See "Failed runs" below.` : ""}`, "",
      ));
    }
    if (s.claims.length) out.push("### Claims", "", ...claimsMd(`${s.claims.filter((v) => v.pass).length} of ${s.claims.length} pass.`, s.claims), "");
    if (s.sections.length) out.push("### Step by step", ...s.sections.flatMap((x) => sectionMd(x, "####")), "");
    out.push("### Summary", "");
    if (s.summaryNote) out.push(escapeMd(s.summaryNote), "");
    out.push(mdTable(s.summary), "", "### Failed runs", "", s.failures.rows.length ? mdTable(s.failures) : "None: every run succeeded.");
  });
  for (const s of m.sections) out.push(...sectionMd(s, "##"));
  out.push("", "## Failures", "", m.failures.rows.length ? mdTable(m.failures) : "All runs succeeded.");
  out.push("", "## Manifest", "", mdTable(m.manifest.scenarios), "", "### Runs", "", mdTable(m.manifest.runs), "");
  return out.join("\n");
}
