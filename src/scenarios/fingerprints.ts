/**
 * OMNeT++-style fingerprint regression: the engine fingerprint and event count of every run
 * of every built-in scenario are checked in (test/fingerprints/builtin.json). Any change of
 * simulated behaviour — one cost, one event more — changes a fingerprint, so `npm test`
 * names the scenario and run; `hrtsim fingerprints --record` (npm run fingerprints:record)
 * re-records them on purpose, and the commit says why the behaviour changed.
 */
import { join } from "node:path";
import { Schema } from "effect";
import type { RunRecord } from "../reports/results.js";
import { ScalarSchema } from "../reports/spec.js";
import { writeFileAtomic } from "./atomic.js";
import { loadBuiltins, packageRoot } from "./builtin.js";
import { runSpecs } from "./expand.js";
import { runLimits, wallLimitMs } from "./limits.js";
import type { LoadedScenario } from "./load.js";
import { readIfExists } from "./out-dir.js";
import { batchSize, makeBatches, runPool, type Batch } from "./pool.js";
import { InputError } from "./problems.js";
import { decodeJsonFile } from "./stored.js";

export const RECORD_COMMAND = "npm run fingerprints:record";

/** One run's identity and behaviour. */
const RunPrintSchema = Schema.Struct({
  run: Schema.Int,
  point: Schema.Record(Schema.String, ScalarSchema),
  replication: Schema.Int,
  status: Schema.Literals(["ok", "failed"]),
  fingerprint: Schema.optional(Schema.String),
  events: Schema.optional(Schema.Int),
  error: Schema.optional(Schema.String),
});
export type RunPrint = typeof RunPrintSchema.Type;
export type Fingerprints = ReadonlyMap<string, readonly RunPrint[]>;

/** The checked-in file (formatFingerprints), checked when it is read. */
const FingerprintFileSchema = Schema.Struct({
  recordWith: Schema.String,
  scenarios: Schema.Record(Schema.String, Schema.Array(RunPrintSchema)),
});

export function fingerprintFile(): string {
  return join(packageRoot(), "test", "fingerprints", "builtin.json");
}

function print(r: RunRecord): RunPrint {
  const base = { run: r.runIndex, point: r.point, replication: r.replication, status: r.status };
  return r.status === "ok" ? { ...base, fingerprint: r.fingerprint!, events: r.events! } : { ...base, error: r.error ?? "" };
}

/** Runs every run of `scenarios` (no outputs, no journal) and collects their prints. */
export async function computeFingerprints(scenarios: readonly LoadedScenario[], workers: number): Promise<Fingerprints> {
  const prints = new Map<string, RunPrint[]>(scenarios.map((s) => [s.meta.name, []]));
  const batches = function* (): Generator<Batch> {
    for (const s of scenarios) {
      const limits = runLimits(s.doc.limits);
      const tasks = (function* () {
        for (const spec of runSpecs(s)) yield { model: s.plugin.name, limits, spec };
      })();
      yield* makeBatches(s.meta.name, tasks, batchSize(1000, workers), wallLimitMs(s.doc.limits));
    }
  };
  await runPool(batches(), { workers, onResult: (key, r) => prints.get(key)!.push(print(r)) });
  for (const runs of prints.values()) runs.sort((a, b) => a.run - b.run);
  return prints;
}

export async function builtinFingerprints(workers: number): Promise<Fingerprints> {
  return computeFingerprints(await loadBuiltins(), workers);
}

/** One run per line, so a diff of the file shows which runs changed. */
export function formatFingerprints(f: Fingerprints): string {
  const blocks = [...f.entries()].map(([name, runs]) => `    ${JSON.stringify(name)}: [\n${runs.map((r) => `      ${JSON.stringify(r)}`).join(",\n")}\n    ]`);
  return `{\n  "recordWith": ${JSON.stringify(RECORD_COMMAND)},\n  "scenarios": {\n${blocks.join(",\n")}\n  }\n}\n`;
}

export async function readFingerprints(file: string): Promise<Fingerprints | undefined> {
  const text = await readIfExists(file);
  if (text === undefined) return undefined;
  return new Map(Object.entries(decodeJsonFile(FingerprintFileSchema, text, file, `re-record it: ${RECORD_COMMAND}`).scenarios));
}

export async function writeFingerprints(file: string, f: Fingerprints): Promise<void> {
  await writeFileAtomic(file, formatFingerprints(f));
}

function describeRun(scenario: string, r: RunPrint): string {
  const point = Object.entries(r.point).map(([k, v]) => `${k.replace(/^model\.params\./, "")}=${v}`).join(", ");
  return `${scenario} run ${r.run} (${point === "" ? "" : `${point}, `}replication ${r.replication})`;
}

function behaviour(r: RunPrint): string {
  return r.status === "ok" ? `fingerprint ${r.fingerprint}, ${r.events} events` : `failed: ${r.error}`;
}

/** Every difference between recorded and current prints, one line each (empty: identical). */
export function compareFingerprints(recorded: Fingerprints, now: Fingerprints): string[] {
  const out: string[] = [];
  for (const name of recorded.keys()) if (!now.has(name)) out.push(`${name}: recorded, but no longer a built-in scenario`);
  for (const [name, runs] of now) {
    const old = recorded.get(name);
    if (!old) {
      out.push(`${name}: a built-in scenario without recorded fingerprints`);
      continue;
    }
    if (old.length !== runs.length) out.push(`${name}: ${old.length} runs recorded, ${runs.length} now`);
    const byRun = new Map(old.map((r) => [r.run, r]));
    for (const r of runs) {
      const o = byRun.get(r.run);
      if (!o) continue;
      if (JSON.stringify(o.point) !== JSON.stringify(r.point) || o.replication !== r.replication) {
        out.push(`${describeRun(name, r)}: recorded for other coordinates (${describeRun(name, o)})`);
      } else if (behaviour(o) !== behaviour(r)) {
        out.push(`${describeRun(name, r)}: recorded ${behaviour(o)}; now ${behaviour(r)}`);
      }
    }
  }
  return out;
}

/** `hrtsim fingerprints [--record]`: checks (or re-records) the built-in scenarios' fingerprints. */
export async function fingerprintsCommandText(opts: { record: boolean; file?: string; workers: number }): Promise<string> {
  const file = opts.file ?? fingerprintFile();
  const now = await builtinFingerprints(opts.workers);
  const runs = [...now.values()].reduce((n, r) => n + r.length, 0);
  if (opts.record) {
    await writeFingerprints(file, now);
    return `recorded ${runs} runs of ${now.size} built-in scenarios in ${file}`;
  }
  const recorded = await readFingerprints(file);
  if (!recorded) throw new InputError([{ file, path: "", message: "no recorded fingerprints", hint: `record them: ${RECORD_COMMAND}` }]);
  const diff = compareFingerprints(recorded, now);
  if (diff.length === 0) return `fingerprints match: ${runs} runs of ${now.size} built-in scenarios`;
  const hint = `if the behaviour change is intended, re-record with \`${RECORD_COMMAND}\` and say in the commit why it changed`;
  throw new InputError(diff.map((message, i) => ({ file, path: "", message, ...(i === diff.length - 1 ? { hint } : {}) })));
}
