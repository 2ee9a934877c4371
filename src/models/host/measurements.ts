/**
 * Host measurement sets: what the native harness (native/harness.c) prints, and the
 * checked-in `samples.csv` + `machine.json` pairs the Linux model is fitted to.
 *
 * Values are TSC cycles of the measuring host (`machine.tscHz` converts them), or
 * nanoseconds when the harness had to fall back to CLOCK_MONOTONIC_RAW
 * (`machine.clockSource === "monotonic"`, `tscHz === 1e9`).
 *
 * Pure: text in, typed data out. Reading and writing the files is src/scenarios/host-files.ts
 * (and src/scenarios/measure.ts for the harness).
 */
import { Schema, SchemaTransformation } from "effect";
import { quantileSorted, sorted } from "./stats.js";

/**
 * Experiment names, in the harness's order (the Linux model keys on these). `detour` and
 * `detour-start` are not timed primitives but a noise trace (`detourTraces`).
 */
export const EXPERIMENTS = [
  "thread-create", "thread-run", "thread-both", "threads-long", "ctx-switch",
  "condvar", "condvar-bcast", "spinlock", "syscall", "sync-event", "sync-roundtrip",
  "fork-exec", "posix-spawn", "thread-create-sleep100us", "thread-create-sleep1ms", "condvar-sleep1ms", "detour", "detour-start",
] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

const SAMPLES_HEADER = "experiment,core,trial,cycles";

/** One measured value. `core` is the remote core (k for threads-long, 0 if none). */
export interface Sample {
  readonly experiment: Experiment;
  readonly core: number;
  readonly trial: number;
  /** Signed: condvar and sync-event may be negative (the waiter stamps first). */
  readonly cycles: number;
}

/** A bad measurement file or harness output; names the file, line and field. */
export class MeasurementFormatError extends Error {
  override readonly name = "MeasurementFormatError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${field === undefined ? "" : `field "${field}": `}${detail}`);
  }
}

// ------------------------------------------------------------------ schemas

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
/** A decimal number written as text (no blanks, no "NaN", no "", no "0x..."). */
const NumberText = Schema.String.check(Schema.isPattern(DECIMAL, { message: "Expected a decimal number" })).pipe(
  Schema.decodeTo(Schema.Finite, SchemaTransformation.numberFromString),
);
const CountText = NumberText.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0));
const ExperimentSchema = Schema.Literals(EXPERIMENTS);
const ClockSource = Schema.Literals(["rdtsc", "monotonic"]);

/** One CSV row, decoded from its four text fields. */
const SampleRow = Schema.Struct({ experiment: ExperimentSchema, core: CountText, trial: CountText, cycles: NumberText });

/** The `# key=value` header keys the harness must print, decoded from text. */
const HarnessHeader = Schema.Struct({
  clock: ClockSource,
  tsc_hz: NumberText.check(Schema.isGreaterThan(0)),
  ncpu: CountText.check(Schema.isGreaterThanOrEqualTo(1)),
  trials: CountText.check(Schema.isGreaterThanOrEqualTo(1)),
  tsc_overhead: NumberText.check(Schema.isGreaterThanOrEqualTo(0)),
  harness_version: CountText,
});

const PositiveInt = Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(1));
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));

/** machine.json: the host a measurement set was taken on. */
export const MachineInfo = Schema.Struct({
  schemaVersion: Schema.Literal(1),
  /** "model name" from /proc/cpuinfo. */
  cpuModel: Schema.String,
  /** CPUs the harness could use (its affinity mask). */
  cores: PositiveInt,
  /** CPUs the OS reports online (os.cpus()). */
  onlineCpus: PositiveInt,
  arch: Schema.String,
  /** Ticks per second of the `cycles` unit (measured against CLOCK_MONOTONIC over ~100 ms). */
  tscHz: Schema.Finite.check(Schema.isGreaterThan(0)),
  clockSource: ClockSource,
  unit: Schema.Literals(["cycles", "ns"]),
  tscInvariant: Schema.Boolean,
  /** Mean cost of two back-to-back stamps (subtracted from spinlock only). */
  tscOverhead: NonNegative,
  /** os.release() */
  kernel: Schema.String,
  virtualMachine: Schema.Boolean,
  /** The `hypervisor` flag of /proc/cpuinfo. */
  hypervisorFlag: Schema.Boolean,
  /** `systemd-detect-virt --vm` (null: none or not available). */
  vmType: Schema.NullOr(Schema.String),
  /** `systemd-detect-virt --container` (null: none or not available). */
  containerType: Schema.NullOr(Schema.String),
  /** ISO 8601 time the measurement finished. */
  date: Schema.String,
  /** sha256 (hex) of harness.c + hello.c + build flags. */
  harnessHash: Schema.String,
  harnessVersion: Schema.Number,
  compiler: Schema.String,
  helloLink: Schema.Literals(["static", "dynamic"]),
  /** Trials per experiment and core (spinlock and syscall: 10×). */
  trials: PositiveInt,
  /** Rounds the trials were interleaved in (harness version ≥ 2; absent: one block per experiment). */
  rounds: Schema.optional(PositiveInt),
  /** Seconds of the detour loop per CPU, and the shortest gap counted as a detour (harness version ≥ 2, with `detour`). */
  detourSeconds: Schema.optional(NonNegative),
  detourMinNs: Schema.optional(NonNegative),
  experiments: Schema.Array(ExperimentSchema),
  wallSeconds: NonNegative,
  /** os.loadavg() when the run started: other work on the host perturbs every number. */
  loadAverage: Schema.Array(NonNegative),
  /** Busy share of all CPUs during the run (/proc/stat), the harness's own spinning included; null if unknown. */
  cpuBusyFraction: Schema.NullOr(NonNegative),
});
export type MachineInfo = typeof MachineInfo.Type;

