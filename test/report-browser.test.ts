/**
 * report.html in a real browser (headless Chromium via playwright-core), at 900 px, offline:
 * no console errors, every figure drawn with a non-zero size, no sideways scrolling, the claims
 * table, the lost sweep point named in its figure's caption, step breakdowns collapsed with a
 * total row. Screenshots go to test/artifacts/ (git-ignored; written by every `npm test`).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LOSSY_SWEEP, hrtsim, tempDir, writeText } from "./cli-helpers.js";
import { launchChromium } from "./support/browser.js";

/** dist/test/x.js → test/artifacts/ in the repository. */
const ARTIFACTS = fileURLToPath(new URL("../../test/artifacts/", import.meta.url));

const CONDVAR = `
name: tiny-condvar
description: condition-variable wake-up on both kernels, a few trials, with one execution step by step
model:
  name: microbench
  params: { machine: x64, kernel: nautilus, trials: 5, remoteCpus: 2 }
experiment: condvar
sweep:
  kernel: [nautilus, linux]
replications: 1
seed: 3
limits: { maxEvents: 2000000 }
outputs:
  figures:
    - { name: condvar, title: "condvar wake-up", kind: box, metric: cycles, x: kernel, color: kernel }
claims:
  - { id: faster, text: "Nautilus wakes faster than Linux", metric: cycles, statistic: median, numerator: { kernel: nautilus }, denominator: { kernel: linux }, compare: ratio, op: "<", threshold: 1 }
report:
  explain:
    - { experiment: condvar, params: { machine: x64, kernel: nautilus, remoteCpus: 1 }, title: "Nautilus condvar wake-up" }
`;


test("report.html at 900 px in Chromium: no errors, figures drawn, no sideways scroll, claims, lost points, collapsed steps", async () => {
  const dir = await tempDir();
  const files = [await writeText(dir, "condvar.yaml", CONDVAR), await writeText(dir, "small.yaml", LOSSY_SWEEP)];
  const out = join(dir, "out");
  const r = await hrtsim(["run", ...files, "--out", out, "--workers", "2", "--allow-failures"]);
  assert.is(r.code, 0, r.stderr);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, offline: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    const requests: string[] = [];
    page.on("request", (q) => { if (!q.url().startsWith("file:")) requests.push(q.url()); });
    await page.goto(pathToFileURL(join(out, "report.html")).href, { waitUntil: "load" });

    assert.equal(errors, [], "no console errors");
    assert.equal(requests, [], "nothing fetched: the report works offline");
    const sizes = await page.$$eval("figure svg", (svgs) => svgs.map((s) => { const b = s.getBoundingClientRect(); return [b.width, b.height]; }));
    assert.is(sizes.length, 2, "one figure per scenario");
    for (const [w, h] of sizes) assert.ok(w! > 0 && h! > 0 && w! <= 900, `figure drawn within the page: ${w}×${h}`);
    const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert.is(overflow, 0, "no horizontal overflow at 900 px");

    assert.is(await page.locator("#claims table.claims tbody tr").count(), 2, "the claims table lists both claims");
    assert.match(await page.locator("#about").innerText(), /VEE 2016/);
    const lossyCaption = await page.locator("figure", { hasText: "wait vs load" }).locator("figcaption").innerText();
    assert.match(lossyCaption, /customers=6000/, "the caption names the lost point");
    const link = await page.locator("figure", { hasText: "wait vs load" }).locator("figcaption a").getAttribute("href");
    assert.ok(link && (await page.locator(link).count()) === 1, "the caption links to the scenario's failed runs");
    const steps = page.locator("details.section");
    assert.is(await steps.count(), 1, "one step breakdown, inside its scenario");
    assert.is(await steps.getAttribute("open"), null, "collapsed");
    // Collapsed, so its text is not rendered: read the DOM text.
    assert.match(String(await steps.locator("tfoot tr.total").textContent()), /^total/);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "report-top.png") });
    await page.locator("section", { has: page.locator("h2", { hasText: "Scenario tiny-condvar" }) }).screenshot({ path: join(ARTIFACTS, "report-scenario.png") });
  } finally {
    await browser.close();
  }
});

test.run();
