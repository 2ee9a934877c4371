/**
 * report.md: the same content as report.html in Markdown, figures linked by relative path
 * (figures/<scenario>/<name>.svg). Cell text is escaped so names cannot break tables.
 */
import { displayClaimValue, displayThreshold, escapeMd, mdCode, neutralizeMdHtml } from "./markup.js";
import type { ReportModel, ReportTable } from "./report-model.js";

export function mdTable(t: ReportTable): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map((c) => escapeMd(String(c))).join(" | ")} |`;
  return [line(t.columns), `|${t.columns.map(() => " --- ").join("|")}|`, ...t.rows.map(line)].join("\n");
}

function claimsMd(m: ReportModel): string[] {
  const vs = m.claims.verdicts;
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
  return [m.claims.summary, "", table, "", ...groups];
}

export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [`# ${escapeMd(m.title)}`, ""];
  for (const [k, v] of m.facts) out.push(`- **${escapeMd(k)}**: ${k === "created by" ? mdCode(v) : escapeMd(v)}`);
  out.push("", "## Claims", "", ...claimsMd(m));
  m.scenarios.forEach((s, i) => {
    out.push("", `## Scenario ${escapeMd(s.name)}`, "");
    if (s.description) out.push(escapeMd(s.description), "");
    if (s.figures.length) {
      out.push("### Figures", "");
      s.figures.forEach((f, j) => out.push(`![${escapeMd(f.title)}](${f.path})`, "", `*Figure ${i + 1}.${j + 1}: ${escapeMd(f.title)}*`, ""));
    }
    out.push("### Summary", "");
    if (s.summaryNote) out.push(escapeMd(s.summaryNote), "");
    out.push(mdTable(s.summary));
  });
  for (const s of m.sections) {
    out.push("", `## ${escapeMd(s.title)}`, "");
    if (s.markdown) out.push(neutralizeMdHtml(s.markdown.trim()), "");
    if (s.table) out.push(mdTable(s.table));
    (s.figures ?? []).forEach((f, j) => out.push("", `![${escapeMd(f.title)}](${f.path})`, "", `*Figure ${escapeMd(s.title)} ${j + 1}: ${escapeMd(f.title)}*`));
  }
  out.push("", "## Failures", "", m.failures.rows.length ? mdTable(m.failures) : "All runs succeeded.");
  out.push("", "## Manifest", "", mdTable(m.manifest.scenarios), "", "### Runs", "", mdTable(m.manifest.runs), "");
  return out.join("\n");
}
