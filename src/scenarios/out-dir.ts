/**
 * The output directory's safety rules: hrtsim writes only below `--out` (never through a
 * symbolic link found there), deletes only files it recorded writing, and admits one writer
 * at a time (a lock file holding the writer's pid and host; a stale lock of a dead process on
 * this host is taken over).
 */
import { hostname } from "node:os";
import { lstat, open, readFile, readdir, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { makeDirs, writeFileAtomic } from "./atomic.js";
import { InputError } from "./problems.js";

/** Text of a file, or undefined if it does not exist (also when a directory on its path is a file). */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "EISDIR") throw new InputError([{ file, path: "", message: "is a directory", expected: "a file written by hrtsim", found: "a directory" }]);
    throw e;
  }
}

function refuseLink(link: string): never {
  throw new InputError([{
    file: link, path: "", message: "is a symbolic link inside the output directory; hrtsim does not write or delete through links",
    hint: "remove the link, or choose another --out",
  }]);
}

/** lstat, or undefined if nothing is there. */
async function lstatIfExists(path: string) {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Throws if any existing directory between `root` (exclusive) and `target` (inclusive) is a symbolic link. */
export async function assertNoLinks(root: string, target: string): Promise<void> {
  const rel = relative(root, target);
  if (rel === "") return;
  if (rel.startsWith("..") || isAbsolute(rel)) throw new Error(`internal: ${target} is outside ${root}`);
  let at = root;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    const st = await lstatIfExists(at);
    if (!st) return;
    if (st.isSymbolicLink()) refuseLink(at);
  }
}

/** Writes `rel` under `root` atomically, refusing to pass through a symbolic link. */
export async function writeInside(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  const path = join(root, rel);
  await assertNoLinks(root, dirname(path));
  await writeFileAtomic(path, data);
}

const JOURNAL_FILE = /^runs-\d+\.jsonl$/;

/**
 * Empties a journal directory of what hrtsim wrote there (scenario.json and runs-<n>.jsonl
 * files that start with an hrtsim journal header), then removes it if nothing else is left.
 * Other files stay; a symbolic link is refused, never followed.
 */
export async function removeOwnedDir(dir: string): Promise<void> {
  const st = await lstatIfExists(dir);
  if (!st) return;
  if (st.isSymbolicLink()) refuseLink(dir);
  if (!st.isDirectory()) return;
  for (const name of await readdir(dir)) {
    const file = join(dir, name);
    const f = await lstat(file);
    if (!f.isFile()) continue;
    if (name === "scenario.json" || (JOURNAL_FILE.test(name) && (await startsWithHeader(file)))) await unlink(file);
  }
  if ((await readdir(dir)).length === 0) await rmdir(dir);
}

async function startsWithHeader(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const head = '{"journal":';
    const buf = Buffer.alloc(head.length);
    const { bytesRead } = await fh.read(buf, 0, head.length, 0);
    return bytesRead === head.length && buf.toString("utf8") === head;
  } finally {
    await fh.close();
  }
}

/** Where the list of files the last command wrote is kept (relative to `--out`). */
export const WRITTEN_LIST = join("journal", "written.json");

/**
 * After writing `written` (paths relative to `out`), deletes the files the previous command
 * recorded writing that this one did not (stale figures): only regular files, never through
 * links; then records `written`. A damaged or missing record deletes nothing.
 */
export async function replaceWrittenRecord(out: string, written: readonly string[]): Promise<void> {
  const keep = new Set(written);
  let old: unknown = [];
  try {
    old = JSON.parse((await readIfExists(join(out, WRITTEN_LIST))) ?? "[]");
  } catch {
    old = [];
  }
  const stale = Array.isArray(old) ? old.filter((f): f is string => typeof f === "string" && !keep.has(f)) : [];
  for (const rel of stale) {
    if (isAbsolute(rel) || rel.split(/[\\/]/).includes("..")) continue;
    const path = join(out, rel);
    try {
      await assertNoLinks(out, dirname(path));
      if ((await lstat(path)).isFile()) await unlink(path);
      const parent = dirname(path);
      if (parent !== out && (await readdir(parent)).length === 0) await rmdir(parent);
    } catch (e) {
      if (!(e instanceof InputError) && (e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  await writeInside(out, WRITTEN_LIST, JSON.stringify([...written].sort(), null, 1) + "\n");
}

/** The lock file of an output directory. */
export const LOCK_FILE = ".hrtsim.lock";

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the output directory's lock (created exclusively), or throws InputError naming the
 * holder. A lock left by a dead process on this host is stale and taken over (`log` says so).
 * Returns the release function.
 */
export async function lockOutDir(out: string, command: string, log?: (line: string) => void): Promise<() => Promise<void>> {
  const file = join(out, LOCK_FILE);
  // --out itself may be a link to a directory (links are refused only inside it).
  const st = await stat(out).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)));
  if (st !== undefined && !st.isDirectory()) {
    throw new InputError([{ file: out, path: "", message: "the output directory is not a directory", expected: "a directory (created if missing)", found: "a file", hint: "choose another --out" }]);
  }
  await makeDirs(out);
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, "wx");
      try {
        await fh.writeFile(JSON.stringify(mine) + "\n");
      } finally {
        await fh.close();
      }
      return async () => {
        const now = await readIfExists(file);
        if (now !== undefined && now.includes(`"pid":${process.pid},`)) await unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: Partial<LockInfo> = {};
    try {
      holder = JSON.parse((await readIfExists(file)) ?? "{}") as Partial<LockInfo>;
    } catch {
      holder = {};
    }
    const sameHost = holder.host === mine.host;
    if (attempt === 0 && sameHost && typeof holder.pid === "number" && !alive(holder.pid)) {
      log?.(`note: ${file}: removing a stale lock of process ${holder.pid} (no longer running)`);
      await unlink(file).catch(() => undefined);
      continue;
    }
    throw new InputError([{
      file, path: "", message: "another hrtsim is writing to this output directory",
      found: `pid ${holder.pid ?? "?"} on host ${holder.host ?? "?"} since ${holder.since ?? "?"}: ${holder.command ?? "?"}`,
      hint: sameHost ? "wait for it to finish, or use another --out" : "wait for it to finish or use another --out; if that process is gone, delete the lock file",
    }]);
  }
  throw new Error("internal: lock retry exhausted");
}
