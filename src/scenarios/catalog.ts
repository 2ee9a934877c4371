/**
 * `hrtsim schema --parameters` / `--machine`: every parameter-file entry the built-in scenarios
 * use, by override path, with unit, kind, value, plausible range and meaning; and the JSON
 * Schema of user machine files. The scenario JSON Schema lists the same paths under `parameters`.
 */
import { MachineFileSchema } from "../models/hardware/machine-file.js";
import type { ParameterInfo } from "../models/hardware/overrides.js";
import { loadBuiltins } from "./builtin.js";
import { textTable } from "../reports/text-table.js";
import { generateJsonSchema } from "./json-schema-null.js";

/** Entries of every built-in scenario's runs, by path (the first found per path), sorted. */
export async function parameterCatalog(): Promise<ParameterInfo[]> {
  const byPath = new Map<string, ParameterInfo>();
  for (const s of await loadBuiltins()) for (const [path, infos] of s.space) if (!byPath.has(path)) byPath.set(path, infos[0]!);
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

const brief = (s: string, n = 110) => (s.length <= n ? s : s.slice(0, n - 1) + "…");

export function describeRange(info: ParameterInfo): string {
  if (!info.range) return "no range given";
  const { low, high } = info.range;
  return info.kind === "distribution" ? `×${low} .. ×${high}` : `${low} .. ${high}`;
}

/** One line per entry: what a user may override, in which unit, and where the value comes from. */
export async function parametersText(): Promise<string> {
  const rows = (await parameterCatalog()).map((i) => [
    i.path, i.unit, i.kind, brief(typeof i.value === "number" ? String(i.value) : JSON.stringify(i.value), 40), describeRange(i), brief(i.meaning ?? i.source),
  ]);
  return `${textTable(["path", "unit", "kind", "value", "range", "meaning (or source)"], rows)}\n` +
    "Override with a scenario's `parameters:` map, a sweep key, or --set path=value (a number, a distribution {dist: …}, or {scale: f} for time costs).";
}

/** JSON Schema of a user machine file (`machineFile:` in a scenario). */
export function machineJsonSchema(): Record<string, unknown> {
  const doc = generateJsonSchema(MachineFileSchema);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "hrtsim machine profile",
    description: "A machine profile (scenario `machineFile:`), the schema of src/models/hardware/data/x64.json plus optional kernels.<nautilus|linux> entries replacing that kernel's entries on this machine.",
    ...doc.schema,
    ...(Object.keys(doc.definitions).length ? { $defs: doc.definitions } : {}),
  };
}

/** `parameters` in the scenario JSON Schema: one described property per known path. */
export function parametersJsonSchema(catalog: readonly ParameterInfo[]): Record<string, unknown> {
  const properties = Object.fromEntries(catalog.map((i) => [i.path, { description: `${i.kind}, ${i.unit}; range ${describeRange(i)}; ${i.meaning ?? i.source}` }]));
  return { type: "object", description: "overrides of parameter-file entries (<scope>.<name>); values: a number, a distribution spec, or { scale: f }", properties };
}
