/** Text for `hrtsim validate` and `hrtsim list`. */
import { basename } from "node:path";
import { listModels } from "../models/index.js";
import { loadBuiltins } from "./builtin.js";
import { runCount } from "./expand.js";
import { textTable } from "../reports/text-table.js";
import { loadAll, withSets } from "./load.js";
import type { ParameterOverrides } from "../models/index.js";
import { InputError } from "./problems.js";

/** One entry per valid scenario; throws InputError with every problem of every invalid file. */
export async function validateData(files: readonly string[], sets?: ParameterOverrides): Promise<Array<{ file: string; scenario: string; runs: number }>> {
  return (await withSets(await loadAll(files), sets)).map((s) => ({ file: s.file, scenario: s.meta.name, runs: runCount(s) }));
}

/** "ok" lines for valid files. */
export async function validateFiles(files: readonly string[], sets?: ParameterOverrides): Promise<string> {
  return (await validateData(files, sets)).map((s) => `ok: ${s.file}: scenario "${s.scenario}", ${s.runs} runs`).join("\n");
}

/** Long descriptions are cut in the table (the scenario file has the full text). */
function brief(text: string, max = 90): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : oneLine.slice(0, max - 1).trimEnd() + "…";
}

async function builtins() {
  try {
    return await loadBuiltins();
  } catch (e) {
    // A broken built-in is a bug in the package, but `list` should still say which one.
    if (e instanceof InputError) throw new Error(`a built-in scenario is invalid:\n${e.message}`);
    throw e;
  }
}

/** `list --json`: full descriptions, tags as lists, experiments per model. */
export async function listData() {
  return {
    scenarios: (await builtins()).map((s) => ({ name: s.meta.name, tags: s.doc.tags ?? [], file: basename(s.file), description: s.meta.description })),
    models: listModels().map((m) => ({ name: m.name, description: m.description, experiments: m.experiments.map((e) => e.name) })),
  };
}

export async function listText(): Promise<string> {
  const scenarios = await builtins();
  const sRows = scenarios.map((s) => [s.meta.name, (s.doc.tags ?? []).join(","), basename(s.file), brief(s.meta.description)]);
  const mRows = listModels().map((m) => [m.name, brief(m.experiments.map((e) => e.name).join(", "), 60), brief(m.description, 70)]);
  return [
    "Built-in scenarios (`hrtsim figures` runs those tagged paper):",
    textTable(["name", "tags", "file", "description"], sRows),
    "",
    "Models:",
    textTable(["model", "experiments", "description"], mRows),
  ].join("\n");
}
