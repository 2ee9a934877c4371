/**
 * hrtsim's own package: its root directory and version. Code runs from dist/, so the root is
 * found by walking up from this module to hrtsim's package.json, not by a fixed depth.
 * Kept free of heavy imports: the CLI needs the version before it knows the command.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The directory holding hrtsim's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "hrtsim") return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find hrtsim's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function hrtsimVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
