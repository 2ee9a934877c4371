/**
 * `hrtsim merge`: combines the output directories of `run --shard i/n` (or any runs of the
 * same command) into what one machine would have written. Inputs are the journals, not the
 * CSVs: every run record is there, and the scenario itself is stored beside it, so the
 * merge re-validates and re-renders everything. The merged directory gets a complete
 * journal too, so it can be resumed or merged again.
 */
import type { RunRecord, ScenarioResult } from "../reports/results.js";
import { runCount } from "./expand.js";
import {
  JOURNAL_VERSION, JournalWriter, clearJournal, journalDir, readJournal, readStoredScenario, writeStoredScenario,
  type StoredScenario,
} from "./journal.js";
import { validateDoc, type LoadedScenario } from "./load.js";
import { writeOutputs, type OutputSummary } from "./outputs.js";
import { InputError, type Problem } from "./problems.js";
import { readSession, sessionFile, type SessionInfo } from "./session.js";
import { plainSource } from "./source.js";
import { writeFileAtomic } from "./atomic.js";

function problem(file: string, message: string, hint?: string): Problem {
  return { file, path: "", message, ...(hint ? { hint } : {}) };
}

async function sessions(dirs: readonly string[]): Promise<SessionInfo> {
  const infos: SessionInfo[] = [];
  for (const d of dirs) {
    const s = await readSession(d);
    if (!s) throw new InputError([problem(sessionFile(d), "not an hrtsim output directory (no journal)", "merge the --out directories of `hrtsim run`/`figures`")]);
    infos.push(s);
  }
  const first = infos[0]!;
  const same = (s: SessionInfo) =>
    s.reproducibleCommand === first.reproducibleCommand && s.title === first.title && s.scenarios.join("\n") === first.scenarios.join("\n");
  const odd = infos.findIndex((s) => !same(s));
  if (odd >= 0) {
    throw new InputError([problem(sessionFile(dirs[odd]!), `comes from a different command ("${infos[odd]!.reproducibleCommand}") than ${dirs[0]} ("${first.reproducibleCommand}")`, "only shards of the same command can be merged")]);
  }
  return first;
}

interface Gathered {
  readonly scenario: LoadedScenario;
  readonly stored: StoredScenario;
  readonly runs: Map<number, RunRecord>;
}

async function gather(name: string, dirs: readonly string[]): Promise<Gathered> {
  let stored: StoredScenario | undefined;
  const runs = new Map<number, RunRecord>();
  for (const d of dirs) {
    const dir = journalDir(d, name);
    const s = await readStoredScenario(dir);
    if (!s) throw new InputError([problem(dir, `scenario "${name}" is missing from this directory's journal`)]);
    if (stored && (s.meta.contentHash !== stored.meta.contentHash || s.meta.seed !== stored.meta.seed)) {
      throw new InputError([problem(dir, `scenario "${name}" differs between directories (file content or seed)`, "rerun the shards from the same scenario files")]);
    }
    stored ??= s;
    const j = await readJournal(dir, { contentHash: s.meta.contentHash, seed: s.meta.seed });
    for (const [i, r] of j.runs) if (!runs.has(i)) runs.set(i, r);
  }
  const scenario = validateDoc(plainSource(stored!.file, stored!.raw), stored!.meta.contentHash, stored!.meta.seed);
  const total = runCount(scenario);
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !runs.has(i));
  if (missing.length) {
    const shown = missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", …" : "");
    throw new InputError([problem(name, `${missing.length} of ${total} runs are missing (runIndex ${shown})`, "merge every shard's directory, or finish a shard with `--resume`")]);
  }
  return { scenario, stored: stored!, runs };
}

/** Writes the merged journal, so the result is itself a complete output directory. */
async function writeJournal(out: string, g: Gathered): Promise<void> {
  const dir = journalDir(out, g.scenario.meta.name);
  await clearJournal(dir);
  const { shard: _shard, ...rest } = g.stored;
  await writeStoredScenario(dir, { ...rest, version: JOURNAL_VERSION });
  const m = g.scenario.meta;
  const w = await JournalWriter.open(dir, { scenario: m.name, contentHash: m.contentHash, seed: m.seed });
  try {
    for (const r of [...g.runs.values()].sort((a, b) => a.runIndex - b.runIndex)) w.append(r);
  } finally {
    w.close();
  }
}

export async function mergeDirs(dirs: readonly string[], out: string, createdBy: string): Promise<OutputSummary> {
  const session = await sessions(dirs);
  const gathered: Gathered[] = [];
  for (const name of session.scenarios) gathered.push(await gather(name, dirs));
  // Everything is read before anything is written: `out` may be one of the inputs.
  for (const g of gathered) await writeJournal(out, g);
  const { shard: _shard, ...info } = session;
  await writeFileAtomic(sessionFile(out), JSON.stringify(info, null, 2) + "\n");
  const results: ScenarioResult[] = gathered.map((g) => ({
    scenario: g.scenario.meta, runs: [...g.runs.values()].sort((a, b) => a.runIndex - b.runIndex),
  }));
  const totalWallMs = results.reduce((n, r) => n + r.runs.reduce((m, x) => m + (x.wallMs ?? 0), 0), 0);
  return writeOutputs({
    out, title: session.title, command: session.command, scenarios: gathered.map((g) => g.scenario), results,
    createdBy, reproducibleCommand: session.reproducibleCommand, totalWallMs,
    ...(session.hostDir !== undefined ? { hostDir: session.hostDir } : {}),
  });
}
