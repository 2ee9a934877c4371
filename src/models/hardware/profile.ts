/**
 * Machine profiles as data: topology plus hardware cost parameters, one JSON file per machine
 * (data/x64.json, data/phi.json), validated with an Effect Schema at load.
 */
import { Schema } from "effect";
import x64Data from "./data/x64.json" with { type: "json" };
import phiData from "./data/phi.json" with { type: "json" };
// [host] the project's own host, calibrated from its measurements (models/host, `hrtsim calibrate`).
import hostData from "../host/data/measurements/calibration/hardware.json" with { type: "json" };
import { ParamEntrySchema, ParameterFileError } from "./params.js";

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));
const Source = Schema.String.check(Schema.isMinLength(12));

/** Sockets → dies (NUMA nodes) → modules (cores sharing front end and L2) → CPUs. */
export const NumaTopologySchema = Schema.Struct({
  kind: Schema.Literal("numa-modules"),
  sockets: Count,
  diesPerSocket: Count,
  modulesPerDie: Count,
  cpusPerModule: Count,
  source: Source,
});

/** Cores on a bidirectional ring, each with several hardware threads (CPUs). */
export const RingTopologySchema = Schema.Struct({
  kind: Schema.Literal("ring"),
  cores: Count,
  threadsPerCore: Count,
  source: Source,
});

const Cycles = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));

/**
 * Measured interference (a selfish-detour trace per CPU, in cycles of this clock), replayed on
 * the model's CPUs: CPU i replays traces[i mod n] from a random point (hardware/noise.ts
 * TraceNoise). Detours in time order and not overlapping, inside [0, length).
 */
export const InterferenceSchema = Schema.Struct({
  source: Source,
  traces: Schema.Array(Schema.Struct({
    length: Schema.Finite.check(Schema.isGreaterThan(0)),
    detours: Schema.Array(Schema.Tuple([Cycles, Cycles])),
  })).check(Schema.isMinLength(1)),
});
export type Interference = typeof InterferenceSchema.Type;

export const MachineProfileSchema = Schema.Struct({
  machine: Schema.String,
  subject: Schema.String,
  clockGHz: Schema.Struct({ value: Schema.Finite.check(Schema.isGreaterThan(0)), source: Source }),
  topology: Schema.Union([NumaTopologySchema, RingTopologySchema]),
  parameters: Schema.Record(Schema.String, ParamEntrySchema),
  interference: Schema.optional(InterferenceSchema),
});
export type MachineProfile = typeof MachineProfileSchema.Type;
export type Topology = MachineProfile["topology"];

export const MACHINES = ["x64", "phi", "host"] as const;
export type MachineName = (typeof MACHINES)[number];

/** Validates a raw profile, naming the file and the offending field. */
export function decodeMachineProfile(raw: unknown, label: string): MachineProfile {
  let p: MachineProfile;
  try {
    p = Schema.decodeUnknownSync(MachineProfileSchema, { onExcessProperty: "error" })(raw);
  } catch (e) {
    throw new ParameterFileError(`machine profile ${label}: ${(e as Error).message}`);
  }
  const problem = p.interference === undefined ? null : interferenceProblem(p.interference);
  if (problem !== null) throw new ParameterFileError(`machine profile ${label}: ${pathOf(["interference", ...problem.at])}: ${problem.reason}`);
  return p;
}

/** A field's path as messages show it (`interference.traces[0]`; a key with dots, such as an entry name, quoted). */
export const pathOf = (at: ReadonlyArray<string | number>): string =>
  at.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i > 0 ? "." : ""}${k.includes(".") ? JSON.stringify(k) : k}`)).join("");

/** What is wrong with a trace set, or null: order, overlap and length; `at` is the field's path inside the interference. */
export function interferenceProblem(i: Interference): { readonly at: ReadonlyArray<string | number>; readonly reason: string } | null {
  for (const [t, trace] of i.traces.entries()) {
    let end = 0;
    for (const [k, [start, duration]] of trace.detours.entries()) {
      if (start < end) return { at: ["traces", t, "detours", k], reason: `starts at ${start}, before the previous detour ends (${end}); expected detours in time order, not overlapping` };
      end = start + duration;
    }
    if (end > trace.length) return { at: ["traces", t], reason: `the last detour ends at ${end}, after the trace's length ${trace.length}` };
  }
  return null;
}

