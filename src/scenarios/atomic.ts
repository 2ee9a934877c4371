/**
 * Atomic file writes: write a temp file beside the target, fsync it, rename over the target.
 * A reader (or a resumed run after a kill) sees the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device", EDQUOT: "disk quota exceeded", EACCES: "permission denied", EPERM: "operation not permitted",
  EROFS: "read-only file system", ENOTDIR: "a path component is a file, not a directory", EISDIR: "is a directory", EEXIST: "already exists",
  EMFILE: "too many open files", ENOENT: "no such file or directory",
};

/** An OS error with the path it concerns and a readable reason (`code` kept: the CLI exits 1 for these). */
export function fsError(e: unknown, path: string, verb = "write"): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !(code in REASONS)) return e;
  return Object.assign(new Error(`cannot ${verb} ${path}: ${REASONS[code]} (${code})`), { code, path });
}

/**
 * `mkdir -p` that always ends. Node's `mkdir(…, { recursive: true })` spins for ever where a
 * parent exists but cannot hold children (a path under /proc, or below a dangling symlink: the
 * child answers ENOENT, the parent EEXIST, and its walk retries). Here each directory from the
 * root down is made once; the first real error is thrown, as `mkdir` reports it.
 */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  const chain: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of chain) {
    try {
      await mkdir(d, mode === undefined ? {} : { mode });
    } catch (e) {
      // EEXIST: made already, unless a file stands where the directory should be.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || (d === chain[chain.length - 1] && !(await stat(d)).isDirectory())) {
        throw fsError(e, d, "create the directory");
      }
    }
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, data);
  } catch (e) {
    throw fsError(e, path);
  }
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirs(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
