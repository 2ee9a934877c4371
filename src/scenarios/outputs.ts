/**
 * Writing a command's outputs into `--out DIR`:
 *   observations.csv summary.csv claims.csv failures.csv
 *   figures/<scenario>/<name>.svg + .vl.json   report.html report.md manifest.json
 * Every file is written atomically, never through a symbolic link, and recorded in
 * journal/written.json: the next command deletes only the stale files on that list (a
 * figure that no longer exists), never a file it did not write. Everything but manifest.json and report.html is a pure
 * function of the scenarios, so it is byte-identical across worker counts, shards + merge
 * and resumption; report.md shows wall times as "–" and the reproducible command line.
 */
import {
  buildManifest, claimsCsv, evaluateClaims, failuresCsv, figurePath, figureSpecs, manifestJson, observationsCsv,
  renderReport, renderSvg, summaryCsv, type ClaimVerdict, type Manifest, type ReportFigure, type ScenarioResult,
} from "../reports/index.js";
import { annotateVerdicts } from "../reports/sensitivity.js";
import { replaceWrittenRecord, writeInside } from "./out-dir.js";
import { hrtsimVersion } from "./builtin.js";
import type { LoadedScenario } from "./load.js";
import { buildSections, type SectionContext } from "./sections.js";
import { parametersHash, storedAnalyses } from "./sensitivity-store.js";

export interface OutputRequest {
  readonly out: string;
  readonly title: string;
  readonly command: SectionContext["command"];
  readonly scenarios: readonly LoadedScenario[];
  readonly results: readonly ScenarioResult[];
  /** The actual command line (manifest.json, report.html). */
  readonly createdBy: string;
  /** The command line minus flags that cannot change results (report.md). */
  readonly reproducibleCommand: string;
  readonly totalWallMs: number;
  readonly hostDir?: string;
}

export interface OutputSummary {
  readonly runs: number;
  readonly failed: number;
  readonly verdicts: readonly ClaimVerdict[];
  readonly figures: number;
}

type Write = (rel: string, data: string) => Promise<void>;

/** Renders and writes each scenario's figures. */
async function writeFigures(write: Write, results: readonly ScenarioResult[]): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  for (const result of results) {
    const scenario = result.scenario.name;
    for (const fig of figureSpecs(result)) {
      const svg = await renderSvg(fig.vegaLite);
      const svgPath = figurePath(scenario, fig.name);
      await write(svgPath, svg);
      await write(svgPath.replace(/\.svg$/, ".vl.json"), JSON.stringify(fig.vegaLite, null, 2) + "\n");
      figures.push({ scenario, name: fig.name, title: fig.title, svg });
    }
  }
  return figures;
}

/** The manifest as report.md shows it: no wall times (NaN renders "–"), the reproducible command. */
function reproducibleView(m: Manifest, command: string): Manifest {
  return {
    ...m, createdBy: command, totalWallMs: NaN,
    scenarios: m.scenarios.map((s) => ({ ...s, runs: s.runs.map((r) => ({ ...r, wallMs: NaN })) })),
  };
}

export async function writeOutputs(req: OutputRequest): Promise<OutputSummary> {
  const { out, results } = req;
  const written: string[] = [];
  const write: Write = async (rel, data) => {
    await writeInside(out, rel, data);
    written.push(rel);
  };
  const hashes = new Map(req.scenarios.map((s) => [s.meta.name, { contentHash: s.meta.contentHash, parametersHash: parametersHash(s.space) }]));
  const analysable = new Set(req.scenarios.filter((s) => s.plugin.parameterSpace !== undefined).map((s) => s.meta.name));
  const verdicts = annotateVerdicts(
    results.flatMap((r) => evaluateClaims(r)), await storedAnalyses(req.scenarios), (name) => hashes.get(name), (name) => analysable.has(name),
  );
  await write("observations.csv", observationsCsv(results));
  await write("summary.csv", summaryCsv(results));
  await write("failures.csv", failuresCsv(results));
  await write("claims.csv", claimsCsv(verdicts));
  const figures = await writeFigures(write, results);
  const manifest = buildManifest(results, {
    hrtsimVersion: hrtsimVersion(), nodeVersion: process.version, createdBy: req.createdBy, totalWallMs: req.totalWallMs,
  });
  const sections = await buildSections({
    command: req.command, scenarios: req.scenarios, results, ...(req.hostDir !== undefined ? { hostDir: req.hostDir } : {}),
  });
  for (const f of sections.flatMap((x) => x.figures ?? [])) {
    await write(f.path, f.svg);
    if (f.vegaLite) await write(f.path.replace(/\.svg$/, ".vl.json"), JSON.stringify(f.vegaLite, null, 2) + "\n");
  }
  const base = { title: req.title, results, verdicts, figures, sections };
  const { html } = renderReport({ ...base, manifest });
  const { md } = renderReport({ ...base, manifest: reproducibleView(manifest, req.reproducibleCommand) });
  await write("report.html", html);
  await write("report.md", md);
  await write("manifest.json", manifestJson(manifest));
  await replaceWrittenRecord(out, written);
  const runs = results.reduce((n, r) => n + r.runs.length, 0);
  const failed = results.reduce((n, r) => n + r.runs.filter((x) => x.status === "failed").length, 0);
  return { runs, failed, verdicts, figures: figures.length };
}
