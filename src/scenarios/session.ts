/**
 * What the `run` and `figures` commands do, minus argument parsing: load, run, write.
 * A session's identity (title, scenario list, reproducible command) is stored in
 * `<out>/journal/run.json` so `merge` can write exactly what a single machine would.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { taggedBuiltins } from "./builtin.js";
import type { Shard } from "./expand.js";
import { loadAll, loadScenario, type LoadedScenario } from "./load.js";
import type { ParameterOverrides } from "../models/index.js";
import { splitSets } from "./overrides.js";
import { writeOutputs, type OutputSummary } from "./outputs.js";
import { InputError, type Problem } from "./problems.js";
import { runScenarios } from "./runner.js";
import type { SectionContext } from "./sections.js";

export interface SessionInfo {
  readonly version: 1;
  readonly command: SectionContext["command"];
  readonly title: string;
  readonly reproducibleCommand: string;
  /** Scenario names in report order. */
  readonly scenarios: readonly string[];
  readonly hostDir?: string;
  readonly shard?: Shard;
}

export interface ExecOptions {
  readonly workers: number;
  readonly shard?: Shard;
  readonly resume: boolean;
  readonly quiet: boolean;
  /** The actual command line, for the manifest. */
  readonly createdBy: string;
  readonly log: (line: string) => void;
}

export interface SessionOutcome extends OutputSummary {
  readonly out: string;
  readonly executed: number;
  readonly resumed: number;
}

export function sessionFile(out: string): string {
  return join(out, "journal", "run.json");
}

export async function readSession(out: string): Promise<SessionInfo | undefined> {
  try {
    return JSON.parse(await readFile(sessionFile(out), "utf8")) as SessionInfo;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

export function shardTitle(title: string, shard: Shard | undefined): string {
  return shard ? `${title} (shard ${shard.index}/${shard.count})` : title;
}

function uniqueNames(scenarios: readonly LoadedScenario[]): void {
  const problems: Problem[] = [];
  scenarios.forEach((s, i) => {
    const first = scenarios.findIndex((t) => t.meta.name === s.meta.name);
    if (first !== i) {
      problems.push({
        file: s.file, path: "name", message: `scenario name "${s.meta.name}" is also used by ${scenarios[first]!.file}`,
        hint: "scenarios written to one output directory need distinct names",
      });
    }
  });
  if (problems.length) throw new InputError(problems);
}

/** Runs scenarios into one output directory and writes every output file. */
export async function execute(
  scenarios: readonly LoadedScenario[], out: string, info: Omit<SessionInfo, "version" | "scenarios" | "shard">, opts: ExecOptions,
): Promise<SessionOutcome> {
  uniqueNames(scenarios);
  const session: SessionInfo = {
    version: 1, ...info, scenarios: scenarios.map((s) => s.meta.name), ...(opts.shard ? { shard: opts.shard } : {}),
  };
  const outcome = await runScenarios(scenarios, { out, ...opts });
  await writeFileAtomic(sessionFile(out), JSON.stringify(session, null, 2) + "\n");
  const summary = await writeOutputs({
    out, title: shardTitle(info.title, opts.shard), command: info.command, scenarios, results: outcome.results,
    createdBy: opts.createdBy, reproducibleCommand: info.reproducibleCommand, totalWallMs: outcome.wallMs,
    ...(info.hostDir !== undefined ? { hostDir: info.hostDir } : {}),
  });
  return { ...summary, out, executed: outcome.executed, resumed: outcome.resumed };
}

/** Reloads each scenario with the `--set` values it uses (see splitSets); unchanged without sets. */
export async function withSets(scenarios: LoadedScenario[], sets: ParameterOverrides | undefined): Promise<LoadedScenario[]> {
  if (sets === undefined || Object.keys(sets).length === 0) return scenarios;
  const per = splitSets(sets, scenarios);
  const out: LoadedScenario[] = [];
  for (const [i, s] of scenarios.entries()) out.push(Object.keys(per[i]!).length === 0 ? s : await loadScenario(s.file, s.meta.seed, per[i]!));
  return out;
}

/** ` --set k=v` flags for the reproducible command. */
function setFlags(sets: ParameterOverrides | undefined): string {
  return Object.entries(sets ?? {}).map(([k, v]) => ` --set '${k}=${JSON.stringify(v)}'`).join("");
}

export interface RunRequest extends ExecOptions {
  readonly files: readonly string[];
  /** Without it, each scenario goes to ./hrtsim-out/<name>. */
  readonly out?: string;
  readonly seed?: string;
  /** `--set path=value` overrides (parsed). */
  readonly sets?: ParameterOverrides;
}

/** `hrtsim run`: one combined output with --out, else one directory per scenario. */
export async function runFiles(req: RunRequest): Promise<SessionOutcome[]> {
  const scenarios = await withSets(await loadAll(req.files, req.seed), req.sets);
  // Checked across all files: without --out, each name is also a directory.
  uniqueNames(scenarios);
  const seedFlag = req.seed === undefined ? "" : ` --seed ${req.seed}`;
  const groups = req.out !== undefined
    ? [{ out: req.out, scenarios, files: req.files }]
    : scenarios.map((s) => ({ out: join("hrtsim-out", s.meta.name), scenarios: [s], files: [s.file] }));
  const outcomes: SessionOutcome[] = [];
  for (const g of groups) {
    const info = {
      command: "run" as const,
      title: `hrtsim: ${g.scenarios.map((s) => s.meta.name).join(", ")}`,
      reproducibleCommand: `hrtsim run ${g.files.join(" ")}${seedFlag}${setFlags(req.sets)}`,
    };
    outcomes.push(await execute(g.scenarios, g.out, info, req));
  }
  return outcomes;
}

export const PAPER_TAG = "paper";

/** `hrtsim figures`: every built-in scenario tagged "paper", one combined report. */
export async function runFigures(req: ExecOptions & { readonly out: string; readonly hostDir?: string; readonly sets?: ParameterOverrides }): Promise<SessionOutcome> {
  const scenarios = await withSets(await taggedBuiltins(PAPER_TAG), req.sets);
  const info = {
    command: "figures" as const, title: "hrtsim figures",
    reproducibleCommand: `hrtsim figures${req.hostDir === undefined ? "" : ` --host ${req.hostDir}`}${setFlags(req.sets)}`,
    ...(req.hostDir !== undefined ? { hostDir: req.hostDir } : {}),
  };
  return execute(scenarios, req.out, info, req);
}
