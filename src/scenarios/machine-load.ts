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
import { InputError, type Problem } from "./problems.js";
import { parseSource, type SourceDoc } from "./source.js";

/** The inline machine profile of a document (a `machineFile` path is read by loadScenario first). */
export function inlineMachine(src: SourceDoc, doc: ScenarioDoc): MachineFile | Problem[] | undefined {
  const ref = doc.machineFile;
  if (ref === undefined) return undefined;
  const pos = src.locate(["machineFile"]);
  const at = { file: src.file, path: "machineFile", ...(pos ? { line: pos.line, column: pos.column } : {}) };
  if (typeof ref === "string") return [{ ...at, message: "machine file not read", hint: "load the scenario from its file (hrtsim run/validate)" }];
  const r = decodeStrict(MachineFileSchema, ref);
  if (!r.ok) return issueProblems({ ...src, value: { machineFile: ref } }, r.issue, ["machineFile"]);
  const bad = userMachineProblems(r.value);
  return bad.length > 0 ? bad.map((b) => {
    const p = src.locate(["machineFile", ...b.at]) ?? pos;
    return { ...at, ...(p ? { line: p.line, column: p.column } : {}), path: b.path === "" ? "machineFile" : `machineFile.${b.path}`, message: b.message, expected: b.expected, found: b.found };
  }) : r.value;
}

/** spaceOf; what a machine profile's loading still refuses for this model (userMachineProblems checked the rest) is a problem at machineFile. */
export function machineSpace(src: SourceDoc, plugin: ModelPlugin, paramPoints: readonly Params[], machine: MachineFile | undefined): Map<string, ParameterInfo[]> {
  try {
    return spaceOf(plugin, paramPoints, machine);
  } catch (e) {
    if (machine === undefined || !(e instanceof ParameterFileError)) throw e;
    const pos = src.locate(["machineFile"]);
    throw new InputError([{ file: src.file, path: "machineFile", ...(pos ? { line: pos.line, column: pos.column } : {}), message: "the models cannot load this machine file", found: e.message }]);
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
    const pos = src.locate(["machineFile"]);
    throw new InputError([{
      file: src.file, path: "machineFile", ...(pos ? { line: pos.line, column: pos.column } : {}),
      message: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such machine file" : `cannot read the machine file: ${(e as Error).message}`, found: JSON.stringify(path),
    }]);
  }
  const parsed = parseSource(path, text);
  if (!parsed.ok) throw new InputError(parsed.problems);
  const r = decodeStrict(MachineFileSchema, parsed.doc.value);
  if (!r.ok) throw new InputError(issueProblems(parsed.doc, r.issue));
  const bad = userMachineProblems(r.value);
  if (bad.length > 0) {
    throw new InputError(bad.map((b) => {
      const pos = parsed.doc.locate(b.at);
      return { file: path, path: b.path, ...(pos ? { line: pos.line, column: pos.column } : {}), message: b.message, expected: b.expected, found: b.found };
    }));
  }
  return { ...src, value: { ...raw, machineFile: parsed.doc.value } };
}
