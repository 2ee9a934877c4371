/**
 * Schemas for every file hrtsim reads back (journal headers and records, scenario.json,
 * run.json): a damaged or hand-edited file is an input error naming the file, the line and
 * what is wrong — never an internal error, never silently used.
 */
import { Schema } from "effect";
import { NameSchema, ScalarSchema } from "../reports/spec.js";
import { canonicalJson, decodeStrict, sha256 } from "./decode.js";
import { issueProblems } from "./issues.js";
import { InputError, type Problem } from "./problems.js";
import { plainSource } from "./source.js";

const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0));
const Shard = Schema.Struct({ index: Schema.Int, count: Schema.Int });

const ObservationSchema = Schema.Struct({
  metric: Schema.String,
  value: Schema.Number,
  labels: Schema.optionalKey(Schema.Record(Schema.String, ScalarSchema)),
});

export const RunRecordSchema = Schema.Struct({
  runIndex: NonNegativeInt,
  point: Schema.Record(Schema.String, ScalarSchema),
  replication: NonNegativeInt,
  seed: Schema.String,
  status: Schema.Literals(["ok", "failed"]),
  error: Schema.optionalKey(Schema.String),
  fingerprint: Schema.optionalKey(Schema.String),
  events: Schema.optionalKey(NonNegativeInt),
  simTime: Schema.optionalKey(Schema.Number),
  wallMs: Schema.optionalKey(Schema.Number),
  observations: Schema.Array(ObservationSchema),
});

export const JournalHeaderSchema = Schema.Struct({
  journal: Schema.Int,
  scenario: Schema.String,
  contentHash: Schema.String,
  seed: Schema.String,
});

const ScenarioMetaSchema = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  model: Schema.String,
  experiment: Schema.String,
  contentHash: Schema.String,
  seed: Schema.String,
  sweepKeys: Schema.Array(Schema.String),
  metrics: Schema.Array(Schema.Unknown),
  figures: Schema.Array(Schema.Unknown),
  claims: Schema.Array(Schema.Unknown),
  /** The parameter overrides in force (scenario `parameters`, `--set`), as the report states them. */
  configuration: Schema.optionalKey(Schema.Array(Schema.String)),
});

export const StoredScenarioSchema = Schema.Struct({
  version: Schema.Int,
  file: Schema.String,
  raw: Schema.Unknown,
  meta: ScenarioMetaSchema,
  totalRuns: NonNegativeInt,
  shard: Schema.optionalKey(Shard),
});

export const SessionInfoSchema = Schema.Struct({
  version: Schema.Literal(1),
  command: Schema.Literals(["run", "figures"]),
  title: Schema.String,
  reproducibleCommand: Schema.String,
  scenarios: Schema.Array(NameSchema), // as in scenario files: names become directory names
  hostDir: Schema.optionalKey(Schema.String),
  shard: Schema.optionalKey(Shard),
});

/** Problems of `value` against `schema` (empty if it decodes), located at `file` (and `line`). */
export function storedProblems(schema: Schema.Decoder<unknown>, value: unknown, file: string, line?: number): Problem[] {
  const r = decodeStrict(schema, value);
  if (r.ok) return [];
  return issueProblems(plainSource(file, value), r.issue).map((p) => ({ ...p, ...(line !== undefined ? { line } : {}) }));
}

const SEAL = "sum";

/** `value` plus a checksum of its content (canonical JSON), so an edit or a flipped byte is detected on reading. */
export function seal<T extends object>(value: T): T & { readonly sum: string } {
  return { ...value, [SEAL]: recordSum(canonicalJson(value)) } as T & { readonly sum: string };
}

/** JSON text parsed, or an InputError naming the file (`hint`: how to get a good one). */
function parseJsonFile(text: string, file: string, hint: string, reviver?: (k: string, v: unknown) => unknown): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (e) {
    throw new InputError([{ file, path: "", message: `not valid JSON (${(e as Error).message})`, hint }]);
  }
}

/** `value` if `schema` decodes it, else an InputError naming the file and every field (with `hint` where a problem has none). */
function checkedValue<T>(schema: Schema.Decoder<T>, value: unknown, file: string, hint: string): T {
  const problems = storedProblems(schema as Schema.Decoder<unknown>, value, file);
  if (problems.length) throw new InputError(problems.map((p) => ({ ...p, hint: p.hint ?? hint })));
  return value as T;
}

/** Parses JSON text and decodes it (a file hrtsim wrote with no seal, e.g. a checked-in one), or throws InputError naming the file. */
export function decodeJsonFile<T>(schema: Schema.Decoder<T>, text: string, file: string, hint: string, reviver?: (k: string, v: unknown) => unknown): T {
  return checkedValue(schema, parseJsonFile(text, file, hint, reviver), file, hint);
}

/** Parses sealed JSON text, checks the seal and decodes it, or throws InputError naming the file. */
export function decodeStoredJson<T>(schema: Schema.Decoder<T>, text: string, file: string, reviver?: (k: string, v: unknown) => unknown): T {
  const rerun = "rerun the command that wrote it";
  const parsed = parseJsonFile(text, file, `the file is damaged; ${rerun}`, reviver);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || !(SEAL in parsed)) {
    throw new InputError([{ file, path: SEAL, message: "missing checksum (damaged, or not written by this hrtsim)", hint: rerun }]);
  }
  const { [SEAL]: sum, ...rest } = parsed as Record<string, unknown>;
  if (sum !== recordSum(canonicalJson(rest))) {
    throw new InputError([{ file, path: SEAL, message: "checksum mismatch (the file was damaged or edited)", hint: rerun }]);
  }
  return checkedValue(schema, rest, file, `the file is damaged or was edited; ${rerun}`);
}

/** The checksum of a journal record's bytes (detects edits and bit flips). */
export function recordSum(body: string): string {
  return sha256(body).slice(0, 16);
}
