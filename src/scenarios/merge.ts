/**
 * `hrtsim merge`: combines the output directories of `run --shard i/n` (or any runs of the
 * same command) into what one machine would have written. Inputs are the journals, not the
 * CSVs: every run record is there, and the scenario itself is stored beside it, so the
 * merge re-validates and re-renders everything. The merged directory gets a complete
 * journal too, so it can be resumed or merged again.
 */
import type { RunRecord, ScenarioResult } from "../reports/results.js";
import { runSpecs } from "./expand.js";
import {
  JOURNAL_VERSION, JournalWriter, clearJournal, journalDir, readJournal, readStoredScenario, writeStoredScenario,
  type StoredScenario,
} from "./journal.js";
import { validateDoc, type LoadedScenario } from "./load.js";
import { writeOutputs, type OutputSummary } from "./outputs.js";
import { InputError, type Problem } from "./problems.js";
import { assertNoLinks, writeInside } from "./out-dir.js";
import { SESSION_FILE, readSession, sessionFile, withOutLock, type SessionInfo } from "./session.js";
import { plainSource } from "./source.js";
import { seal } from "./stored.js";

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
    // A partial last line is what a killed session leaves (its run was redone by --resume); anything else is damage.
    const damaged = j.damaged.filter((x) => !x.partialLast);
    if (damaged.length) {
      throw new InputError(damaged.map((x) => ({ file: x.file, path: "", line: x.line, message: x.why, hint: "the journal is damaged: rerun that shard (or `--resume` it after deleting the damaged file)" })));
    }
    for (const [i, r] of j.runs) if (!runs.has(i)) runs.set(i, r);
  }
  const scenario = validateDoc(plainSource(stored!.file, stored!.raw), stored!.meta.contentHash, stored!.meta.seed);
  if (scenario.meta.name !== name) {
    throw new InputError([problem(journalDir(dirs[0]!, name), `scenario.json holds scenario "${scenario.meta.name}", not "${name}"`, "the journal was edited or mixed up; rerun the shards")]);
  }
  const missing: number[] = [];
  let total = 0;
  for (const spec of runSpecs(scenario)) {
    total++;
    const r = runs.get(spec.runIndex);
    if (!r) missing.push(spec.runIndex);
    else if (r.seed !== spec.seed || r.replication !== spec.replication) {
      throw new InputError([problem(name, `the journaled run ${spec.runIndex} does not belong to this scenario (seed or coordinates differ)`, "rerun the shards from the same scenario files")]);
    }
  }
  const extra = [...runs.keys()].filter((i) => i >= total);
  if (extra.length) throw new InputError([problem(name, `the journals hold runs beyond the scenario's ${total} (runIndex ${extra.slice(0, 5).join(", ")})`, "rerun the shards from the same scenario files")]);
  if (missing.length) {
    const shown = missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", …" : "");
    throw new InputError([problem(name, `${missing.length} of ${total} runs are missing (runIndex ${shown})`, "merge every shard's directory, or finish a shard with `--resume`")]);
  }
  return { scenario, stored: stored!, runs };
}

/** Writes the merged journal, so the result is itself a complete output directory. */
async function writeJournal(out: string, g: Gathered): Promise<void> {
  const dir = journalDir(out, g.scenario.meta.name);
  await assertNoLinks(out, dir);
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

export async function mergeDirs(dirs: readonly string[], out: string, createdBy: string, log?: (line: string) => void): Promise<OutputSummary> {
  return withOutLock(out, createdBy, log, () => mergeLocked(dirs, out, createdBy));
}

async function mergeLocked(dirs: readonly string[], out: string, createdBy: string): Promise<OutputSummary> {
  const session = await sessions(dirs);
  const gathered: Gathered[] = [];
  for (const name of session.scenarios) gathered.push(await gather(name, dirs));
  // Everything is read before anything is written: `out` may be one of the inputs.
  for (const g of gathered) await writeJournal(out, g);
  const { shard: _shard, ...info } = session;
  await writeInside(out, SESSION_FILE, JSON.stringify(seal(info), null, 2) + "\n");
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
