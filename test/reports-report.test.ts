import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  buildManifest, evaluateClaims, figureSpec, manifestJson, markdownToHtml, neutralizeMdHtml, renderReport, renderSvg,
  display, type Manifest, type ReportInput,
} from "../src/reports/index.js";
import type { ClaimSpec } from "../src/reports/spec.js";
import { demo, meta } from "./reports-fixture.js";

const claims: ClaimSpec[] = [
  { id: "fast", text: "Nautilus mean latency < 10 cycles", metric: "latency", statistic: "mean", where: { kernel: "nautilus" }, op: "<", threshold: 10 },
  { id: "per-kernel", text: "every kernel < 10", metric: "latency", statistic: "mean", groupBy: ["kernel"], op: "<", threshold: 10 },
];

function manifest(): Manifest {
  return buildManifest([demo()], {
    hrtsimVersion: "0.1.0", nodeVersion: "v20.0.0", createdBy: "hrtsim run demo.yaml --seed 42",
    createdAt: "2024-01-02T03:04:05Z", totalWallMs: 1234,
  });
}

async function input(over: Partial<ReportInput> = {}): Promise<ReportInput> {
  const result = demo({ claims });
  const svg = await renderSvg(figureSpec(result, { name: "lat", title: "Latency by kernel", kind: "box", metric: "latency", x: "kernel" }).vegaLite);
  return {
    title: "hrtsim report",
    results: [result],
    verdicts: evaluateClaims(result),
    figures: [{ scenario: "demo", name: "lat", title: "Latency by kernel", svg }],
    sections: [{ title: "Breakdown", markdown: "Steps:\n\n1. trap\n2. **return**\n\n| a | b |\n|---|---|\n| 1 | 2 |", table: { columns: ["step", "cycles"], rows: [["syscall", 120]] } }],
    manifest: manifest(),
    ...over,
  };
}

test("HTML: self-contained, claims coloured, grouped detail collapsible, figures inline", async () => {
  const { html } = renderReport(await input());
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes("<style>"));
  assert.not.ok(/<script|<link|src="http|@import/i.test(html), "no scripts or external resources");
  assert.ok(html.includes('<span class="pass">PASS</span>'));
  assert.ok(html.includes('<span class="fail">FAIL</span>'));
  assert.ok(html.includes("<details><summary>1 of 2 groups pass</summary>"));
  assert.ok(html.includes("kernel=linux"));
  assert.match(html, /<figure id="[^"]+">\n<svg[^]*<\/svg>\n<figcaption>Figure 1\.1: Latency by kernel <span class="note">\(figures\/demo\/lat\.svg\)/);
  assert.ok(html.includes("1 of 2 claims pass."));
  assert.ok(html.includes("<h2>Breakdown</h2>"));
  assert.ok(html.includes("<ol>\n<li>trap</li>\n<li><strong>return</strong></li>\n</ol>"));
  assert.ok(html.includes("<td>syscall</td>"));
  assert.ok(html.includes("deadlock: all 4 threads blocked on &lt;mutex&gt;"), "failures shown, escaped");
  assert.ok(html.includes("abc123"), "manifest content hash");
  assert.ok(html.includes("hrtsim run demo.yaml --seed 42"));
});

