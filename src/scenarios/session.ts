/**
 * What the `run` and `figures` commands do, minus argument parsing: load, run, write.
 * A session's identity (title, scenario list, reproducible command) is stored in
 * `<out>/journal/run.json` so `merge` can write exactly what a single machine would.
 */
import { join } from "node:path";
import { taggedBuiltins } from "./builtin.js";
import type { Shard } from "./expand.js";
import { checkMeasurementSet } from "./host-files.js";
import { loadAll, withSets, type LoadedScenario } from "./load.js";
import type { ParameterOverrides } from "../models/index.js";
import { writeOutputs, type OutputSummary } from "./outputs.js";
import { lockOutDir, readIfExists, writeInside } from "./out-dir.js";
import { InputError, type Problem } from "./problems.js";
import { announcePhase, type ProgressFormat } from "./progress.js";
import { runScenarios } from "./runner.js";
import type { SectionContext } from "./sections.js";
import { SessionInfoSchema, decodeStoredJson, seal } from "./stored.js";

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
  readonly progress?: ProgressFormat;
  /** The actual command line, for the manifest. */
  readonly createdBy: string;
  readonly log: (line: string) => void;
}

export interface SessionOutcome extends OutputSummary {
  readonly out: string;
  readonly executed: number;
  readonly resumed: number;
}

export const SESSION_FILE = join("journal", "run.json");

export function sessionFile(out: string): string {
  return join(out, SESSION_FILE);
}

/** journal/run.json, decoded (InputError naming the file if damaged); undefined if absent. */
export async function readSession(out: string): Promise<SessionInfo | undefined> {
  const file = sessionFile(out);
  const text = await readIfExists(file);
  return text === undefined ? undefined : (decodeStoredJson(SessionInfoSchema, text, file) as SessionInfo);
}

/** Runs `body` holding the output directory's lock (a second writer is refused). */
export async function withOutLock<T>(out: string, command: string, log: ((line: string) => void) | undefined, body: () => Promise<T>): Promise<T> {
  const release = await lockOutDir(out, command, log);
  try {
    return await body();
  } finally {
    await release();
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
  return withOutLock(out, opts.createdBy, opts.log, async () => {
    const outcome = await runScenarios(scenarios, { out, ...opts });
    await writeInside(out, SESSION_FILE, JSON.stringify(seal(session), null, 2) + "\n");
    announcePhase("writing report", { quiet: opts.quiet, ...(opts.progress ? { format: opts.progress } : {}) });
    const summary = await writeOutputs({
      out, title: shardTitle(info.title, opts.shard), command: info.command, scenarios, results: outcome.results,
      createdBy: opts.createdBy, reproducibleCommand: info.reproducibleCommand, totalWallMs: outcome.wallMs,
      ...(info.hostDir !== undefined ? { hostDir: info.hostDir } : {}),
    });
    return { ...summary, out, executed: outcome.executed, resumed: outcome.resumed };
  });
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
  if (req.hostDir !== undefined) await checkMeasurementSet(req.hostDir);
  const scenarios = await withSets(await taggedBuiltins(PAPER_TAG), req.sets);
  const info = {
    command: "figures" as const, title: "hrtsim figures",
    reproducibleCommand: `hrtsim figures${req.hostDir === undefined ? "" : ` --host ${req.hostDir}`}${setFlags(req.sets)}`,
    ...(req.hostDir !== undefined ? { hostDir: req.hostDir } : {}),
  };
  return execute(scenarios, req.out, info, req);
}
