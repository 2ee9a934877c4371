/** Strict decoding (all issues, unknown keys rejected), the parameter-path helpers and content hashes. */
import { createHash } from "node:crypto";
import { RESERVED_SEGMENTS } from "../models/hardware/overrides.js";
import { Result, SchemaParser, type Schema, type SchemaIssue } from "effect";

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: SchemaIssue.Issue };

const STRICT = { errors: "all", onExcessProperty: "error" } as const;

/** Decodes with every problem reported and unknown keys as errors (typos must not pass silently). */
export function decodeStrict<T>(schema: Schema.Decoder<T>, input: unknown): Decoded<T> {
  const r = SchemaParser.decodeUnknownResult(schema as unknown as Schema.ConstraintDecoder<T>, STRICT)(input);
  return Result.isSuccess(r) ? { ok: true, value: r.success as T } : { ok: false, issue: r.failure };
}

export type Params = Record<string, unknown>;

/** Path segments that would reach an object's prototype instead of a parameter. */
export const FORBIDDEN_SEGMENTS: readonly string[] = RESERVED_SEGMENTS;

/** The first forbidden segment of a dotted path, if any. */
export function forbiddenSegment(path: string): string | undefined {
  return path.split(".").find((k) => FORBIDDEN_SEGMENTS.includes(k));
}

/** A prototype-free copy of a map: no key can reach Object.prototype. */
function bare(from?: Params): Params {
  return Object.assign(Object.create(null) as Params, from);
}

/**
 * A copy of `params` with the dotted `path` set to `value` (intermediate maps created or
 * copied, all without prototypes). Loaders reject forbidden segments with a located problem
 * first; this throw is the last line of defence.
 */
export function setParam(params: Params, path: string, value: unknown, nameMaps: readonly string[] = []): Params {
  const bad = forbiddenSegment(path);
  if (bad !== undefined) throw new Error(`parameter path "${path}": the segment "${bad}" is not allowed`);
  const keys = paramKeys(path, nameMaps);
  const root: Params = bare(params);
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const next = node[k];
    const copy: Params = next !== null && typeof next === "object" && !Array.isArray(next) ? bare(next as Params) : bare();
    node[k] = copy;
    node = copy;
  }
  node[keys[keys.length - 1]!] = value;
  return root;
}

/** The keys a dotted path walks: split at every dot, except the rest of a path inside one of `nameMaps` (a map keyed by dotted names). */
export function paramKeys(path: string, nameMaps: readonly string[] = []): string[] {
  const map = nameMaps.find((m) => path.startsWith(m + ".") && path.length > m.length + 1);
  return map === undefined ? path.split(".") : [...map.split("."), path.slice(map.length + 1)];
}

/** Applies dotted overrides in order (`nameMaps`: the model's, ModelPlugin.nameMaps). */
export function withParams(base: Params, overrides: Readonly<Record<string, unknown>>, nameMaps: readonly string[] = []): Params {
  let out = base;
  for (const [k, v] of Object.entries(overrides)) out = setParam(out, k, v, nameMaps);
  return out;
}

/** JSON with object keys sorted, so equal values always print the same (seeds hash this). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Params)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
