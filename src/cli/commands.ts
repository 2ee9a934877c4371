/**
 * The `hrtsim` commands: flags, arguments and help text. Handlers (./handlers.ts) are thin;
 * the logic lives in src/scenarios and src/reports.
 */
import { Effect } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import * as h from "./handlers.js";

/**
 * Runs a handler and prints its text; a rejection, or a failure the handler reports after its
 * text (failed runs, invalid files under --json), becomes the command's failure (→ exit code, see ./exit.ts).
 */
function printing<A>(handler: (args: A) => Promise<string | h.Printed>) {
  return (args: A) =>
    Effect.tryPromise({ try: () => handler(args), catch: (e) => e }).pipe(
      Effect.flatMap((result) => {
        const { text, failure } = typeof result === "string" ? { text: result, failure: undefined } : result;
        process.stdout.write(text.endsWith("\n") || text === "" ? text : text + "\n");
        return failure ? Effect.fail(failure) : Effect.void;
      }),
    );
}

const describe = Flag.withDescription;
const workers = Flag.Int("workers").pipe(Flag.optional, describe("worker threads (default: available parallelism)"));
const quiet = Flag.Boolean("quiet").pipe(Flag.withDefault(false), describe("no progress bar"));
const resume = Flag.Boolean("resume").pipe(Flag.withDefault(false), describe("keep runs already in the output's journal; run only the rest"));
const shard = Flag.String("shard").pipe(Flag.optional, describe(
  "run only slice i of n (runIndex mod n = i-1), or `auto`: i and n from a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) " +
  "or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, HRTSIM_SHARD_COUNT); combine with `merge` (examples/ has an sbatch script and a Job manifest)",
));
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), describe("print JSON on stdout instead of text"));
const allowFailures = Flag.Boolean("allow-failures").pipe(Flag.withDefault(false), describe("exit 0 even if some runs failed (default: exit 4)"));
const progress = Flag.String("progress").pipe(Flag.optional, describe("`json`: progress as JSON Lines on stderr; default `auto` (a bar on a terminal, else a line every 10 s)"));
const sets = Flag.String("set").pipe(Flag.atLeast(0), describe("model parameter key=value, or a parameter-file entry <scope>.<name>=value (x64.apic.accept=600, nautilus.switch.swap={scale: 2}); repeatable"));
const overrideSets = Flag.String("set").pipe(Flag.atLeast(0), describe("override a parameter-file entry: <scope>.<name>=value, value a number, a distribution {dist: …} or {scale: f} (repeatable; applies to the scenarios that use it)"));
const model = Flag.String("model").pipe(Flag.optional, describe("model name (`hrtsim list` shows them); default microbench (explain: picked by the primitive)"));
const machine = Flag.String("machine").pipe(Flag.optional, describe("machine profile (x64 or phi); sugar for --set machine=…"));
const kernel = Flag.String("kernel").pipe(Flag.optional, describe("kernel (nautilus or linux); sugar for --set kernel=…"));
const files = Argument.String("file").pipe(Argument.atLeast(1), Argument.withDescription("scenario files (YAML or JSON)"));

const run = Command.make("run", {
  files,
  out: Flag.String("out").pipe(Flag.optional, describe("output directory (default: ./hrtsim-out/<scenario>; several files with --out share one report)")),
  seed: Flag.String("seed").pipe(Flag.optional, describe("replaces the scenarios' seed")),
  sets: overrideSets,
  workers, shard, resume, quiet, progress, json, allowFailures,
}, printing(h.runCommand)).pipe(Command.withDescription(
  "Run scenario files: sweep × replications on worker threads; write CSVs, figures, report.html/.md and manifest.json. " +
  "If some runs failed, every output is still written, a warning says how many (see failures.csv) and the exit status is 4 unless --allow-failures.",
));

const validate = Command.make("validate", { files, sets: overrideSets, json }, printing(h.validateCommand))
  .pipe(Command.withDescription("Check scenario files without running them (exit 1 and one message per problem if invalid)."));

const list = Command.make("list", { json }, printing(h.listCommand))
  .pipe(Command.withDescription("List the built-in scenarios (name, tags, description) and the registered models."));

const schema = Command.make("schema", {
  parameters: Flag.Boolean("parameters").pipe(Flag.withDefault(false), describe("instead: every overridable parameter (path, unit, kind, value, range, meaning)")),
  machine: Flag.Boolean("machine").pipe(Flag.withDefault(false), describe("instead: the JSON Schema of machine profile files (scenario machineFile:)")),
}, printing(h.schemaCommand))
  .pipe(Command.withDescription("Print the JSON Schema of scenario files (--parameters: the parameter catalogue; --machine: the machine-file schema)."));

const figures = Command.make("figures", {
  out: Flag.String("out").pipe(Flag.withDefault("hrtsim-out"), describe("output directory")),
  host: Flag.String("host").pipe(Flag.optional, describe("host measurements (`hrtsim measure --out`) for report sections that use them")),
  sets: overrideSets,
  workers, shard, resume, quiet, progress, json, allowFailures,
}, printing(h.figuresCommand)).pipe(Command.withDescription('Run every built-in scenario tagged "paper" into one combined report.'));

