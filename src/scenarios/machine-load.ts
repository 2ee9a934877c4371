/**
 * A scenario's user machine profile (`machineFile`): read from its file (relative to the
 * scenario) and put inline, or given inline, then checked (models/kernel/registry.ts
 * userMachineProblems) with every problem located in the file it is in.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { MachineFileSchema } from "../models/hardware/machine-file.js";
import type { ParameterInfo } from "../models/hardware/overrides.js";
import { ParameterFileError } from "../models/hardware/params.js";
import { userMachineProblems } from "../models/kernel/registry.js";
import type { MachineFile, ModelPlugin } from "../models/index.js";
import { decodeStrict, type Params } from "./decode.js";
import type { ScenarioDoc } from "./format.js";
import { issueProblems } from "./issues.js";
import { spaceOf } from "./overrides.js";
import { InputError, lineColumn, locatedAt, type Problem } from "./problems.js";
import { parseSource, type SourceDoc } from "./source.js";

/**
 * Machine files already checked, by the parsed value withMachineFile put inline: inlineMachine,
 * later in the same load, takes the profile instead of checking it (and building every kernel's
 * machine) again.
 */
const checked = new WeakMap<object, MachineFile>();

/**
 * Decodes and checks (userMachineProblems) the machine profile `value` found at `at` in `src`:
 * the profile, or its problems located in `src` (in a scenario, a field that cannot be located
 * is reported at `at`, its machineFile key).
 */
function checkMachine(src: SourceDoc, value: unknown, at: readonly string[]): MachineFile | Problem[] {
  const r = decodeStrict(MachineFileSchema, value);
  if (!r.ok) return issueProblems({ ...src, value: at.reduceRight<unknown>((v, k) => ({ [k]: v }), value) }, r.issue, at);
  const bad = userMachineProblems(r.value);
  if (bad.length === 0) return r.value;
  const key = at.length > 0 ? src.locate(at) : undefined;
  return bad.map((b) => {
    const pos = src.locate([...at, ...b.at]) ?? key;
    return { file: src.file, path: [...at, b.path].filter((k) => k !== "").join("."), ...lineColumn(pos), message: b.message, expected: b.expected, found: b.found };
  });
}

/** The inline machine profile of a document (a `machineFile` path is read by loadScenario first). */
export function inlineMachine(src: SourceDoc, doc: ScenarioDoc): MachineFile | Problem[] | undefined {
  const ref = doc.machineFile;
  if (ref === undefined) return undefined;
  if (typeof ref === "string") {
    return [{ ...locatedAt(src, ["machineFile"]), message: "machine file not read", hint: "load the scenario from its file (hrtsim run/validate)" }];
  }
  const raw = (src.value as { machineFile: unknown }).machineFile;
  return (typeof raw === "object" && raw !== null ? checked.get(raw) : undefined) ?? checkMachine(src, ref, ["machineFile"]);
}

/** spaceOf; what a machine profile's loading still refuses for this model (userMachineProblems checked the rest) is a problem at machineFile. */
export function machineSpace(src: SourceDoc, plugin: ModelPlugin, paramPoints: readonly Params[], machine: MachineFile | undefined): Map<string, ParameterInfo[]> {
  try {
    return spaceOf(plugin, paramPoints, machine);
  } catch (e) {
    if (machine === undefined || !(e instanceof ParameterFileError)) throw e;
    throw new InputError([{ ...locatedAt(src, ["machineFile"]), message: "the models cannot load this machine file", found: e.message }]);
  }
}

/** Reads a scenario's `machineFile` (relative to the scenario) and puts the profile inline, so the journal keeps it. */
export async function withMachineFile(src: SourceDoc): Promise<SourceDoc> {
  const raw = src.value as { machineFile?: unknown } | null;
  if (raw === null || typeof raw !== "object" || typeof raw.machineFile !== "string") return src;
  const path = resolve(dirname(src.file), raw.machineFile);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new InputError([{
      ...locatedAt(src, ["machineFile"]),
      message: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such machine file" : `cannot read the machine file: ${(e as Error).message}`, found: JSON.stringify(path),
    }]);
  }
  const parsed = parseSource(path, text);
  if (!parsed.ok) throw new InputError(parsed.problems);
  const machine = checkMachine(parsed.doc, parsed.doc.value, []);
  if (Array.isArray(machine)) throw new InputError(machine);
  checked.set(parsed.doc.value as object, machine);
  return { ...src, value: { ...raw, machineFile: parsed.doc.value } };
}
