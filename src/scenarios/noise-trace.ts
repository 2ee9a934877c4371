/**
 * Noise-trace files: the (start, duration) detours a noise benchmark measured on one CPU, one
 * detour per line — the format LogGOPSim's --noise-trace reads: `<start>\t<duration>`, '#'
 * starts a comment line (spaces or a comma also separate the two numbers here). Times are in the
 * unit the scenario gives (`unit: ns` by default, or `us`). Models know no files: a scenario that
 * names a trace (`model.params.noise: { kind: trace, file: ... }`) gets it read here, checked,
 * and inlined as `detours` before the parameters are decoded; the path is relative to the
 * scenario file.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { locatedAt, type Problem } from "./problems.js";
import type { SourceDoc } from "./source.js";
import type { SweepAxis } from "./format.js";

export type Detour = readonly [start: number, duration: number];

export type TraceOutcome = { readonly ok: true; readonly detours: Detour[] } | { readonly ok: false; readonly problems: Problem[] };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses and checks a trace: two finite non-negative numbers a line, detours in time order, not overlapping. */
export function parseNoiseTrace(file: string, text: string): TraceOutcome {
  const problems: Problem[] = [];
  const detours: Detour[] = [];
  const at = (line: number, message: string, expected: string, found: string): Problem =>
    ({ file, path: `detours[${detours.length}]`, line, column: 1, message, expected, found });
  let prevEnd = -Infinity, prevLine = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.trim();
    if (content === "" || content.startsWith("#")) return;
    const fields = content.split(/[\s,]+/);
    if (fields.length !== 2 || !fields.every((f) => NUMBER.test(f))) {
      problems.push(at(line, "not a detour line", "two numbers: <start> <duration> (tab, space or comma between)", JSON.stringify(raw)));
      return;
    }
    const [start, duration] = fields.map(Number) as [number, number];
    if (!Number.isFinite(start) || !Number.isFinite(duration)) {
      problems.push(at(line, "number out of range", "finite numbers (1e999 reads as infinity)", content));
      return;
    }
    if (start < 0 || duration < 0) {
      problems.push(at(line, "negative time", "start ≥ 0 and duration ≥ 0", content));
      return;
    }
    if (start < prevEnd) {
      problems.push(at(line, "detour out of order or overlapping the previous one", `start ≥ ${prevEnd} (the end of the detour on line ${prevLine})`, String(start)));
      return;
    }
    prevEnd = start + duration;
    prevLine = line;
    detours.push([start, duration]);
  });
  if (problems.length === 0 && detours.length === 0) {
    problems.push({ file, path: "", message: "no detours in the trace", expected: "at least one line <start> <duration>", found: "only comments or blank lines" });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, detours };
}

/** Writes detours in the format parseNoiseTrace reads (exact round trip for finite numbers). */
export function formatNoiseTrace(detours: readonly Detour[], unit: "ns" | "us" = "ns"): string {
  return `# noise trace: <start>\\t<duration> in ${unit}, one detour per line\n${detours.map(([s, d]) => `${s}\t${d}`).join("\n")}\n`;
}

interface TraceRef {
  readonly kind?: unknown;
  readonly file?: unknown;
  readonly detours?: unknown;
}

/**
 * Reads the trace a scenario's `model.params.noise` names and returns the document with the
 * detours inlined (and the trace's text, for the content hash), or the problems found.
 */
export async function inlineNoiseTrace(src: SourceDoc): Promise<{ readonly doc: SourceDoc; readonly text: string } | { readonly problems: Problem[] }> {
  const root = src.value as { model?: { params?: { noise?: TraceRef } } } | null;
  const noise = root?.model?.params?.noise;
  if (noise === null || typeof noise !== "object" || noise.kind !== "trace" || typeof noise.file !== "string" || noise.detours !== undefined) return { doc: src, text: "" };
  const path = ["model", "params", "noise", "file"];
  const where = locatedAt(src, path);
  const traceFile = resolve(dirname(src.file), noise.file);
  let text: string;
  try {
    text = await readFile(traceFile, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problems: [{ ...where, message: code === "ENOENT" ? "noise trace file not found" : `cannot read the noise trace: ${(e as Error).message}`, expected: "a readable file of <start> <duration> lines (relative to the scenario file)", found: traceFile }] };
  }
  const parsed = parseNoiseTrace(traceFile, text);
  if (!parsed.ok) return { problems: parsed.problems };
  const r = root as { model: { params: Record<string, unknown> } };
  const value = { ...r, model: { ...r.model, params: { ...r.model.params, noise: { ...noise, detours: parsed.detours } } } };
  return { doc: { ...src, value }, text };
}

/**
 * A swept trace file: the loader reads only `model.params.noise.file` (above) before the sweep
 * expands, so every run would replay that file's detours. Found at the sweep key instead.
 */
export function sweptTraceProblems(src: SourceDoc, axes: readonly Pick<SweepAxis, "key" | "values">[]): Problem[] {
  // Sweep values are scalars (format.ts), so only `noise.file` itself can name a file.
  return axes.filter((a) => a.key === "noise.file").map((a) => {
    return {
      ...locatedAt(src, ["sweep", a.key]),
      message: "a noise trace file cannot be swept: each run would replay the first file's detours",
      expected: "one trace file per scenario, in model.params.noise.file", found: JSON.stringify(a.values),
      hint: "write one scenario per trace",
    };
  });
}

/** A report.explain request naming another trace file: like a swept one, it would replay the scenario's own file. */
export function explainTraceProblems(src: SourceDoc): Problem[] {
  const requests = (src.value as { report?: { explain?: unknown } } | null)?.report?.explain;
  if (!Array.isArray(requests)) return [];
  return requests.flatMap((req: unknown, i: number) => {
    const params = (req as { params?: Record<string, unknown> } | null)?.params;
    if (params === null || typeof params !== "object") return [];
    const nested = params.noise as TraceRef | undefined;
    const key = "noise.file" in params ? "noise.file" : nested !== null && typeof nested === "object" && typeof nested.file === "string" ? "noise" : undefined;
    if (key === undefined) return [];
    return [{
      ...locatedAt(src, ["report", "explain", i, "params", key]),
      message: "an explained run cannot name another noise trace file: it would replay the scenario's own file's detours",
      expected: "the scenario's model.params.noise.file", found: JSON.stringify(key === "noise" ? nested!.file : params[key]),
      hint: "explain it in a scenario of its own",
    }];
  });
}
