/**
 * Where `hrtsim measure` keeps the harness binaries it builds, so that no other local user can
 * plant one: a directory under the user's cache dir ($XDG_CACHE_HOME or ~/.cache), created
 * with mode 0700 and checked to be owned by the caller and closed to group and others before
 * anything in it is run; and a binary is reused only if its sha256 matches the one recorded
 * when it was built.
 */
import { createHash } from "node:crypto";
import { lstat, readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { makeDirs } from "./atomic.js";

/** The cache directory refuses to be used (wrong owner, open permissions, a link). */
export class UnsafeCacheError extends Error {
  override readonly name = "UnsafeCacheError";
}

/** Default build directory for a harness source hash. */
export function defaultCacheDir(hash: string): string {
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, "hrtsim", `native-${hash.slice(0, 16)}`);
}

/**
 * Creates `dir` (mode 0700) if missing, then checks it is a real directory owned by the
 * caller with no group/other permissions; throws UnsafeCacheError otherwise.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await makeDirs(dir, 0o700);
  const st = await lstat(dir);
  const uid = process.getuid?.();
  const why = st.isSymbolicLink() ? "is a symbolic link"
    : !st.isDirectory() ? "is not a directory"
    : uid !== undefined && st.uid !== uid ? `is owned by uid ${st.uid}, not by you (uid ${uid})`
    : (st.mode & 0o077) !== 0 ? `is open to other users (mode ${(st.mode & 0o777).toString(8)})`
    : undefined;
  // Even a directory of ours that was left open is refused: its contents cannot be trusted.
  if (why !== undefined) throw new UnsafeCacheError(`refusing to use the native build directory ${dir}: it ${why}; a binary there could have been planted. Remove it, or pick another directory.`);
}

export async function fileSha256(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}
