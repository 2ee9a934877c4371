/**
 * Atomic file writes: write a temp file beside the target, fsync it, rename over the target.
 * A reader (or a resumed run after a kill) sees the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

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

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, data);
  } catch (e) {
    throw fsError(e, path);
  }
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
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
