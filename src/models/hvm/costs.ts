/**
 * The HVM's cost table: data/x64-svm.json (VMM, HVM hypercalls, the VMM side of HRT boot),
 * validated at load, with optional per-scenario overrides (what-ifs) marked as such.
 * Hardware costs (cache lines, IPIs, TLB) stay in the machine profile; Nautilus and Linux
 * costs in their kernels' files (the Nautilus HRT boot steps, Linux process start-up): this
 * table only holds what those do not model.
 */
import svmData from "./data/x64-svm.json" with { type: "json" };
import type { Machine } from "../hardware/machine.js";
import { applyOverrides, checkEntryOverride, overriddenValue, type OverrideProblem } from "../hardware/overrides.js";
import { CostTable, ParameterFileError, decodeParameterFile, type ParameterFile } from "../hardware/params.js";

const HVM_DATA_LABEL = "hvm/data/x64-svm.json";

/** Every name the model draws; a data file missing one fails at load, naming it. */
export const HVM_PARAMETERS = [
  "svm.vmexit", "svm.vmrun", "vmm.exitDispatch", "vmm.entryPrep", "vmm.exit.hypercall", "vmm.exit.externalInterrupt",
  "vmm.exit.apicAccess", "vmm.exit.hlt", "vmm.exit.cr8", "vmm.injectException", "vmm.hostIpiHandler", "vmm.gpaWrite",
  "npt.walkAccesses", "tlb.pagesAfterEntry.ros", "tlb.pagesAfterEntry.hrt", "host.yieldPeriod", "host.threadWake",
  "hvm.handler.null", "hvm.handler.state", "hvm.guestPtWalk", "hvm.handler.invoke", "hvm.handler.done", "hvm.handler.merge",
  "hvm.handler.event", "hvm.handler.signal", "hrt.upcall.magicCheck", "hrt.upcall.dispatch", "hrt.syncLoop", "ros.syncLoop",
  "ros.pollLoop", "ros.signalDelivery", "mem.copyPerLine", "mem.zeroPerLine", "merge.copyBytes", "boot.imageBytes",
  "boot.elfParse", "boot.pteWrite", "boot.perCoreState", "boot.resetBarrier", "baseline.getppidBody",
  "config.hypercallLock", "vmm.exit.io", "hvm.console.linePrint", "console.charsBeforePing", "console.linesBeforePing",
  "console.charsAfterPing", "console.linesAfterPing", "console.charsPerExtraHrtCore", "console.linesPerExtraHrtCore", "console.pagesAfterEntry",
  "sync.missSameModule", "sync.missOtherModule", "sync.upgradeFraction",
] as const;

/** The Nautilus HRT boot path's steps, from the Nautilus file (nautilus/data/x64.json). */
export const HRT_BOOT_PARAMETERS = [
  "hrt.boot.earlyInit", "hrt.boot.memInitBase", "hrt.boot.bitmapBitsPerPage", "hrt.boot.cpuInfo", "hrt.boot.numa",
  "hrt.boot.buddyPerGB", "hrt.boot.ioapicAccesses", "hrt.boot.apicAccesses", "hrt.boot.timer", "hrt.boot.fpu", "hrt.boot.sched",
  "hrt.boot.runtime", "hrt.boot.barrierPerCore",
] as const;

let decoded: ParameterFile | undefined;

/** The shipped data file, decoded once (throws ParameterFileError naming the bad entry). */
export function hvmDataFile(raw: unknown = svmData): ParameterFile {
  if (raw !== svmData) return decodeParameterFile(raw, HVM_DATA_LABEL);
  return (decoded ??= decodeParameterFile(raw, HVM_DATA_LABEL));
}

/** A what-if: replace a parameter's value; its source then says it came from the scenario. */
export type CostOverrides = Readonly<Record<string, unknown>>;

/**
 * Override maps may nest by the names' dots, as a scenario's dotted sweep key writes them
 * (`costs.config.hypercallLock` → { config: { hypercallLock } }); a distribution spec is a leaf.
 */
function flatten(overrides: CostOverrides, prefix = ""): Array<[string, unknown]> {
  return Object.entries(overrides).flatMap(([k, v]): Array<[string, unknown]> => {
    const name = prefix + k;
    const nested = v !== null && typeof v === "object" && !Array.isArray(v) && !("dist" in v) && !(name in svmData.parameters);
    return nested ? flatten(v as CostOverrides, `${name}.`) : [[name, v]];
  });
}

/** Why each `costs` entry cannot apply (unknown name, or a value outside the entry's domain): checked by validate and by the run. */
export function costOverrideProblems(overrides: CostOverrides | undefined, file: ParameterFile = hvmDataFile()): Array<OverrideProblem & { readonly name: string }> {
  if (overrides === undefined) return [];
  return flatten(overrides).flatMap(([name, value]) => {
    const checked = checkEntryOverride(file, "hvm", name, value);
    if (checked === undefined) return [{ name, message: "unknown HVM parameter", expected: `a parameter of ${HVM_DATA_LABEL} (\`hrtsim params --model hvm\` lists them as hvm.<name>)`, found: JSON.stringify(name) }];
    return checked.problem ? [{ name, ...checked.problem }] : [];
  });
}

function withOverrides(file: ParameterFile, overrides: CostOverrides | undefined): ParameterFile {
  if (overrides === undefined || Object.keys(overrides).length === 0) return file;
  const bad = costOverrideProblems(overrides, file)[0];
  if (bad) throw new ParameterFileError(`${HVM_DATA_LABEL}: cannot override "${bad.name}": ${bad.message}, expected ${bad.expected}, found ${bad.found}`);
  const parameters = { ...file.parameters };
  for (const [name, value] of flatten(overrides)) {
    const e = parameters[name]!;
    parameters[name] = { ...e, value: overriddenValue(e, value) as never, source: `what-if override in the scenario (file value: ${JSON.stringify(e.value)}; ${e.source})` };
  }
  return decodeParameterFile({ subject: file.subject, parameters }, `${HVM_DATA_LABEL} with overrides`);
}

export function hvmCosts(machine: Machine, overrides?: CostOverrides, raw?: unknown): CostTable {
  const file = applyOverrides(withOverrides(hvmDataFile(raw), overrides), "hvm", machine.overrides, HVM_DATA_LABEL);
  const table = new CostTable(`hvm on ${machine.name} (${HVM_DATA_LABEL})`, [{ file, label: HVM_DATA_LABEL }], machine.clockGHz, machine.scale);
  table.requireAll(HVM_PARAMETERS);
  return table;
}
