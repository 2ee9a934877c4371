/**
 * Schema decode failures → Problems: one per leaf issue, with the field path, what the
 * schema expected, what the file has, and a did-you-mean hint for unknown keys and names.
 */
import { SchemaIssue, type SchemaAST } from "effect";
import { describeValue, didYouMean, locatedAt, oneOf, type Problem } from "./problems.js";
import type { SourceDoc } from "./source.js";

type Path = ReadonlyArray<PropertyKey>;

interface Leaf {
  readonly path: Path;
  readonly issue: SchemaIssue.Issue;
}

/** Flattens an issue tree into its leaves, each with its absolute path. */
function leaves(issue: SchemaIssue.Issue, path: Path, out: Leaf[]): Leaf[] {
  switch (issue._tag) {
    case "Pointer":
      return leaves(issue.issue, [...path, ...issue.path], out);
    case "Composite":
      for (const i of issue.issues) leaves(i, path, out);
      return out;
    case "Encoding":
      return leaves(issue.issue, path, out);
    case "AnyOf":
      // A union none of whose members applied is one problem; otherwise the member's own problems.
      if (issue.issues.length === 0) out.push({ path, issue });
      else for (const i of issue.issues) leaves(i, path, out);
      return out;
    case "Filter":
      // A filter that reports at nested fields ({ path, issue }): each at its field.
      if (pointsIn(issue.issue)) return leaves(issue.issue, path, out);
      out.push({ path, issue });
      return out;
    default:
      out.push({ path, issue });
      return out;
  }
}

function pointsIn(issue: SchemaIssue.Issue): boolean {
  return issue._tag === "Pointer" || (issue._tag === "Composite" && issue.issues.some(pointsIn));
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1();

function schemaMessage(issue: SchemaIssue.Issue): string {
  const text = (formatter(issue).issues[0]?.message ?? "a different value").replace(/^Expected /, "");
  // Optional fields read "string | undefined"; a YAML user cannot write undefined, only omit the key.
  const optional = /(^| \| )undefined( \| |$)/.test(text);
  const plain = text.replace(/ \| undefined\b|\bundefined \| /g, "");
  return optional ? `${plain} (or leave the key out)` : plain;
}

export function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

function structKeys(ast: SchemaAST.AST): string[] {
  return ast._tag === "Objects" ? ast.propertySignatures.map((p) => String(p.name)) : [];
}

function literalsOf(ast: SchemaAST.AST): string[] {
  if (ast._tag !== "Union") return [];
  return ast.types.flatMap((t) => (t._tag === "Literal" && typeof t.literal === "string" ? [t.literal] : []));
}

/**
 * Problems for a failed decode of the value at `prefix` in `doc`.
 * `relocate` may move a problem's reported position (e.g. to the sweep value that produced it).
 */
export function issueProblems(
  doc: SourceDoc,
  issue: SchemaIssue.Issue,
  prefix: Path = [],
  relocate?: (path: Path) => { path: Path; value: unknown } | undefined,
): Problem[] {
  return mergeSameField(leafProblems(doc, issue, prefix, relocate));
}

/** One problem per field: a value failing two checks (NaN: not an integer, not ≥ 1) is one mistake. */
function mergeSameField(problems: Problem[]): Problem[] {
  const out: Problem[] = [];
  const byPath = new Map<string, number>();
  for (const p of problems) {
    const key = `${p.file}\u0000${p.path}`;
    const at = byPath.get(key);
    const prev = at === undefined ? undefined : out[at]!;
    if (prev && prev.message === "invalid value" && p.message === "invalid value" && p.expected && prev.expected !== p.expected) {
      out[at!] = { ...prev, expected: `${prev.expected}; ${p.expected}` };
      continue;
    }
    if (prev && prev.message === p.message && prev.expected === p.expected) continue;
    byPath.set(key, out.length);
    out.push(p);
  }
  return out;
}

function leafProblems(
  doc: SourceDoc,
  issue: SchemaIssue.Issue,
  prefix: Path,
  relocate?: (path: Path) => { path: Path; value: unknown } | undefined,
): Problem[] {
  return leaves(issue, [], []).map(({ path: rel, issue: leaf }) => {
    const path = [...prefix, ...rel];
    const moved = relocate?.(path);
    const at = moved?.path ?? path;
    const found = moved ? moved.value : valueAt(doc.value, path);
    const base = locatedAt(doc, at, leaf._tag === "UnexpectedKey");
    switch (leaf._tag) {
      case "UnexpectedKey": {
        const key = String(path[path.length - 1]);
        const allowed = structKeys(leaf.ast);
        const hint = didYouMean(key, allowed);
        return {
          ...base, message: "unknown key", found: key,
          ...(allowed.length ? { expected: oneOf(allowed) } : {}),
          hint: hint ?? "remove it, or check the spelling and indentation",
        };
      }
      case "MissingKey":
        return { ...base, message: "missing required key", expected: `a value for "${String(path[path.length - 1])}"` };
      default: {
        const literals = leaf._tag === "AnyOf" ? literalsOf(leaf.ast) : [];
        const hint = typeof found === "string" && literals.length ? didYouMean(found, literals) : undefined;
        return { ...base, message: "invalid value", expected: schemaMessage(leaf), found: describeValue(found), ...(hint ? { hint } : {}) };
      }
    }
  });
}