/**
 * The rule every replayed detour trace keeps: its detours must leave CPU time between them (a
 * CPU, or a rank, that never gets it would spin through detours for ever). Returns the detours'
 * total time (`durations` summed, × `scale`) when it covers the trace's `length` (`span`; one
 * unit for both), else undefined. Callers check durations and lengths to be finite first; a
 * scale that is not a number is its entry's own problem (overrides.ts valueProblem).
 */
export function detoursFillTrace(durations: Iterable<number>, length: number, scale = 1): number | undefined {
  let sum = 0;
  for (const d of durations) sum += d;
  const busy = sum * scale;
  return busy >= length ? busy : undefined;
}

const cache = new Map<MachineName, MachineProfile>();

export function machineProfile(name: MachineName): MachineProfile {
  let p = cache.get(name);
  if (p === undefined) {
    p = name === "host" // [host]
      ? decodeMachineProfile(hostData, "host/data/measurements/calibration/hardware.json")
      : decodeMachineProfile(name === "x64" ? x64Data : phiData, `hardware/data/${name}.json`);
    cache.set(name, p);
  }
  return p;
}

export function cpuCount(t: Topology): number {
  return t.kind === "ring" ? t.cores * t.threadsPerCore : t.sockets * t.diesPerSocket * t.modulesPerDie * t.cpusPerModule;
}

/** The machine a run simulates, by name and CPU count: the user's machine file if given, else the built-in profile `name`. */
export function machineSize(name: MachineName, file?: MachineProfile): { readonly name: string; readonly cpus: number } {
  const profile = file ?? machineProfile(name);
  return { name: profile.machine, cpus: cpuCount(profile.topology) };
}

/**
 * Name of the cache-line transfer parameter for a pair of CPUs, and for rings the hop count.
 * x64 numbering follows Linux on the 4×6272: consecutive CPUs share a module, 8 per die.
 */
export function distanceClass(t: Topology, a: number, b: number): { readonly cls: string; readonly hops: number } {
  if (a === b) return { cls: "sameCpu", hops: 0 };
  if (t.kind === "ring") {
    const ca = Math.floor(a / t.threadsPerCore), cb = Math.floor(b / t.threadsPerCore);
    if (ca === cb) return { cls: "sameCore", hops: 0 };
    const d = Math.abs(ca - cb);
    return { cls: "ring", hops: Math.min(d, t.cores - d) };
  }
  const perModule = t.cpusPerModule, perDie = perModule * t.modulesPerDie, perSocket = perDie * t.diesPerSocket;
  if (Math.floor(a / perModule) === Math.floor(b / perModule)) return { cls: "sameModule", hops: 0 };
  const da = Math.floor(a / perDie), db = Math.floor(b / perDie);
  if (da === db) return { cls: "sameDie", hops: 0 };
  if (Math.floor(a / perSocket) === Math.floor(b / perSocket)) return { cls: "sameSocket", hops: 1 };
  // Assumption (stated in the profile): dies of the same parity across sockets are linked directly.
  return da % 2 === db % 2 ? { cls: "oneHop", hops: 1 } : { cls: "twoHops", hops: 2 };
}

/** Hardware parameters every profile must define (the topology decides the cache-line ones). */
export function requiredHardwareParameters(t: Topology): string[] {
  const common = [
    "rdtsc", "store", "atomic", "fpu.save", "fpu.restore",
    "irq.entry", "irq.exit", "apic.eoi", "apic.icrWrite", "apic.icrWriteBroadcast", "apic.accept", "apic.selfIpi",
    "apic.timerProgram", "tlb.flush", "tlb.refillPerPage", "idle.haltExit", "idle.deepExit",
    "cacheLine.sameCpu",
  ];
  const lines = t.kind === "ring"
    ? ["cacheLine.sameCore", "cacheLine.ringBase", "cacheLine.ringPerHop"]
    : ["cacheLine.sameModule", "cacheLine.sameDie", "cacheLine.sameSocket", "cacheLine.oneHop", "cacheLine.twoHops"];
  return [...common, ...lines];
}