const merge = Command.make("merge", {
  dirs: Argument.String("dir").pipe(Argument.atLeast(1), Argument.withDescription("output directories of `run --shard` / `figures --shard`")),
  out: Flag.String("out").pipe(describe("merged output directory")),
  json, allowFailures,
}, printing(h.mergeCommand)).pipe(Command.withDescription("Combine shard outputs into exactly what a single-machine run writes."));

const measure = Command.make("measure", {
  out: Flag.String("out").pipe(Flag.withDefault("hrtsim-out/host"), describe("directory for samples.csv and machine.json")),
  trials: Flag.Int("trials").pipe(Flag.optional, describe("trials per experiment and core")),
  only: Flag.String("only").pipe(Flag.optional, describe("comma-separated experiments to run")),
  rounds: Flag.Int("rounds").pipe(Flag.optional, describe("interleave the experiments in this many rounds (default 10; trials are split evenly)")),
  detourSeconds: Flag.Finite("detour-seconds").pipe(Flag.optional, describe("seconds of the detour (noise-trace) loop per CPU (default 2)")),
  quiet,
}, printing(h.measureCommand)).pipe(Command.withDescription("Build the native harness with the system C compiler and measure this host."));

const measureWorkloads = Command.make("measure-workloads", {
  out: Flag.String("out").pipe(Flag.withDefault("hrtsim-out/host-workloads.json"), describe("JSON file for the measurements (the checked-in one: src/models/legion/data/host-workloads.json)")),
}, printing(h.measureWorkloadsCommand)).pipe(Command.withDescription("Build the Legion workloads' C inner loops (workloads.c) with the system C compiler and time them on this host (rdtsc)."));

// [host] `calibrate`: its handler lives in ./calibrate.ts (loaded when the command runs).
const calibrate = Command.make("calibrate", {
  dir: Argument.String("dir").pipe(Argument.optional, Argument.withDescription("measurement set (`hrtsim measure --out`); default: the checked-in one")),
  out: Flag.String("out").pipe(Flag.optional, describe("where to write hardware.json, linux.json, calibration.json (default: DIR/calibration)")),
}, printing(async (a) => (await import("./calibrate.js")).calibrateCommand(a))).pipe(Command.withDescription(
  "Derive the `host` machine profile and its Linux parameters from host measurements; prints which parameter comes from which experiment.",
));

const fingerprints = Command.make("fingerprints", {
  record: Flag.Boolean("record").pipe(Flag.withDefault(false), describe("re-record the fingerprints (after an intended behaviour change; say why in the commit)")),
  file: Flag.String("file").pipe(Flag.optional, describe("fingerprint file (default: test/fingerprints/builtin.json in the package)")),
  workers,
}, printing(h.fingerprintsCommand)).pipe(Command.withDescription(
  "Run every built-in scenario and compare each run's fingerprint and event count with the recorded ones (exit 1 naming each differing run); --record re-records them.",
));

const params = Command.make("params", { model, machine, kernel, sets, json }, printing(h.paramsCommand))
  .pipe(Command.withDescription("Show a model's parameters in force (e.g. --machine x64 --kernel linux), with their sources."));

const explain = Command.make("explain", {
  primitive: Argument.String("primitive").pipe(Argument.withDescription("a microbench experiment (thread-create, condvar, ...) or an hvm operation (async-invoke, merge, hrt-boot-full, ...)")),
  model, machine, kernel, sets, json,
  seed: Flag.String("seed").pipe(Flag.withDefault("explain"), describe("seed of the explained execution")),
}, printing(h.explainCommand)).pipe(Command.withDescription("Break one execution of a primitive down step by step, cycles per step (e.g. explain condvar --machine x64 --kernel linux; explain async-invoke)."));

const sensitivity = Command.make("sensitivity", {
  scenario: Argument.String("scenario").pipe(Argument.withDescription("a scenario file or a built-in scenario's name (microbench-paper, hvm-harness, ...)")),
  out: Flag.String("out").pipe(Flag.optional, describe("output directory (default: ./hrtsim-out/sensitivity/<scenario>)")),
  with: Flag.String("with").pipe(Flag.atLeast(0), describe("model parameter for every run of the analysis, key=value (e.g. trials=20 remoteCpus=8: fewer trials, same mechanisms); repeatable")),
  only: Flag.String("only").pipe(Flag.atLeast(0), describe("vary only this parameter path (repeatable); default: every parameter with a range")),
  workers, quiet,
}, printing(h.sensitivityCommand)).pipe(Command.withDescription(
  "Claims under parameter uncertainty: each parameter with a plausible range at its low and high end, one at a time; " +
  "writes sensitivity.csv, sensitivity.json, a tornado figure per claim and report.md, and prints robust / depends on … per claim.",
));

export const hrtsim = Command.make("hrtsim").pipe(
  Command.withDescription(
    "Deterministic discrete-event simulator of hybrid runtimes. Exit codes: 0 ok, 1 invalid input, 2 usage error, " +
    "3 internal failure, 4 some runs failed (outputs written; --allow-failures makes it 0).",
  ),
  Command.withSubcommands([run, validate, list, schema, figures, merge, measure, measureWorkloads, calibrate, fingerprints, params, explain, sensitivity]),
);
