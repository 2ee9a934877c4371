/**
 * The run journal: what finished, written as it finishes, so `--resume` redoes nothing that
 * finished and `merge` can combine shards. Per scenario, `<out>/journal/<name>/` holds
 * `scenario.json` (the scenario as run, written atomically) and `runs-<n>.jsonl`, one file
 * per session: a header line, then one complete JSON line per finished run. Lines are
 * written whole with one write() each (a killed process leaves at most one partial last
 * line, which the reader skips) and fdatasync'd at most every FSYNC_MS and on close.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RunRecord, ScenarioMeta } from "../reports/results.js";
import { writeFileAtomic } from "./atomic.js";

const FSYNC_MS = 200;
export const JOURNAL_VERSION = 1;

/** What `merge` and `--resume` need to know about a scenario as it was run. */
export interface StoredScenario {
  readonly version: number;
  readonly file: string;
  /** The document as written (plain data), re-validated on merge. */
  readonly raw: unknown;
  readonly meta: ScenarioMeta;
  readonly totalRuns: number;
  readonly shard?: { readonly index: number; readonly count: number };
}

export function journalDir(out: string, scenario: string): string {
  return join(out, "journal", scenario);
}

/** JSON cannot carry NaN/±Infinity; these tags can (a model may report a NaN mean). */
function replacer(_key: string, v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return { $num: String(v) };
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === "object" && "$num" in v && Object.keys(v).length === 1) return Number((v as { $num: string }).$num);
  return v;
}

export function encodeRecord(r: RunRecord): string {
  return JSON.stringify(r, replacer);
}

export function decodeRecord(line: string): RunRecord {
  return JSON.parse(line, reviver) as RunRecord;
}

/** A record as it reads back from the journal: fresh and resumed runs are then indistinguishable. */
export function normalizeRecord(r: RunRecord): RunRecord {
  return decodeRecord(encodeRecord(r));
}

export async function clearJournal(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function writeStoredScenario(dir: string, s: StoredScenario): Promise<void> {
  await writeFileAtomic(join(dir, "scenario.json"), JSON.stringify(s, replacer, 2) + "\n");
}

export async function readStoredScenario(dir: string): Promise<StoredScenario | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, "scenario.json"), "utf8"), reviver) as StoredScenario;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

interface Header {
  readonly journal: number;
  readonly scenario: string;
  readonly contentHash: string;
  readonly seed: string;
}

export interface JournalContents {
  /** Finished runs by runIndex (first occurrence wins; duplicates are identical but for wall time). */
  readonly runs: Map<number, RunRecord>;
  /** Files whose header names another scenario version (ignored). */
  readonly foreign: string[];
  /** Unreadable lines skipped (a partial last line after a kill). */
  readonly skipped: number;
}

async function journalFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    // Numeric order, so "first occurrence" is the oldest session.
    return names.filter((n) => /^runs-\d+\.jsonl$/.test(n)).sort((a, b) => parseInt(a.slice(5)) - parseInt(b.slice(5)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/** Reads every session file; only runs journaled for this exact scenario content and seed count. */
export async function readJournal(dir: string, expect: { contentHash: string; seed: string }): Promise<JournalContents> {
  const runs = new Map<number, RunRecord>();
  const foreign: string[] = [];
  let skipped = 0;
  for (const name of await journalFiles(dir)) {
    const lines = (await readFile(join(dir, name), "utf8")).split("\n").filter((l) => l.length > 0);
    let header: Header | undefined;
    try {
      header = JSON.parse(lines[0] ?? "") as Header;
    } catch {
      header = undefined;
    }
    if (!header || header.contentHash !== expect.contentHash || header.seed !== expect.seed) {
      foreign.push(name);
      continue;
    }
    for (const line of lines.slice(1)) {
      try {
        const r = decodeRecord(line);
        if (!runs.has(r.runIndex)) runs.set(r.runIndex, r);
      } catch {
        skipped++;
      }
    }
  }
  return { runs, foreign, skipped };
}

/** Appends finished runs to a new session file. */
export class JournalWriter {
  private lastSync = Date.now();
  private dirty = false;

  private constructor(private readonly fd: number) {}

  static async open(dir: string, header: Omit<Header, "journal">): Promise<JournalWriter> {
    await mkdir(dir, { recursive: true });
    const files = await journalFiles(dir);
    const next = files.length === 0 ? 0 : parseInt(files[files.length - 1]!.slice(5)) + 1;
    // "wx": never append to a file another session owns.
    const fd = openSync(join(dir, `runs-${next}.jsonl`), "wx");
    const w = new JournalWriter(fd);
    w.line(JSON.stringify({ journal: JOURNAL_VERSION, ...header }));
    w.sync();
    return w;
  }

  private line(text: string): void {
    const buf = Buffer.from(text + "\n", "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.dirty = true;
  }

  private sync(): void {
    if (!this.dirty) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
    this.lastSync = Date.now();
  }

  append(record: RunRecord): void {
    this.line(encodeRecord(record));
    if (Date.now() - this.lastSync >= FSYNC_MS) this.sync();
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
  }
}
