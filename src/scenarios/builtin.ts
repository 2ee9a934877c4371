/**
 * Built-in scenarios: src/scenarios/builtin/*.yaml|json, found from the package root (they
 * ship as source: tsc does not copy them to dist/).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadScenario, type LoadedScenario } from "./load.js";
import { packageRoot } from "./package.js";

export { hrtsimVersion, packageRoot } from "./package.js";

export function builtinDir(): string {
  return join(packageRoot(), "src", "scenarios", "builtin");
}

/** Built-in scenario files, sorted by file name (the order `figures` runs and reports them). */
export function builtinFiles(): string[] {
  return readdirSync(builtinDir())
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(builtinDir(), f));
}

export async function loadBuiltins(): Promise<LoadedScenario[]> {
  const out: LoadedScenario[] = [];
  for (const f of builtinFiles()) out.push(await loadScenario(f));
  return out;
}

/** Built-in scenarios carrying `tag` — `figures` uses "paper", so new scenarios join by tagging alone. */
export async function taggedBuiltins(tag: string): Promise<LoadedScenario[]> {
  return (await loadBuiltins()).filter((s) => (s.doc.tags ?? []).includes(tag));
}
