/**
 * What each command does with its parsed arguments: call into src/scenarios and return the
 * text to print. Modules are imported when a command runs, so `--help`, usage errors and
 * `validate` do not pay for loading the figure renderer.
 */
import { availableParallelism } from "node:os";
import { Option } from "effect";
import type { Shard } from "../scenarios/expand.js";
import type { OutputSummary } from "../scenarios/outputs.js";
import { UsageError } from "../scenarios/problems.js";
import type { ProgressFormat } from "../scenarios/progress.js";
import { RunsFailedError } from "./exit.js";

/** What a command prints, and the failure it then exits with, if any (after printing). */
export interface Printed {
  readonly text: string;
  readonly failure?: Error;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

type Opt<A> = Option.Option<A>;

const note = (text: string) => process.stderr.write(text + "\n");

/** `{ [key]: value }` if the option is set, else `{}` — for optional fields. */
function some<K extends string, A>(key: K, o: Opt<A>): { [P in K]?: A } {
  return (Option.isSome(o) ? { [key]: o.value } : {}) as { [P in K]?: A };
}

/** A command line, quoted for a POSIX shell. */
function reproducible(args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ["hrtsim", ...args].map(quote).join(" ");
}

/** The command line as typed (for the manifest). */
function commandLine(): string {
  return reproducible(process.argv.slice(2));
}

function workersOf(flag: Opt<number>): number {
  const n = Option.getOrElse(flag, () => availableParallelism());
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--workers must be a positive integer, got ${n}`);
  return n;
}

async function shardOf(flag: Opt<string>): Promise<{ shard?: Shard }> {
  if (Option.isNone(flag)) return {};
  if (flag.value.trim() === "auto") return { shard: (await import("../scenarios/shard-env.js")).shardFromEnvironment(process.env) };
  const { parseShard } = await import("../scenarios/expand.js");
  const shard = parseShard(flag.value);
  if (!shard) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/4) or auto, got "${flag.value}"`);
  return { shard };
}

type Outcome = OutputSummary & { out: string; executed?: number; resumed?: number };

/** The closing line, and a warning if runs failed. */
function summaryLine(o: Outcome, verb: string, allowFailures: boolean): string {
  const passed = o.verdicts.filter((v) => v.pass).length;
  if (o.failed > 0) {
    note(`warning: ${o.failed} of ${o.runs} runs failed; see ${o.out}/failures.csv` + (allowFailures ? " (--allow-failures: exit status 0)" : ""));
  }
  const how = o.executed === undefined ? "" : `${o.executed} run now, ${o.resumed} resumed, `;
  return `${verb} ${o.out}: ${o.runs} runs (${how}${o.failed} failed), ${o.figures} figures, claims ${passed}/${o.verdicts.length} pass`;
}

/** The --json summary of one output directory. */
function summaryObject(o: Outcome) {
  return {
    out: o.out, runs: o.runs, failed: o.failed, figures: o.figures,
    ...(o.executed === undefined ? {} : { executed: o.executed, resumed: o.resumed }),
    claims: {
      passed: o.verdicts.filter((v) => v.pass).length, total: o.verdicts.length,
      verdicts: o.verdicts.map((v) => ({
        scenario: v.scenario, id: v.id, pass: v.pass, value: v.value, op: v.op, threshold: v.threshold, ...(v.problem ? { problem: v.problem } : {}),
      })),
    },
  };
}

interface OutputFlags {
  readonly json: boolean;
  readonly allowFailures: boolean;
}

/** Text or JSON for finished outputs; failed runs make the command fail (exit 4) unless allowed. */
function finished(outcomes: readonly Outcome[], a: OutputFlags, verb = "wrote", single = false): Printed {
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  const lines = outcomes.map((o) => summaryLine(o, verb, a.allowFailures));
  const text = a.json ? json(single ? summaryObject(outcomes[0]!) : { outputs: outcomes.map(summaryObject) }) : lines.join("\n");
  return failed > 0 && !a.allowFailures ? { text, failure: new RunsFailedError(failed) } : { text };
}

