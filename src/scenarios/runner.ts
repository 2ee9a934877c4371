/**
 * The runner: scenarios → runs (expanded, sharded, minus what the journal says finished)
 * → worker pool → journal → result tables sorted by runIndex. Output bytes therefore depend
 * only on the scenarios, never on worker count, completion order, sharding or resumption.
 */
import type { RunRecord, ScenarioResult } from "../reports/results.js";
import type { RunTask } from "./execute.js";
import { inShard, runCount, runSpecs, shardSize, type Shard } from "./expand.js";
import {
  JOURNAL_VERSION, JournalWriter, clearJournal, journalDir, normalizeRecord, readJournal, writeStoredScenario,
} from "./journal.js";
import type { LoadedScenario } from "./load.js";
import { runLimits, wallLimitMs } from "./limits.js";
import { assertNoLinks } from "./out-dir.js";
import { batchSize, makeBatches, runPool, type Batch } from "./pool.js";
import { announcePhase, makeProgress, type ProgressFormat } from "./progress.js";

export interface RunnerOptions {
  readonly out: string;
  readonly workers: number;
  readonly shard?: Shard;
  readonly resume: boolean;
  readonly quiet: boolean;
  /** "json": JSON Lines progress on stderr (default: a bar on a terminal, else periodic lines). */
  readonly progress?: ProgressFormat;
  /** Notes for the user (stderr); silent by default. */
  readonly log?: (line: string) => void;
}

export interface RunnerOutcome {
  readonly results: ScenarioResult[];
  /** Runs executed now vs taken from the journal. */
  readonly executed: number;
  readonly resumed: number;
  readonly wallMs: number;
}

interface Plan {
  readonly scenario: LoadedScenario;
  readonly done: Map<number, RunRecord>;
  /** The runs still to do, generated on demand. */
  readonly todo: () => Iterable<RunTask>;
  readonly todoCount: number;
}

/** Prepares one scenario's journal and works out which of its runs are still to do. */
async function plan(s: LoadedScenario, opts: RunnerOptions): Promise<Plan> {
  const dir = journalDir(opts.out, s.meta.name);
  await assertNoLinks(opts.out, dir);
  const mine = function* () {
    for (const spec of runSpecs(s)) if (inShard(spec.runIndex, opts.shard)) yield spec;
  };
  const done = new Map<number, RunRecord>();
  if (opts.resume) {
    const j = await readJournal(dir, { contentHash: s.meta.contentHash, seed: s.meta.seed });
    if (j.foreign.length) opts.log?.(`note: ${s.meta.name}: ignoring ${j.foreign.length} journal file(s) from another version or seed of this scenario`);
    if (j.damaged.length) {
      const where = j.damaged.slice(0, 5).map((d) => `${d.file}:${d.line}`).join(", ") + (j.damaged.length > 5 ? ", …" : "");
      opts.log?.(`note: ${s.meta.name}: skipped ${j.damaged.length} damaged journal record(s) (${where}); those runs are redone`);
    }
    if (j.runs.size) for (const spec of mine()) if (j.runs.get(spec.runIndex)?.seed === spec.seed) done.set(spec.runIndex, j.runs.get(spec.runIndex)!);
  } else {
    await clearJournal(dir);
  }
  await writeStoredScenario(dir, {
    version: JOURNAL_VERSION, file: s.file, raw: s.raw, meta: s.meta, totalRuns: runCount(s),
    ...(opts.shard ? { shard: opts.shard } : {}),
  });
  const limits = runLimits(s.doc.limits);
  const todo = function* () {
    for (const spec of mine()) if (!done.has(spec.runIndex)) yield { model: s.plugin.name, limits, spec };
  };
  return { scenario: s, done, todo, todoCount: shardSize(runCount(s), opts.shard) - done.size };
}

/** Runs every scenario's outstanding runs on one shared pool. */
export async function runScenarios(scenarios: readonly LoadedScenario[], opts: RunnerOptions): Promise<RunnerOutcome> {
  const start = Date.now();
  const plans: Plan[] = [];
  for (const s of scenarios) plans.push(await plan(s, opts));
  const resumed = plans.reduce((n, p) => n + p.done.size, 0);
  const executed = plans.reduce((n, p) => n + p.todoCount, 0);
  if (resumed > 0) opts.log?.(`resuming: ${resumed} of ${resumed + executed} runs already in the journal; running ${executed}`);
  const writers = new Map<string, JournalWriter>();
  try {
    for (const p of plans) {
      if (p.todoCount === 0) continue;
      const m = p.scenario.meta;
      writers.set(m.name, await JournalWriter.open(journalDir(opts.out, m.name), { scenario: m.name, contentHash: m.contentHash, seed: m.seed }));
    }
    const byName = new Map(plans.map((p) => [p.scenario.meta.name, p]));
    const batches = function* (): Generator<Batch> {
      for (const p of plans) {
        yield* makeBatches(p.scenario.meta.name, p.todo(), batchSize(p.todoCount, opts.workers), wallLimitMs(p.scenario.doc.limits));
      }
    };
    const progressOptions = { quiet: opts.quiet, ...(opts.progress ? { format: opts.progress } : {}) };
    if (executed > 0) announcePhase("running", progressOptions, { total: executed });
    const progress = makeProgress(executed, progressOptions);
    await runPool(batches(), {
      workers: opts.workers,
      onResult: (key, record) => {
        // The journal line is written before the run counts as done: a kill after this loses nothing.
        writers.get(key)!.append(record);
        byName.get(key)!.done.set(record.runIndex, normalizeRecord(record));
        progress.tick();
      },
    });
    if (executed > 0) progress.done();
  } finally {
    for (const w of writers.values()) w.close();
  }
  const results = plans.map((p) => ({
    scenario: p.scenario.meta,
    runs: [...p.done.values()].sort((a, b) => a.runIndex - b.runIndex),
  }));
  return { results, executed, resumed, wallMs: Date.now() - start };
}
