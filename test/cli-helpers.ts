/** Helpers for the end-to-end CLI tests: spawn the built CLI, temp dirs, CSV, output comparison. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/test/x.js → dist/src/cli/main.js */
export const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

/**
 * What a crash prints and a rejected input never should: "internal error" (how src/cli/exit.ts
 * reports a bug), a stack frame (`at ` indented at a line's start, or after four spaces) or a
 * JavaScript source location (`main.js:12`).
 */
export const NO_STACK_TRACE = /internal error|^\s+at | {4}at |\.js:\d+/m;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startCli(args: readonly string[], cwd?: string, env?: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env: { ...process.env, ...env } } : {}) });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI; `env` adds variables to this process's environment (e.g. a scheduler's). */
export function hrtsim(args: readonly string[], cwd?: string, env?: Record<string, string>): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/**
 * Runs the CLI, killed after `ms` if it has not ended: a command that would hang fails its test
 * (the result's `signal` is SIGKILL) instead of stalling the suite.
 */
export async function hrtsimWithin(ms: number, args: readonly string[], cwd?: string): Promise<CliResult> {
  const { child, done } = startCli(args, cwd);
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

export async function tempDir(prefix = "hrtsim-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Minimal RFC 4180 reader (quoted fields, doubled quotes) — enough for our CSVs. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else field += c;
  }
  if (field !== "" || row.length) row.push(field), rows.push(row);
  return rows;
}

/** CSV rows as objects keyed by the header. */
export async function readCsv(path: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = parseCsv(await readFile(path, "utf8"));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

export async function header(path: string): Promise<string[]> {
  return parseCsv(await readFile(path, "utf8"))[0]!;
}

/** Relative paths of every file under `dir`, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

/** The outputs that must be byte-reproducible: everything but the journal, manifest.json and report.html. */
export async function reproducibleFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((f) => !f.startsWith("journal") && f !== "manifest.json" && f !== "report.html");
}

/** manifest.json without the fields allowed to differ (wall times, command line). */
export async function stableManifest(dir: string): Promise<unknown> {
  const m = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  delete m.createdBy;
  delete m.totalWallMs;
  for (const s of m.scenarios) for (const r of s.runs) delete r.wallMs;
  return m;
}

/** Names of reproducible files whose bytes differ between two output directories (or exist in one only). */
export async function differingFiles(a: string, b: string): Promise<string[]> {
  const fa = await reproducibleFiles(a);
  const fb = await reproducibleFiles(b);
  const all = [...new Set([...fa, ...fb])].sort();
  const diff: string[] = [];
  for (const f of all) {
    if (!fa.includes(f) || !fb.includes(f)) {
      diff.push(f);
      continue;
    }
    const [x, y] = await Promise.all([readFile(join(a, f)), readFile(join(b, f))]);
    if (!x.equals(y)) diff.push(f);
  }
  return diff;
}

/** Small sweep with one point that always hits the event limit (a failed run per replication). */
export const LOSSY_SWEEP = `
name: small
description: two loads, two sizes; the big size exceeds maxEvents
model:
  name: mmc
  params: { serviceRate: 1, servers: 1 }
experiment: queue
sweep:
  arrivalRate: [0.3, 0.7]
  customers: [300, 6000]
replications: 3
seed: 7
limits: { maxEvents: 4000 }
outputs:
  figures:
    - { name: wait, title: "wait vs load", kind: line, metric: wait, x: arrivalRate, color: customers }
claims:
  - { id: grows, text: "wait grows with load", metric: wait, statistic: mean, numerator: { arrivalRate: 0.7 }, denominator: { arrivalRate: 0.3 }, op: ">", threshold: 1 }
`;