interface ExecFlags extends OutputFlags {
  readonly workers: Opt<number>;
  readonly shard: Opt<string>;
  readonly resume: boolean;
  readonly quiet: boolean;
  readonly progress: Opt<string>;
}

function progressOf(flag: Opt<string>): { progress?: ProgressFormat } {
  if (Option.isNone(flag)) return {};
  if (flag.value === "json" || flag.value === "auto") return { progress: flag.value };
  throw new UsageError(`--progress must be auto or json, got "${flag.value}"`);
}

async function execOptions(a: ExecFlags) {
  return {
    workers: workersOf(a.workers), ...(await shardOf(a.shard)), resume: a.resume, quiet: a.quiet, ...progressOf(a.progress),
    createdBy: commandLine(), log: note,
  };
}

/** Parsed `--set` values of run/figures/validate (checked against the scenarios when they load). */
async function overrideSetsOf(sets: readonly string[]) {
  return sets.length === 0 ? {} : { sets: (await import("../scenarios/inspect.js")).parseSets(sets) };
}

export async function runCommand(a: ExecFlags & { files: readonly string[]; out: Opt<string>; seed: Opt<string>; sets: readonly string[] }): Promise<Printed> {
  const { runFiles } = await import("../scenarios/session.js");
  const options = await execOptions(a);
  return finished(await runFiles({ files: a.files, ...some("out", a.out), ...some("seed", a.seed), ...(await overrideSetsOf(a.sets)), ...options }), a);
}

export async function figuresCommand(a: ExecFlags & { out: string; host: Opt<string>; sets: readonly string[] }): Promise<Printed> {
  const { runFigures } = await import("../scenarios/session.js");
  const options = await execOptions(a);
  return finished([await runFigures({ out: a.out, ...some("hostDir", a.host), ...(await overrideSetsOf(a.sets)), ...options })], a, "wrote", true);
}

export async function sensitivityCommand(a: { scenario: string; out: Opt<string>; with: readonly string[]; only: readonly string[]; workers: Opt<number>; quiet: boolean }): Promise<string> {
  const { runSensitivity, sensitivitySummary } = await import("../scenarios/sensitivity.js");
  const { parseSets } = await import("../scenarios/inspect.js");
  const r = await runSensitivity({
    scenario: a.scenario, ...some("out", a.out), workers: workersOf(a.workers), quiet: a.quiet, modelParams: parseSets(a.with, "--with"),
    ...(a.only.length > 0 ? { only: a.only } : {}), command: reproducible(["sensitivity", a.scenario, ...a.with.flatMap((w) => ["--with", w]), ...a.only.flatMap((o) => ["--only", o])]), log: note,
  });
  return sensitivitySummary(r.analysis, r.out, r.wallMs);
}

export async function mergeCommand(a: OutputFlags & { dirs: readonly string[]; out: string }): Promise<Printed> {
  const { mergeDirs } = await import("../scenarios/merge.js");
  const merged = { ...(await mergeDirs(a.dirs, a.out, commandLine(), note)), out: a.out };
  return finished([merged], a, `merged ${a.dirs.length} directories into`, true);
}

export async function fingerprintsCommand(a: { record: boolean; file: Opt<string>; workers: Opt<number> }): Promise<string> {
  const { fingerprintsCommandText } = await import("../scenarios/fingerprints.js");
  return fingerprintsCommandText({ record: a.record, ...some("file", a.file), workers: workersOf(a.workers) });
}