export interface MeasurementSet {
  readonly machine: MachineInfo;
  readonly samples: readonly Sample[];
}

/** The harness's own header, typed. */
export interface HarnessInfo {
  readonly clockSource: "rdtsc" | "monotonic";
  readonly tscHz: number;
  readonly ncpu: number;
  readonly trials: number;
  readonly tscOverhead: number;
  readonly harnessVersion: number;
}

export interface HarnessOutput {
  readonly info: HarnessInfo;
  /** Every `# key=value` line, in order (later duplicates win). */
  readonly header: Readonly<Record<string, string>>;
  readonly samples: readonly Sample[];
}

type Issue = { readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined; readonly message: string };

function firstIssue(result: unknown): Issue | undefined {
  const r = result as { issues?: readonly Issue[] };
  return r.issues?.[0];
}

function issueField(issue: Issue): string | undefined {
  const seg = issue.path?.[0];
  if (seg === undefined) return undefined;
  return String(typeof seg === "object" ? seg.key : seg);
}

const rowValidator = Schema.toStandardSchemaV1(SampleRow)["~standard"];
const headerValidator = Schema.toStandardSchemaV1(HarnessHeader)["~standard"];
const machineValidator = Schema.toStandardSchemaV1(MachineInfo)["~standard"];

function validated<T>(validate: (v: unknown) => unknown, value: unknown, fail: (issue: Issue) => never): T {
  const result = validate(value);
  if (result instanceof Promise) throw new Error("unexpected asynchronous schema");
  const issue = firstIssue(result);
  if (issue) fail(issue);
  return (result as { value: T }).value;
}

// ------------------------------------------------------------------ parsing

const COLUMNS = ["experiment", "core", "trial", "cycles"] as const;

/**
 * Parse `experiment,core,trial,cycles` text. `#` lines and blank lines are skipped
 * (`onComment` sees the comments). The CSV header row is required before any row.
 */
export function parseSamplesCsv(
  text: string,
  file = "samples.csv",
  onComment?: (body: string, line: number) => void,
): Sample[] {
  const samples: Sample[] = [];
  let sawHeader = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      onComment?.(line.replace(/^#\s?/, ""), lineNo);
      continue;
    }
    if (!sawHeader) {
      if (line !== SAMPLES_HEADER) {
        throw new MeasurementFormatError(file, lineNo, undefined, `expected the header row "${SAMPLES_HEADER}", got ${JSON.stringify(line)}`);
      }
      sawHeader = true;
      continue;
    }
    const cells = line.split(",");
    if (cells.length !== COLUMNS.length) {
      throw new MeasurementFormatError(file, lineNo, undefined, `expected ${COLUMNS.length} fields (${SAMPLES_HEADER}), got ${cells.length}: ${JSON.stringify(line)}`);
    }
    const raw = Object.fromEntries(COLUMNS.map((c, k) => [c, cells[k]]));
    samples.push(
      validated<Sample>(rowValidator.validate, raw, (issue) => {
        const field = issueField(issue);
        const got = field === undefined ? "" : ` (got ${JSON.stringify(raw[field])})`;
        throw new MeasurementFormatError(file, lineNo, field, issue.message + got);
      }),
    );
  }
  if (!sawHeader) throw new MeasurementFormatError(file, undefined, undefined, `no "${SAMPLES_HEADER}" header row`);
  return samples;
}

/** Parse the harness's stdout: `# key=value` header lines, then the CSV. */
export function parseHarnessOutput(text: string, source = "harness output"): HarnessOutput {
  const header: Record<string, string> = {};
  const headerLine: Record<string, number> = {};
  const samples = parseSamplesCsv(text, source, (body, line) => {
    const m = /^([A-Za-z_][\w.-]*)=(.*)$/.exec(body);
    if (m) {
      header[m[1]!] = m[2]!;
      headerLine[m[1]!] = line;
    }
  });
  const h = validated<typeof HarnessHeader.Type>(headerValidator.validate, header, (issue) => {
    const key = issueField(issue);
    if (key === undefined || header[key] === undefined) {
      throw new MeasurementFormatError(source, undefined, key, `missing header line "# ${key ?? "?"}=..."`);
    }
    throw new MeasurementFormatError(source, headerLine[key], key, `${issue.message} (got ${JSON.stringify(header[key])})`);
  });
  return {
    header,
    samples,
    info: {
      clockSource: h.clock,
      tscHz: h.tsc_hz,
      ncpu: h.ncpu,
      trials: h.trials,
      tscOverhead: h.tsc_overhead,
      harnessVersion: h.harness_version,
    },
  };
}

