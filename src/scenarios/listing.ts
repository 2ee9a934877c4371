/** Text for `hrtsim validate` and `hrtsim list`. */
import { basename } from "node:path";
import { listModels } from "../models/index.js";
import { loadBuiltins } from "./builtin.js";
import { runCount } from "./expand.js";
import { textTable } from "./inspect.js";
import { loadAll } from "./load.js";
import { InputError } from "./problems.js";

/** "ok" lines for valid files; throws InputError with every problem of every invalid file. */
export async function validateFiles(files: readonly string[]): Promise<string> {
  const loaded = await loadAll(files);
  return loaded.map((s) => `ok: ${s.file}: scenario "${s.meta.name}", ${runCount(s)} runs`).join("\n");
}

/** Long descriptions are cut in the table (the scenario file has the full text). */
function brief(text: string, max = 90): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : oneLine.slice(0, max - 1).trimEnd() + "…";
}

export async function listText(): Promise<string> {
  let scenarios;
  try {
    scenarios = await loadBuiltins();
  } catch (e) {
    // A broken built-in is a bug in the package, but `list` should still say which one.
    if (e instanceof InputError) throw new Error(`a built-in scenario is invalid:\n${e.message}`);
    throw e;
  }
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