test("HTML escapes names, texts and section markdown; strips scripts from SVG", async () => {
  const evil = "<script>alert(1)</script>";
  const result = demo({ name: evil, description: `desc ${evil}`, claims: [{ ...claims[0]!, text: evil }] });
  const { html, md } = renderReport({
    title: `T ${evil}`,
    results: [result],
    verdicts: evaluateClaims(result),
    figures: [{ scenario: evil, name: "x", title: evil, svg: `<svg onload="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a></svg>` }],
    sections: [{ title: evil, markdown: `${evil} [x](javascript:alert(4))`, table: { columns: [evil], rows: [[evil]] } }],
    manifest: { ...manifest(), createdBy: evil },
  });
  assert.not.ok(/<script/i.test(html), "no <script> survives");
  assert.not.ok(/onload|href="javascript/i.test(html));
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  // Code spans show text literally, so only raw HTML outside them matters.
  assert.not.ok(md.replace(/`[^`]*`/g, "").includes("<script>"));
  assert.ok(md.includes("&lt;script&gt;"));
});

test("Markdown: same sections, figures by relative path, tables escaped", async () => {
  const { md } = renderReport(await input());
  assert.ok(md.startsWith("# hrtsim report\n"));
  for (const h of ["## Claims", "## Scenario demo", "### Figures", "### Summary", "## Breakdown", "## Failures", "## Manifest"]) {
    assert.ok(md.includes(`\n${h}\n`), h);
  }
  assert.ok(md.includes("![Latency by kernel](figures/demo/lat.svg)"));
  assert.ok(md.includes("| FAIL | demo | per-kernel |"));
  assert.ok(md.includes("- kernel=linux: 30 (FAIL)"));
  assert.ok(md.includes("1. trap"), "section markdown passed through");
  assert.ok(md.includes("| syscall | 120 |"));
  assert.ok(md.includes("| demo | abc123 | 42 | 5 | 1 |"));
  assert.not.ok(md.includes("<svg"), "figures are linked, not inlined");
  const { md: piped } = renderReport(await input({ sections: [{ title: "t", table: { columns: ["a|b"], rows: [["x|y"]] } }] }));
  assert.ok(piped.includes("| a\\|b |"));
  assert.ok(piped.includes("| x\\|y |"));
});

test("Summary table: labels no figure distinguishes are pooled (and the note says so), with the replication CI", async () => {
  const { html } = renderReport(await input());
  // nautilus latency pooled: 1,2,3,3,4,5; replication means 2 and 4 → 3 ± 12.71.
  assert.ok(html.includes("<td>nautilus</td><td class=\"num\">2</td><td>latency</td><td>cycles</td><td class=\"num\">6</td><td class=\"num\">3</td>"));
  assert.ok(html.includes("3 ± 12.71"));
  assert.ok(html.includes("Pooled over core (no figure distinguishes them)"));
});

test("Summary table: a label a figure distinguishes gets its own rows, never pooled", async () => {
  const result = demo({ figures: [{ name: "lat", title: "Latency per core", kind: "box", metric: "latency", x: "core" }] });
  const { html } = renderReport(await input({ results: [result], verdicts: [] }));
  // nautilus, core 0: 1,3,3,5 (n 4, mean 3); core 1: 2,4 (n 2, mean 3).
  assert.ok(html.includes("<td>nautilus</td><td class=\"num\">2</td><td class=\"num\">0</td><td>latency</td><td>cycles</td><td class=\"num\">4</td><td class=\"num\">3</td>"), "core 0 row");
  assert.ok(html.includes("<td>nautilus</td><td class=\"num\">2</td><td class=\"num\">1</td><td>latency</td><td>cycles</td><td class=\"num\">2</td><td class=\"num\">3</td>"), "core 1 row");
  assert.not.ok(html.includes("Pooled over"));
});

test("a figure whose sweep lost a point names it in its caption and links the scenario's failed runs", async () => {
  const fig = { name: "lat", title: "Latency by kernel", kind: "box" as const, metric: "latency", x: "kernel" };
  const lossy = renderReport(await input({ results: [demo({ figures: [fig] })] }));
  const caption = /<figcaption>Figure 1\.1:[^]*?<\/figcaption>/.exec(lossy.html)![0];
  assert.match(caption, /Missing point \(every run failed\): kernel=linux,cores=4\./);
  const target = /href="#([^"]+)"/.exec(caption)![1]!;
  assert.ok(lossy.html.includes(`<h3 id="${target}">Failed runs</h3>`), "the link target exists");
  assert.match(lossy.md, /\*Figure 1\.1: Latency by kernel\* Missing point \(every run failed\): kernel=linux,cores=4\./);
  // A figure restricted to nautilus never showed the lost linux point: nothing to report.
  const narrow = renderReport(await input({ results: [demo({ figures: [{ ...fig, where: { kernel: "nautilus" } }] })] }));
  assert.not.match(/<figcaption>Figure 1\.1:[^]*?<\/figcaption>/.exec(narrow.html)![0], /Missing/);
});

test("a scenario's step breakdown sits collapsed in its section, with a total row; the opening names the paper", async () => {
  const steps = { title: "one call", scenario: "demo", markdown: "one call: total 150 cycles.", table: { columns: ["step", "cost"], rows: [["trap", "100"], ["return", "50"]], total: ["total", "150"] } };
  const { html, md } = renderReport(await input({ sections: [steps] }));
  const scenario = /<section id="scenario-0-demo">[^]*?<\/section>/.exec(html)![0];
  assert.match(scenario, /<details class="section"[^>]*><summary><strong>one call<\/strong> — one call: total 150 cycles\.<\/summary>/);
  assert.match(scenario, /<tfoot><tr class="total"><td>total<\/td><td class="num">150<\/td><\/tr><\/tfoot>/);
  assert.not.ok(html.includes("<h2>one call</h2>"), "not repeated after the scenarios");
  assert.ok(md.includes("#### one call") && md.includes("| **total** | **150** |"));
  assert.match(html, /<section id="about">[^]*Hale and Peter A\. Dinda[^]*VEE 2016[^]*How to read PASS and FAIL/);
});

test("report rendering is deterministic", async () => {
  const a = renderReport(await input());
  const b = renderReport(await input());
  assert.is(a.html, b.html);
  assert.is(a.md, b.md);
});

test("manifestJson: fixed key order regardless of construction order, 2-space indent", () => {
  const m = manifest();
  const shuffled: Manifest = {
    scenarios: m.scenarios.map((s) => ({ runs: s.runs.map(({ runIndex, ...rest }) => ({ ...rest, runIndex })), seed: s.seed, name: s.name, contentHash: s.contentHash })),
    totalWallMs: m.totalWallMs, createdBy: m.createdBy, nodeVersion: m.nodeVersion, hrtsimVersion: m.hrtsimVersion, createdAt: m.createdAt!,
  };
  const json = manifestJson(m);
  assert.is(manifestJson(shuffled), json);
  assert.ok(json.endsWith("}\n"));
  assert.ok(json.startsWith('{\n  "hrtsimVersion": "0.1.0",\n  "nodeVersion": "v20.0.0",\n  "createdBy"'));
  const doc = JSON.parse(json);
  assert.equal(Object.keys(doc.scenarios[0].runs[4]), ["runIndex", "point", "replication", "seed", "fingerprint", "events", "simTime", "status", "wallMs"]);
  assert.is(doc.scenarios[0].runs[4].status, "failed");
  assert.is(doc.scenarios[0].runs[0].wallMs, 3.5);
  assert.equal(Object.keys(doc.scenarios[0].runs[0].point), ["model.params.kernel", "model.params.cores"]);
});

test("display: significant digits, whole units for large values, dash for missing", () => {
  assert.is(display(361.6349), "361.6");
  assert.is(display(13807.3), "13807");
  assert.is(display(0.000123456), "0.0001235");
  assert.is(display(42), "42");
  assert.is(display(NaN), "–");
  assert.is(display(undefined), "–");
});

test("neutralizeMdHtml: tags outside code become text, code untouched", () => {
  assert.is(neutralizeMdHtml("a <b>x</b> `<i>` 1 < 2"), "a &lt;b>x&lt;/b> `<i>` 1 < 2");
  assert.is(neutralizeMdHtml("```\n<pre>\n```\n<p>"), "```\n<pre>\n```\n&lt;p>");
});

test("markdownToHtml (markdown-it): headings nested, raw HTML escaped, safe links, code fences, tables", () => {
  const html = markdownToHtml("# Head\ntext *em* `c<d>` <b onclick=x>raw</b>\n\n```\n<b>raw</b>\n```\n- [ok](https://x.org/a?b=1&c=2)\n- [bad](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |");
  assert.ok(html.includes("<h3>Head</h3>"));
  assert.ok(html.includes("<p>text <em>em</em> <code>c&lt;d&gt;</code> &lt;b onclick=x&gt;raw&lt;/b&gt;</p>"), html);
  assert.not.ok(html.includes("<b"), "no raw tag passes through");
  assert.ok(html.includes("<pre><code>&lt;b&gt;raw&lt;/b&gt;\n</code></pre>"));
  assert.ok(html.includes("<td>1</td>"));
  assert.ok(html.includes('<a href="https://x.org/a?b=1&amp;c=2">ok</a>'));
  assert.not.ok(html.includes('href="javascript'));
});

test("empty inputs still render", () => {
  const empty = { scenario: meta({ name: "none" }), runs: [] };
  const { html, md } = renderReport({
    title: "empty", results: [empty], verdicts: [], figures: [],
    manifest: { hrtsimVersion: "0", nodeVersion: "v20", createdBy: "x", totalWallMs: 0, scenarios: [] },
  });
  assert.ok(html.includes("No claims were declared."));
  assert.ok(html.includes("All runs succeeded."));
  assert.ok(md.includes("No claims were declared."));
});

test.run();