/** Validate a parsed machine.json value. */
export function decodeMachineInfo(value: unknown, file = "machine.json"): MachineInfo {
  return validated<MachineInfo>(machineValidator.validate, value, (issue) => {
    const where = (issue.path ?? []).map((s) => String(typeof s === "object" ? s.key : s)).join(".");
    throw new MeasurementFormatError(file, undefined, where === "" ? undefined : where, issue.message);
  });
}

/** A measurement set's two files, by role. */
export const MEASUREMENT_FILES = { machine: "machine.json", samples: "samples.csv" } as const;

/**
 * Parse and validate a measurement set from the texts of its machine.json and samples.csv;
 * `files` names them in errors (e.g. their paths).
 */
export function parseMeasurementSet(
  texts: { readonly machine: string; readonly samples: string },
  files: { readonly machine: string; readonly samples: string } = MEASUREMENT_FILES,
): MeasurementSet {
  let json: unknown;
  try {
    json = JSON.parse(texts.machine);
  } catch (e) {
    throw new MeasurementFormatError(files.machine, undefined, undefined, `not JSON: ${(e as Error).message}`);
  }
  const machine = decodeMachineInfo(json, files.machine);
  const samples = parseSamplesCsv(texts.samples, files.samples);
  return { machine, samples };
}

/** Render samples as samples.csv text (header row included, trailing newline). */
export function formatSamplesCsv(samples: readonly Sample[]): string {
  const rows = samples.map((s) => `${s.experiment},${s.core},${s.trial},${s.cycles}`);
  return [SAMPLES_HEADER, ...rows].join("\n") + "\n";
}

// ------------------------------------------------------------------ detour traces

/** One CPU's selfish-detour trace: (start, duration) pairs in the set's unit since that CPU's loop began. */
export interface DetourTrace {
  readonly cpu: number;
  /** Length of the loop's timeline (every detour lies inside it). */
  readonly length: number;
  readonly detours: ReadonlyArray<readonly [start: number, duration: number]>;
}

/**
 * The `detour` / `detour-start` samples as one trace per CPU (pairs matched by core and trial);
 * empty if the set has none. A detour without its start, or out of order, is a format error.
 */
export function detourTraces(set: MeasurementSet, file = "samples.csv"): DetourTrace[] {
  const starts = new Map<string, number>();
  for (const s of set.samples) if (s.experiment === "detour-start") starts.set(`${s.core}/${s.trial}`, s.cycles);
  const byCpu = new Map<number, Array<readonly [number, number]>>();
  for (const s of set.samples) {
    if (s.experiment !== "detour") continue;
    const start = starts.get(`${s.core}/${s.trial}`);
    if (start === undefined) throw new MeasurementFormatError(file, undefined, "trial", `detour ${s.trial} on core ${s.core} has no detour-start row`);
    if (!(s.cycles >= 0 && start >= 0)) throw new MeasurementFormatError(file, undefined, "cycles", `detour ${s.trial} on core ${s.core}: negative start or duration`);
    let list = byCpu.get(s.core);
    if (list === undefined) byCpu.set(s.core, (list = []));
    list.push([start, s.cycles]);
  }
  const loop = (set.machine.detourSeconds ?? 0) * set.machine.tscHz;
  return [...byCpu.entries()].sort((a, b) => a[0] - b[0]).map(([cpu, detours]) => {
    detours.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < detours.length; i++) {
      if (detours[i]![0] < detours[i - 1]![0] + detours[i - 1]![1]) {
        throw new MeasurementFormatError(file, undefined, "cycles", `detours ${i - 1} and ${i} on core ${cpu} overlap`);
      }
    }
    const last = detours[detours.length - 1]!;
    return { cpu, length: Math.max(loop, last[0] + last[1]), detours };
  });
}

// ------------------------------------------------------------------ summaries

export interface SampleSummary {
  readonly n: number;
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  if (values.length === 0) return { n: 0, min: NaN, p10: NaN, median: NaN, p90: NaN, max: NaN };
  const s = sorted(values);
  return { n: s.length, min: s[0]!, p10: quantileSorted(s, 0.1), median: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), max: s[s.length - 1]! };
}

/** Summary per experiment (all cores pooled), in EXPERIMENTS order; absent ones omitted. */
export function summarizeByExperiment(samples: readonly Sample[]): Map<Experiment, SampleSummary> {
  const groups = new Map<Experiment, number[]>();
  for (const s of samples) {
    const g = groups.get(s.experiment);
    if (g) g.push(s.cycles);
    else groups.set(s.experiment, [s.cycles]);
  }
  const out = new Map<Experiment, SampleSummary>();
  for (const e of EXPERIMENTS) {
    const g = groups.get(e);
    if (g) out.set(e, summarize(g));
  }
  return out;
}
