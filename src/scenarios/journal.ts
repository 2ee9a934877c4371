/**
 * The run journal: what finished, written as it finishes, so `--resume` redoes nothing that
 * finished and `merge` can combine shards. Per scenario, `<out>/journal/<name>/` holds
 * `scenario.json` (the scenario as run, written atomically) and `runs-<n>.jsonl`, one file
 * per session: a header line, then one complete JSON line per finished run, carrying a
 * checksum of the record's bytes (an edited or damaged record is detected, never used). Lines are
 * written whole with one write() each (a killed process leaves at most one partial last
 * line, which the reader skips) and fdatasync'd at most every FSYNC_MS and on close.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Schema } from "effect";
import type { RunRecord, ScenarioMeta } from "../reports/results.js";
import { fsError, makeDirs, writeFileAtomic } from "./atomic.js";
import { readIfExists, removeOwnedDir } from "./out-dir.js";
import { JournalHeaderSchema, RunRecordSchema, StoredScenarioSchema, decodeStoredJson, recordSum, seal, storedProblems } from "./stored.js";

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

const PREFIX = '{"run":';
const SUFFIX = /,"sum":"([0-9a-f]{16})"\}$/;

/** One journal line: `{"run":<record>,"sum":"<checksum of the record's bytes>"}`. */
export function encodeRecord(r: RunRecord): string {
  const body = JSON.stringify(r, replacer);
  return `${PREFIX}${body},"sum":"${recordSum(body)}"}`;
}

export type DecodedLine = { readonly ok: true; readonly record: RunRecord } | { readonly ok: false; readonly why: string };

/** A journal line back to its record, or why it cannot be trusted (damaged, edited, not a record). */
export function decodeRecordLine(line: string): DecodedLine {
  const m = SUFFIX.exec(line);
  if (!line.startsWith(PREFIX) || !m) return { ok: false, why: "not a journal record (truncated, or not written by hrtsim)" };
  const body = line.slice(PREFIX.length, m.index);
  if (recordSum(body) !== m[1]) return { ok: false, why: "checksum mismatch (the record was damaged or edited)" };
  let value: unknown;
  try {
    value = JSON.parse(body, reviver);
  } catch {
    return { ok: false, why: "not valid JSON" };
  }
  const problems = storedProblems(RunRecordSchema as Schema.Decoder<unknown>, value, "");
  if (problems.length) return { ok: false, why: `not a run record: ${problems[0]!.path || "record"}: ${problems[0]!.message}` };
  const r = value as RunRecord;
  if (r.status === "ok" && (r.fingerprint === undefined || r.events === undefined)) return { ok: false, why: "not a run record: a finished run without fingerprint/events" };
  return { ok: true, record: r };
}

export function decodeRecord(line: string): RunRecord {
  const d = decodeRecordLine(line);
  if (!d.ok) throw new Error(d.why);
  return d.record;
}

/** A record as it reads back from the journal: fresh and resumed runs are then indistinguishable. */
export function normalizeRecord(r: RunRecord): RunRecord {
  return decodeRecord(encodeRecord(r));
}

/** Deletes a journal directory hrtsim wrote (refusing to follow a symlink out of `--out`). */
export async function clearJournal(dir: string): Promise<void> {
  await removeOwnedDir(dir);
}

export async function writeStoredScenario(dir: string, s: StoredScenario): Promise<void> {
  await writeFileAtomic(join(dir, "scenario.json"), JSON.stringify(seal(s), replacer, 2) + "\n");
}

/** scenario.json of a journal, decoded (InputError naming the file if damaged); undefined if absent. */
export async function readStoredScenario(dir: string): Promise<StoredScenario | undefined> {
  const file = join(dir, "scenario.json");
  const text = await readIfExists(file);
  return text === undefined ? undefined : (decodeStoredJson(StoredScenarioSchema, text, file, reviver) as StoredScenario);
}

interface Header {
  readonly journal: number;
  readonly scenario: string;
  readonly contentHash: string;
  readonly seed: string;
}

/** A journal line that could not be used. */
export interface DamagedRecord {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly why: string;
  /** The last line of a file without a final newline: what a kill mid-write leaves. */
  readonly partialLast: boolean;
}

export interface JournalContents {
  /** Finished runs by runIndex (first occurrence wins; duplicates are identical but for wall time). */
  readonly runs: Map<number, RunRecord>;
  /** Files whose header names another scenario version (ignored). */
  readonly foreign: string[];
  /** Lines that could not be used (skipped): damaged, edited, truncated, or not records. */
  readonly damaged: DamagedRecord[];
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

function parseHeader(line: string | undefined): Header | undefined {
  try {
    const h: unknown = JSON.parse(line ?? "");
    return storedProblems(JournalHeaderSchema as Schema.Decoder<unknown>, h, "").length === 0 ? (h as Header) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every session file; only runs journaled for this exact scenario content and seed count. */
export async function readJournal(dir: string, expect: { contentHash: string; seed: string }): Promise<JournalContents> {
  const runs = new Map<number, RunRecord>();
  const foreign: string[] = [];
  const damaged: DamagedRecord[] = [];
  for (const name of await journalFiles(dir)) {
    const file = join(dir, name);
    const text = await readFile(file, "utf8");
    const lines = text.split("\n");
    const last = text.endsWith("\n") ? lines.length - 2 : lines.length - 1;
    const header = parseHeader(lines[0]);
    if (!header) {
      damaged.push({ file, line: 1, why: "damaged journal header (the file's records are not used)", partialLast: last === 0 });
      continue;
    }
    if (header.contentHash !== expect.contentHash || header.seed !== expect.seed) {
      foreign.push(name);
      continue;
    }
    for (let i = 1; i <= last; i++) {
      const line = lines[i]!;
      if (line.length === 0 && i !== last) {
        damaged.push({ file, line: i + 1, why: "empty line", partialLast: false });
        continue;
      }
      const d = decodeRecordLine(line);
      if (!d.ok) damaged.push({ file, line: i + 1, why: d.why, partialLast: i === last && !text.endsWith("\n") });
      else if (!runs.has(d.record.runIndex)) runs.set(d.record.runIndex, d.record);
    }
  }
  return { runs, foreign, damaged };
}

/** Appends finished runs to a new session file. */
export class JournalWriter {
  private lastSync = Date.now();
  private dirty = false;

  private constructor(private readonly fd: number, private readonly file: string) {}

  static async open(dir: string, header: Omit<Header, "journal">): Promise<JournalWriter> {
    await makeDirs(dir);
    const files = await journalFiles(dir);
    const next = files.length === 0 ? 0 : parseInt(files[files.length - 1]!.slice(5)) + 1;
    // "wx": never append to a file another session owns.
    const file = join(dir, `runs-${next}.jsonl`);
    let fd: number;
    try {
      fd = openSync(file, "wx");
    } catch (e) {
      throw fsError(e, file);
    }
    const w = new JournalWriter(fd, file);
    w.line(JSON.stringify({ journal: JOURNAL_VERSION, ...header }));
    w.sync();
    return w;
  }

  private line(text: string): void {
    const buf = Buffer.from(text + "\n", "utf8");
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (e) {
      throw fsError(e, this.file);
    }
    this.dirty = true;
  }

  private sync(): void {
    if (!this.dirty) return;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      throw fsError(e, this.file);
    }
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
