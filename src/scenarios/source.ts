/**
 * Scenario documents with positions. JSON is parsed by the YAML parser too (JSON is YAML
 * 1.2 flow syntax), so both formats get line numbers for every field from one code path.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { Problem } from "./problems.js";

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed document: its plain value and a way to find where a field was written. */
export interface SourceDoc {
  readonly file: string;
  readonly value: unknown;
  /**
   * Where `path` is written (its value, or with `atKey` its key — for unknown keys);
   * falls back to the nearest parent that is written.
   */
  locate(path: ReadonlyArray<PropertyKey>, atKey?: boolean): Position | undefined;
}

export type ParseOutcome = { readonly ok: true; readonly doc: SourceDoc } | { readonly ok: false; readonly problems: Problem[] };

/** The child node under `key` of a map or sequence, and the key node itself for maps. */
function child(node: unknown, key: PropertyKey): { value?: unknown; keyNode?: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
    return pair ? { value: pair.value, keyNode: pair.key } : undefined;
  }
  if (isSeq(node) && typeof key === "number") {
    const item = node.items[key];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function locator(doc: Document, counter: LineCounter) {
  return (path: ReadonlyArray<PropertyKey>): Position | undefined => {
    let node: unknown = doc.contents;
    let best = rangeStart(node);
    for (const key of path) {
      const next = child(node, key);
      if (next === undefined) break;
      // An invalid key reads best at the key; a value problem at the value, if written.
      best = rangeStart(next.value) ?? rangeStart(next.keyNode) ?? best;
      if (next.value === undefined || next.value === null) {
        best = rangeStart(next.keyNode) ?? best;
        break;
      }
      node = next.value;
    }
    if (best === undefined) return undefined;
    const { line, col } = counter.linePos(best);
    return { line, column: col };
  };
}

function keyLocator(doc: Document, counter: LineCounter) {
  return (path: ReadonlyArray<PropertyKey>): Position | undefined => {
    let node: unknown = doc.contents;
    for (let i = 0; i < path.length; i++) {
      const next = child(node, path[i]!);
      if (next === undefined) return undefined;
      if (i === path.length - 1) {
        const at = rangeStart(next.keyNode ?? next.value);
        if (at === undefined) return undefined;
        const { line, col } = counter.linePos(at);
        return { line, column: col };
      }
      node = next.value;
    }
    return undefined;
  };
}

/** Parses YAML or JSON text; syntax errors and duplicate keys become problems with positions. */
export function parseSource(file: string, text: string): ParseOutcome {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          file, path: "", message: `not valid YAML/JSON: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
          hint: e.code === "DUPLICATE_KEY" ? "each key may appear once per map" : "check indentation, quotes and brackets near this line",
        };
      }),
    };
  }
  let value: unknown;
  try {
    // Aliases are expanded (bounded: "billion laughs"); custom tags such as !!binary give non-plain values the schema rejects.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, problems: [{ file, path: "", message: `cannot read the document: ${(e as Error).message}` }] };
  }
  const loop = cyclePath(value);
  if (loop !== undefined) {
    return { ok: false, problems: [{ file, path: loop, message: "an alias refers to a node that contains it (a cyclic document)", expected: "a tree: every alias names a node outside itself", found: "a cycle" }] };
  }
  const atValue = locator(doc, counter);
  const atKey = keyLocator(doc, counter);
  return { ok: true, doc: { file, value, locate: (path, key) => (key ? atKey(path) : undefined) ?? atValue(path) } };
}

/** The path of the first object that contains itself (a YAML alias inside its own anchor), or undefined for a tree. */
function cyclePath(value: unknown): string | undefined {
  const open = new Set<object>();
  const walk = (v: unknown, path: string): string | undefined => {
    if (v === null || typeof v !== "object") return undefined;
    if (open.has(v)) return path;
    open.add(v);
    for (const [k, x] of Object.entries(v)) {
      const hit = walk(x, Array.isArray(v) ? `${path}[${k}]` : path === "" ? k : `${path}.${k}`);
      if (hit !== undefined) return hit;
    }
    open.delete(v);
    return undefined;
  };
  return walk(value, "");
}

/** A document that did not come from text (e.g. stored in a journal): no positions. */
export function plainSource(file: string, value: unknown): SourceDoc {
  return { file, value, locate: () => undefined };
}