export async function validateCommand(a: { files: readonly string[]; sets: readonly string[]; json: boolean }): Promise<Printed> {
  const listing = await import("../scenarios/listing.js");
  const { sets } = await overrideSetsOf(a.sets) as { sets?: Record<string, unknown> };
  if (!a.json) return { text: await listing.validateFiles(a.files, sets) };
  const { InputError } = await import("../scenarios/problems.js");
  try {
    return { text: json({ valid: true, scenarios: await listing.validateData(a.files, sets), problems: [] }) };
  } catch (e) {
    // Invalid files: the problems as JSON on stdout, the readable messages on stderr, exit 1.
    if (e instanceof InputError) return { text: json({ valid: false, scenarios: [], problems: e.problems }), failure: e };
    throw e;
  }
}

export async function listCommand(a: { json: boolean }): Promise<string> {
  const listing = await import("../scenarios/listing.js");
  return a.json ? json(await listing.listData()) : listing.listText();
}

export async function schemaCommand(a: { parameters: boolean; machine: boolean }): Promise<string> {
  if (a.parameters && a.machine) throw new UsageError("--parameters and --machine are alternatives");
  if (a.parameters) return (await import("../scenarios/catalog.js")).parametersText();
  if (a.machine) return JSON.stringify((await import("../scenarios/catalog.js")).machineJsonSchema(), null, 2);
  return JSON.stringify(await (await import("../scenarios/jsonschema.js")).scenarioJsonSchema(), null, 2);
}

export async function measureCommand(a: { out: string; trials: Opt<number>; only: Opt<string>; rounds: Opt<number>; detourSeconds: Opt<number>; quiet: boolean }): Promise<string> {
  const { runMeasure } = await import("./measure.js");
  return runMeasure({ out: a.out, ...some("trials", a.trials), ...some("only", a.only), ...some("rounds", a.rounds), ...some("detourSeconds", a.detourSeconds), quiet: a.quiet });
}

export async function measureWorkloadsCommand(a: { out: string }): Promise<string> {
  const doc = await (await import("../scenarios/measure-workloads.js")).measureWorkloads(a.out);
  const rows = Object.entries(doc.kernels).map(([k, m]) => `  ${k}: ${m.cyclesPerElement.toFixed(3)} TSC cycles per ${m.unit}`);
  return [`wrote ${a.out} (${doc.source.cpu}, TSC ${(doc.source.tscHz / 1e9).toFixed(3)} GHz)`, ...rows].join("\n");
}

/** The model flags of `params` and `explain`. */
interface ModelFlags {
  readonly model: Opt<string>;
  readonly machine: Opt<string>;
  readonly kernel: Opt<string>;
  readonly sets: readonly string[];
}

/** `--machine M --kernel K` are sugar for `--set machine=M --set kernel=K` (they come last, so they win). */
function setsOf(a: ModelFlags): string[] {
  return [...a.sets, ...(Option.isSome(a.machine) ? [`machine=${a.machine.value}`] : []), ...(Option.isSome(a.kernel) ? [`kernel=${a.kernel.value}`] : [])];
}

const DEFAULT_MODEL = "microbench";

export async function paramsCommand(a: ModelFlags & { json: boolean }): Promise<string> {
  const inspect = await import("../scenarios/inspect.js");
  const model = Option.getOrElse(a.model, () => DEFAULT_MODEL);
  return a.json ? json(inspect.paramsData(model, setsOf(a))) : inspect.paramsText(model, setsOf(a));
}

/**
 * `explain PRIMITIVE`: a microbench experiment, or an hvm experiment or operation name (as the
 * hvm experiments label their `op`s, e.g. async-invoke, hrt-boot-full, linux-process-start);
 * without --model the name picks the model.
 */
export async function explainCommand(a: ModelFlags & { primitive: string; seed: string; json: boolean }): Promise<string> {
  const inspect = await import("../scenarios/inspect.js");
  const request = {
    primitive: a.primitive,
    ...(Option.isSome(a.model) ? { model: a.model.value } : {}),
    sets: setsOf(a),
    kernelGiven: Option.isSome(a.kernel),
    seed: a.seed,
  };
  return a.json ? json({ primitive: a.primitive, breakdowns: inspect.explainPrimitive(request) }) : inspect.explainPrimitiveText(request);
}
