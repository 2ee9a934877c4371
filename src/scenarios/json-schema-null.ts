/** JSON Schemas generated from Effect Schemas and tidied (`hrtsim schema`, `schema --machine`). */
import { Schema } from "effect";

type Json = Record<string, unknown>;

/** The JSON Schema of `schema` (unknown keys refused, as the decoders do) and its definitions, without nulls. */
export function generateJsonSchema(schema: Schema.Top): { schema: Json; definitions: Json } {
  const doc = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" }) as unknown as { schema: Json; definitions?: Json };
  return { schema: withoutNull(doc.schema) as Json, definitions: withoutNull(doc.definitions ?? {}) as Json };
}

/**
 * Drops `{ "type": "null" }` alternatives. `Schema.optional(X)` is an optional key of X or
 * undefined, which the generator writes as null; but a scenario file cannot mean undefined by
 * null, and the decoder rejects it (no scenario or model schema admits null), so the JSON Schema
 * must not accept it either. An `anyOf` left with one branch becomes that branch.
 */
export function withoutNull(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNull);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = withoutNull(v);
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf)) {
    const kept = anyOf.filter((b) => !(b !== null && typeof b === "object" && Object.keys(b).length === 1 && (b as Json).type === "null"));
    if (kept.length === 1 && Object.keys(out).length === 1) return kept[0];
    out.anyOf = kept;
  }
  return out;
}
