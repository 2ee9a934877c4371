/**
 * The architecture, checked: no import cycles, and each layer imports only what it may
 * (engine ← models ← scenarios → reports; the CLI on top). Reads the TypeScript sources.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const IMPORT = /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const files = sources("src");
const imports = new Map(
  files.map((f) => {
    const text = readFileSync(join(root, f), "utf8");
    const specs = [...text.matchAll(IMPORT)].map((m) => m[1]!);
    const local = specs.filter((s) => s.startsWith(".")).map((s) => normalize(join(dirname(f), s)).replace(/\.js$/, ".ts"));
    return [f, { local, external: specs.filter((s) => !s.startsWith(".")) }];
  }),
);

test("the sources were found", () => {
  assert.ok(files.length > 50, `only ${files.length} files under src`);
  assert.ok(files.includes(join("src", "engine", "simulation.ts")));
});

test("no import cycles", () => {
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    state.set(f, 1);
    for (const d of imports.get(f)?.local ?? []) {
      if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].join(" → "));
      else if (!state.has(d) && imports.has(d)) visit(d, [...path, d]);
    }
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  assert.equal(cycles, []);
});

/** Layer of a source file: its first folder under src. */
const layer = (f: string) => relative("src", f).split(/[\\/]/)[0]!;

test("each layer imports only the layers beneath it", () => {
  const allowed: Record<string, string[]> = {
    engine: ["engine"],
    models: ["engine", "models"],
    reports: ["reports", "models/plugin.ts"],
    scenarios: ["engine", "models", "reports", "scenarios"],
    cli: ["engine", "models", "reports", "scenarios", "cli"],
  };
  const bad: string[] = [];
  for (const [f, { local }] of imports) {
    const rules = allowed[layer(f)];
    if (rules === undefined) continue;
    for (const d of local) {
      const target = relative("src", d);
      if (!rules.some((r) => target === r || target.startsWith(`${r}/`))) bad.push(`${f} imports ${d}`);
    }
  }
  assert.equal(bad, []);
});

/** Node built-ins for files, paths, processes, threads and the OS: the simulated world uses none of them. */
const HOST_ACCESS = /^(node:)?(fs|fs\/promises|child_process|worker_threads|path|path\/posix|path\/win32|url|os)$/;
/** Every module a source names: static imports and re-exports, side-effect imports, import(), require(). */
const ANY_MODULE = /(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

test("the engine knows no files, processes or Effect; models know no files or CLI", () => {
  const bad: string[] = [];
  for (const [f, { external }] of imports) {
    const l = layer(f);
    if (l === "engine" && external.some((s) => s.startsWith("node:") || s.startsWith("effect"))) bad.push(f);
    if (l === "models") {
      const text = readFileSync(join(root, f), "utf8");
      for (const m of text.matchAll(ANY_MODULE)) if (HOST_ACCESS.test(m[1]!)) bad.push(`${f} imports ${m[1]}`);
    }
  }
  assert.equal(bad, []);
});

test("the models check catches what it should (control)", () => {
  const caught = (text: string) => [...text.matchAll(ANY_MODULE)].map((m) => m[1]!).filter((s) => HOST_ACCESS.test(s));
  assert.equal(
    caught([
      'import { readFile } from "node:fs/promises";',
      "import * as path from 'node:path';",
      'import "node:os";',
      'const u = await import("node:url");',
      'export { x } from "fs";',
      'import type { Worker } from "node:worker_threads";',
      'const cp = require("child_process");',
      'import data from "./data/x64.json" with { type: "json" };',
      'import { createHash } from "node:crypto";',
    ].join("\n")),
    ["node:fs/promises", "node:path", "node:os", "node:url", "fs", "node:worker_threads", "child_process"],
  );
});

test.run();
