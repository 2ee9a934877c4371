/**
 * Problems with user input (scenario files, --set values): collected, not thrown one by one,
 * so a user fixes a file in one pass. Printed as readable blocks — never a stack trace.
 */

/** One problem with a user's input, located as precisely as we can. */
export interface Problem {
  /** File the problem is in ("<command line>" for flags). */
  readonly file: string;
  /** Field path, dotted ("model.params.arrivalRate", "sweep.servers[2]"); "" for the document. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  /** What is wrong, in a few words ("unknown key", "invalid value"). */
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
}

/** Invalid user input: the CLI prints the problems and exits 1. */
export class InputError extends Error {
  override readonly name = "InputError";
  /** Files in the order given, each in line order (problems without a line first): how a user fixes a file. */
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const fileOrder = new Map<string, number>();
    for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
    const sorted = problems
      .map((p, i) => ({ p, i, f: fileOrder.get(p.file)! }))
      .sort((a, b) => a.f - b.f || byLine(a.p, b.p) || a.i - b.i)
      .map(({ p }) => p);
    super(sorted.map(formatProblem).join("\n"));
    this.problems = sorted;
  }
}

function byLine(a: Problem, b: Problem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** A bad flag or argument the CLI parser could not catch (e.g. `--shard 3/2`): exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** `a.b[2].c` from a path of keys and indices. */
export function joinPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A line and column in a document (a SourceDoc's `locate` answer). */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** A position's line and column, to spread into a Problem: nothing when it is not known. */
export function lineColumn(pos: LineColumn | undefined): Partial<LineColumn> {
  return pos ? { line: pos.line, column: pos.column } : {};
}

/** A document that can say where a path is written (a SourceDoc; structural, so source.ts need not be imported). */
interface Locatable {
  readonly file: string;
  locate(path: ReadonlyArray<PropertyKey>, atKey?: boolean): LineColumn | undefined;
}

/** Where a problem at `path` of `doc` is: its file, dotted path and, if written there, line and column (with `atKey`, the key's). */
export function locatedAt(doc: Locatable, path: ReadonlyArray<PropertyKey>, atKey?: boolean): Pick<Problem, "file" | "path" | "line" | "column"> {
  return { file: doc.file, path: joinPath(path), ...lineColumn(doc.locate(path, atKey)) };
}

/**
 * One block per problem:
 *   error: file.yaml:12:5: model.params.servres: unknown key
 *     expected: one of …
 *     found:    servres
 *     hint:     did you mean "servers"?
 */
export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? "" : `:${p.column}`}`;
  const field = p.path === "" ? "" : ` ${p.path}:`;
  const lines = [`error: ${where}:${field} ${p.message}`];
  if (p.expected !== undefined) lines.push(`  expected: ${p.expected}`);
  if (p.found !== undefined) lines.push(`  found:    ${p.found}`);
  if (p.hint !== undefined) lines.push(`  hint:     ${p.hint}`);
  return lines.join("\n");
}

/** Short, single-line rendering of a user value for "found:". */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null (an empty value)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object);
    const shown = keys.slice(0, 5).join(", ");
    return keys.length === 0 ? "an empty map" : `a map with keys ${shown}${keys.length > 5 ? ", …" : ""}`;
  }
  return typeof value;
}

/** Edit distance with adjacent transpositions ("wiat" → "wait" is one edit): typos, not spelling. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate if it is plausibly a typo (case-insensitive, ≤ ~1/3 of the letters wrong, or a stem/extension). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const lc = c.toLowerCase();
    // A stem or an extension of a name ("queue" / "queueing") is as plausible as a typo.
    const d = Math.min(distance(w, lc), Math.min(w.length, lc.length) >= 3 && (w.startsWith(lc) || lc.startsWith(w)) ? 1 : Infinity);
    if (d < bestD) [best, bestD] = [c, d];
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return bestD <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean "${c}"?`;
}

export function oneOf(candidates: readonly string[]): string {
  return candidates.length === 1 ? `"${candidates[0]}"` : `one of ${candidates.map((c) => `"${c}"`).join(", ")}`;
}
