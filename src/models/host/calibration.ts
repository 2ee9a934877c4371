/**
 * Calibration: the `host` machine profile and its Linux parameters, derived from a host
 * measurement set. Machine facts come from machine.json; each path fit (fit-table.ts)
 * scales one modeled code path until the model's median of its source experiment equals the
 * measured median (model inversion by the secant method, fixed seeds: deterministic); the
 * interference rate and durations come from the tail of one experiment. Everything else
 * keeps its x64 value and source, marked "(not fitted; from x64)". Only the fitted
 * experiments' samples are read.
 */
import { distribution, type DistributionSpec } from "../../engine/index.js";
import type { ParameterFile } from "../hardware/params.js";
import { machineProfile, type Interference, type MachineProfile } from "../hardware/profile.js";
import { scaleSpec } from "../kernel/derive.js";
import { linuxData } from "../linux/kernel.js";
import { MIN_NOISE_SAMPLES, NOISE_EXPERIMENT, PATH_FITS, fitExperiment, fittedExperiments, type ParamRef, type PathFit } from "./fit-table.js";
import { traceInterference, type TraceNoiseResult } from "./interference.js";
import { detourTraces, type Experiment, type MachineInfo, type MeasurementSet, type Sample } from "./measurements.js";
import { simulateHost, type HostModelData } from "./simulate.js";
import { median, sorted } from "./stats.js";

type Entry = ParameterFile["parameters"][string];

export interface PathFitResult {
  readonly id: string;
  readonly experiment: Experiment;
  readonly statistic: "median";
  readonly n: number;
  readonly measured: number;
  readonly parameters: readonly string[];
  /** Common factor on the x64 values. */
  readonly factor: number;
  readonly modelAtX64: number;
  readonly modelAtFit: number;
  /** False if the rest of the modeled path alone already exceeds the measurement. */
  readonly matched: boolean;
}

export interface NoiseFitResult {
  readonly experiment: Experiment;
  /** Trials used (the first, cold one excluded). */
  readonly n: number;
  readonly medianWindow: number;
  readonly threshold: number;
  readonly excesses: readonly number[];
  readonly measuredRate: number;
  readonly otherRate: number;
  readonly rate: number;
  readonly duration: DistributionSpec | null;
}

export interface FactRow {
  readonly parameter: string;
  readonly from: string;
  readonly value: string;
}

export interface CalibrationRecord {
  readonly schemaVersion: 1;
  readonly measurements: {
    readonly dir: string; readonly date: string; readonly cpuModel: string; readonly kernel: string;
    readonly cores: number; readonly tscHz: number; readonly vmType: string | null; readonly harnessHash: string;
  };
  readonly facts: readonly FactRow[];
  /** Interference: fitted from a tail, or (a set with a detour trace) the trace itself. */
  readonly noise: NoiseFitResult | TraceNoiseResult;
  readonly fits: readonly PathFitResult[];
}

export interface Calibration extends HostModelData {
  readonly record: CalibrationRecord;
}

const round = (x: number, digits = 6) => (x === 0 ? 0 : Number(x.toPrecision(digits)));

/** Every number of a distribution spec to 6 significant digits (stable, readable files). */
function roundSpec(spec: DistributionSpec): DistributionSpec {
  const walk = (v: unknown): unknown =>
    typeof v === "number" ? round(v) : Array.isArray(v) ? v.map(walk) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
  return walk(spec) as DistributionSpec;
}

const meanOf = (e: Entry | undefined) => (e === undefined ? 0 : distribution(e.value as DistributionSpec).mean);

function byExperiment(samples: readonly Sample[], e: Experiment): Sample[] {
  return samples.filter((s) => s.experiment === e);
}

interface Base {
  readonly hardware: MachineProfile;
  readonly linux: ParameterFile;
  readonly machine: MachineInfo;
  readonly label: string;
}

/** "host harness: median of syscall (10000 trials), DIR, 2026-11-26" */
function measuredFrom(b: Base, what: string): string {
  return `host harness: ${what}, ${b.label}, ${b.machine.date.slice(0, 10)}`;
}

interface State {
  readonly facts: { readonly clock: Entry & { value: number }; readonly topology: MachineProfile["topology"]; readonly hardware: Record<string, Entry>; readonly linux: Record<string, Entry> };
  readonly noise: Record<string, Entry>;
  readonly paths: ReadonlyMap<string, Entry>;
  readonly interference?: Interference;
}

const key = (r: ParamRef) => `${r.file}:${r.name}`;

/** The profile and Linux file for a state: x64 entries, replaced where fitted. */
function assemble(b: Base, s: State): HostModelData {
  const notFitted = (e: Entry): Entry => ({ ...e, source: `${e.source} (not fitted; from x64)` });
  const pick = (file: "hardware" | "linux", name: string, e: Entry, facts: Record<string, Entry>, extra: Record<string, Entry>) =>
    s.paths.get(`${file}:${name}`) ?? facts[name] ?? extra[name] ?? notFitted(e);
  // x64's parameters (fitted or not), then facts x64 has no entry for (the VM's).
  const hwParams = {
    ...Object.fromEntries(Object.entries(b.hardware.parameters).map(([n, e]) => [n, pick("hardware", n, e, s.facts.hardware, {})])),
    ...Object.fromEntries(Object.entries(s.facts.hardware).filter(([n]) => b.hardware.parameters[n] === undefined).map(([n, e]) => [n, s.paths.get(`hardware:${n}`) ?? e])),
  };
  const lxParams = Object.fromEntries(Object.entries(b.linux.parameters).map(([n, e]) => [n, pick("linux", n, e, s.facts.linux, s.noise)]));
  const m = b.machine;
  const what = `${m.cpuModel}, ${m.cores} CPUs, Linux ${m.kernel}${m.virtualMachine ? `, ${m.vmType ?? "virtual machine"} guest` : ""}`;
  return {
    hardware: {
      machine: "host",
      subject: `This project's host: ${what}; calibrated from ${b.label} (${m.date.slice(0, 10)}) by hrtsim calibrate`,
      clockGHz: s.facts.clock,
      topology: s.facts.topology,
      parameters: hwParams,
      ...(s.interference === undefined ? {} : { interference: s.interference }),
    },
    linux: { subject: `Linux ${m.kernel} with glibc on this project's host (${what}); calibrated by hrtsim calibrate`, parameters: lxParams },
  };
}

/** clock, topology, stamp cost (and idle states on a VM): read off machine.json. */
function machineFacts(b: Base): { facts: State["facts"]; rows: FactRow[] } {
  const m = b.machine;
  const src = (what: string) => `${measuredFrom(b, `${what} (machine.json)`)}; fitted`;
  const clock = { value: m.tscHz / 1e9, source: `${src(`TSC frequency ${m.tscHz} Hz measured against CLOCK_MONOTONIC`)}: model cycles are this host's TSC ticks` };
  const topology = {
    kind: "numa-modules" as const, sockets: 1, diesPerSocket: 1, modulesPerDie: m.cores, cpusPerModule: 1,
    source: `${src(`${m.cores} CPUs in the harness's affinity mask`)}. assumption: one die, one CPU per module (a VM does not show which vCPUs share a core), so every cross-CPU pair uses cacheLine.sameDie`,
  };
  const hardware: Record<string, Entry> = {
    rdtsc: { value: m.tscOverhead, source: src(`mean cost of one stamp, tscOverhead = ${m.tscOverhead} (1000 back-to-back rdtsc pairs)`) },
  };
  const linux: Record<string, Entry> = {};
  const rows: FactRow[] = [
    { parameter: "clockGHz", from: "machine.json tscHz", value: String(clock.value) },
    { parameter: "topology", from: "machine.json cores", value: `${m.cores} CPUs` },
    { parameter: "rdtsc", from: "machine.json tscOverhead", value: `${m.tscOverhead} cycles` },
  ];
  if (m.virtualMachine) {
    const e = b.linux.parameters["config.c6"];
    if (e !== undefined) {
      linux["config.c6"] = {
        ...e, value: 0,
        source: `${measuredFrom(b, `virtualMachine = true, hypervisor flag ${m.hypervisorFlag}, vmType ${m.vmType ?? "unknown"} (machine.json)`)}; [inferred] not a fit: a guest idles with hlt, which exits to the hypervisor; it has no core C-states of its own (KVM does not expose MWAIT C-states by default), so only C1 (idle.haltExit)`,
      };
      rows.push({ parameter: "config.c6", from: "machine.json virtualMachine (inferred, not fitted)", value: "0" });
    }
    Object.assign(hardware, vmHostParameters(src(`virtualMachine = true, vmType ${m.vmType ?? "unknown"}`)));
    rows.push({ parameter: "vm.haltPollWindow, vm.worldSwitch", from: "machine.json virtualMachine (KVM defaults and published analogs, not fitted)", value: "200 us, 683 ns" });
  }
  return { facts: { clock, topology, hardware, linux }, rows };
}

/**
 * A KVM guest's host side (linux/idle.ts hostWake): how long KVM polls a halted vCPU before
 * its thread sleeps on the host, and the VM entry that ends the host's wake-up trip. Not fitted.
 */
function vmHostParameters(vmFact: string): Record<string, Entry> {
  return {
    "vm.haltPollWindow": {
      value: 200, unit: "us",
      source: `${vmFact}; [read] KVM_HALT_POLL_NS_DEFAULT = 200000 ns on x86 (arch/x86/include/asm/kvm_host.h), the ceiling of the per-vCPU ` +
        "halt-polling interval (Documentation/virt/kvm/halt-polling.rst: past it 'the scheduler is invoked'); assumption: the host keeps the default " +
        "(a guest cannot read it) and the adaptive interval sits at the ceiling",
      range: { low: 10, high: 400, why: "the adaptive interval grows from halt_poll_ns_grow_start (10 us) to the ceiling; hosts may raise or lower the module parameter" },
      meaning: "how long KVM polls a halted vCPU before its thread sleeps on the host",
    },
    "vm.worldSwitch": {
      value: { dist: "normal", mean: 683, sd: 68, min: 340 }, unit: "ns",
      source: `${vmFact}; [analog] 'the direct cost on its own is high: 2,000 cycles' for a VM exit + entry on a Xeon X5570 at 2.93 GHz, KVM with EPT+VPID ` +
        "(Landau, Ben-Yehuda, Gordon, SplitX; costs.md) = 683 ns at the clock it was measured at; the entry half would be less, the host's vcpu_load and KVM_RUN re-entry more",
      range: { low: 0.44, high: 1.76, why: "factors on the distribution, 300 to 1200 ns: analogs of 2000 cycles at 2.93 GHz (2010 VT-x) and a 2528-2576-cycle KVM_RUN round trip on a 2020 AMD part (costs.md); the host's CPU model is hidden" },
      meaning: "VM entry at the end of the host's wake-up of a sleeping vCPU thread",
    },
  };
}

/** The largest share of a CPU the fitted interference may take (see fitNoise). */
const MAX_INTERFERENCE_SHARE = 0.5;

/**
 * Interference from the tail of NOISE_EXPERIMENT: trials (the first, cold one excluded) that
 * exceed the median by more than the cheapest modeled interrupt count as interrupted; rate =
 * count ÷ exposure (trials × median window), minus what the model's other sources draw on a
 * busy CPU; durations: lognormal through the excesses. The daemon source carries it.
 */
function fitNoise(b: Base, samples: readonly Sample[]): { noise: Record<string, Entry>; result: NoiseFitResult } {
  const e = NOISE_EXPERIMENT;
  const all = byExperiment(samples, e);
  if (all.length < MIN_NOISE_SAMPLES) throw new Error(`calibration needs samples of "${e}" (found ${all.length}) in ${b.label}`);
  const med = median(all.map((s) => s.cycles));
  const warm = all.filter((s) => s.trial !== 0);
  const hw = b.hardware.parameters;
  const threshold = round(meanOf(hw["irq.entry"]) + meanOf(hw["apic.eoi"]) + meanOf(hw["irq.exit"]), 4);
  const excesses = sorted(warm.map((s) => s.cycles - med).filter((x) => x > threshold));
  const exposure = (warm.length * med) / b.machine.tscHz;
  const measuredRate = excesses.length / exposure;
  const lx = b.linux.parameters;
  const setting = (n: string) => (typeof lx[n]?.value === "number" ? (lx[n]!.value as number) : 0);
  const otherRate = setting("config.hz") + setting("noise.kthread.rate") + setting("noise.deviceIrq.rate");
  const logs = excesses.map(Math.log);
  const mu = logs.reduce((a, x) => a + x, 0) / Math.max(1, logs.length);
  const sigma = logs.length < 2 ? 0 : Math.sqrt(logs.reduce((a, x) => a + (x - mu) ** 2, 0) / (logs.length - 1));
  const duration: DistributionSpec | null = excesses.length >= 2 ? roundSpec({ dist: "lognormal", median: Math.exp(mu), sigma }) : null;
  // The median trial is uninterrupted (the fit's premise), so interference cannot hold the CPU more
  // than half the time; a few-trial tail can suggest more (a CPU that never runs a thread).
  const x64Duration = lx["noise.daemon.duration"];
  const meanDuration = duration !== null ? distribution(duration).mean
    : meanOf(x64Duration) * (x64Duration?.unit === "us" ? b.machine.tscHz / 1e6 : 1);
  const uncapped = Math.max(0, measuredRate - otherRate);
  const ceiling = meanDuration > 0 ? (MAX_INTERFERENCE_SHARE * b.machine.tscHz) / meanDuration : Infinity;
  const rate = round(Math.min(uncapped, ceiling), 4);
  const capped = uncapped > ceiling;
  const from = measuredFrom(b, `tail of ${e} (${warm.length} trials after the first, cold one)`);
  const m = b.machine;
  const f = (x: number) => String(round(x, 4));
  const noise: Record<string, Entry> = {
    "noise.daemon.rate": {
      value: rate, unit: "per-second",
      source: `${from}; fitted: ${excesses.length} trials exceed the median (${f(med)} cycles) by more than ${f(threshold)} cycles ` +
        `(x64's cheapest modeled interrupt: irq.entry + apic.eoi + irq.exit) in ${f(exposure * 1e3)} ms of exposure (trials × median window): ` +
        `${f(measuredRate)} interruptions/s on CPU 0, minus the ${f(otherRate)}/s the model's other sources already draw on a busy CPU 0 ` +
        `(tick, kernel threads, device interrupts; x64 values) = ${f(rate)}/s, applied to every CPU. On this host ` +
        `(${m.virtualMachine ? `a ${m.vmType ?? ""} VM, hypervisor flag ${m.hypervisorFlag}` : "bare metal"}; load average ${m.loadAverage.join(" ")} at the start) ` +
        `the source stands for all that takes a CPU from the harness: other processes and${m.virtualMachine ? " hypervisor preemption of the vCPU" : " daemons"}. ` +
        `Drawn as independent Poisson arrivals: the measured interference comes in bursts, which the model does not reproduce` +
        (capped ? `. Capped from ${f(uncapped)}/s so that interference takes at most ${MAX_INTERFERENCE_SHARE * 100}% of a CPU (mean duration ${f(meanDuration)} cycles): the median trial is uninterrupted` : ""),
    },
  };
  if (duration !== null && x64Duration !== undefined) {
    noise["noise.daemon.duration"] = {
      value: duration, unit: "cycles",
      source: `${from}; fitted: lognormal through the ${excesses.length} excesses above (median = their geometric mean, sigma = the sd of their logs)`,
    };
  }
  return {
    noise,
    result: { experiment: e, n: warm.length, medianWindow: med, threshold, excesses, measuredRate: round(measuredRate), otherRate, rate, duration },
  };
}

/** Median of the model's `experiment` with the fit's path scaled by `factor`. */
function modelMedian(b: Base, s: State, fit: PathFit, experiment: Experiment, factor: number): number {
  const data = assemble(b, withPath(b, s, fit, factor, ""));
  return median(simulateHost(data, experiment, fit.trials, `host-calibration/${fit.id}`));
}

function withPath(b: Base, s: State, fit: PathFit, factor: number, source: string): State {
  const paths = new Map(s.paths);
  for (const r of fit.parameters) {
    const base = r.file === "hardware" ? b.hardware.parameters[r.name] ?? s.facts.hardware[r.name] : b.linux.parameters[r.name];
    if (base === undefined) throw new Error(`calibration: ${r.file} parameter "${r.name}" is not in the x64 data or the machine's facts`);
    paths.set(key(r), { ...base, value: roundSpec(scaleSpec(base.value as DistributionSpec, factor)) as Entry["value"], source });
  }
  return { ...s, paths };
}

const F_MIN = 0.01;
const F_MAX = 1000;

/** Secant search for the factor whose model median equals `target`; deterministic. */
function invert(b: Base, s: State, fit: PathFit, experiment: Experiment, target: number): { factor: number; atX64: number; atFit: number; matched: boolean } {
  const m = (f: number) => modelMedian(b, s, fit, experiment, f);
  const tol = Math.max(0.5, 0.001 * Math.abs(target));
  const clamp = (f: number) => Math.min(F_MAX, Math.max(F_MIN, f));
  let f0 = 1;
  let m0 = m(f0);
  const atX64 = m0;
  let f1 = clamp(m0 > 0 ? (f0 * target) / m0 : 2);
  let m1 = m(f1);
  let best = Math.abs(m0 - target) <= Math.abs(m1 - target) ? { f: f0, m: m0 } : { f: f1, m: m1 };
  for (let i = 0; i < 6 && Math.abs(best.m - target) > tol && m1 !== m0; i++) {
    const f2 = clamp(f1 + ((target - m1) * (f1 - f0)) / (m1 - m0));
    if (f2 === f1) break;
    f0 = f1; m0 = m1; f1 = f2; m1 = m(f1);
    if (Math.abs(m1 - target) < Math.abs(best.m - target)) best = { f: f1, m: m1 };
  }
  const factor = round(best.f, 4);
  const atFit = factor === best.f ? best.m : m(factor);
  return { factor, atX64, atFit, matched: !(factor <= F_MIN && atFit > target + tol) };
}

const MAX_PASSES = 3;
/** Relative distance from its measured median at which a matched fit counts as broken by a later one. */
const HOLD_TOLERANCE = 0.01;

/** Whether every matched fit still gives its measured median on the final state. */
function holds(b: Base, s: State, fits: readonly PathFitResult[]): boolean {
  const data = assemble(b, s);
  return fits.every((f) => {
    if (!f.matched) return true;
    const fit = PATH_FITS.find((x) => x.id === f.id)!;
    const m = median(simulateHost(data, f.experiment, fit.trials, `host-calibration/${fit.id}`));
    return Math.abs(m - f.measured) <= Math.max(0.5, HOLD_TOLERANCE * Math.abs(f.measured));
  });
}

/** Fits the `host` profile and Linux parameters to `set` (only its fitted experiments are read). */
export function calibrate(set: MeasurementSet, label: string): Calibration {
  const used = new Set<Experiment>(fittedExperiments());
  const samples = set.samples.filter((x) => used.has(x.experiment));
  const b: Base = { hardware: machineProfile("x64"), linux: linuxData("x64"), machine: set.machine, label };
  const { facts, rows } = machineFacts(b);
  const traces = detourTraces(set);
  let noise: Record<string, Entry>, noiseResult: NoiseFitResult | TraceNoiseResult, interference: Interference | undefined;
  if (traces.length > 0) {
    const minNs = set.machine.detourMinNs ?? 0;
    const t = traceInterference(traces, b.linux, set.machine.tscHz, measuredFrom(b, `detour trace (${traces.length} CPUs)`), minNs);
    ({ linux: noise, result: noiseResult, interference } = t);
    Object.assign(facts.hardware, t.hardware);
  } else {
    ({ noise, result: noiseResult } = fitNoise(b, samples));
  }
  let state: State = { facts, noise, paths: new Map(), ...(interference === undefined ? {} : { interference }) };
  let fits: PathFitResult[] = [];
  const present = new Set(samples.map((x) => x.experiment));
  // Fits are conditional on the ones before; where a later one moves an earlier one's median (the
  // two condvar fits share the wake-up path), the sequence is repeated until all hold (at most 3 passes).
  for (let pass = 0; pass < MAX_PASSES && (pass === 0 || !holds(b, state, fits)); pass++) {
  fits = [];
  for (const fit of PATH_FITS) {
    const experiment = fitExperiment(fit, present);
    const values = byExperiment(samples, experiment).map((x) => x.cycles);
    if (values.length === 0 && fit.optional) continue;
    if (values.length === 0) throw new Error(`calibration needs samples of "${experiment}" in ${label}`);
    const target = median(values);
    const r = invert(b, state, fit, experiment, target);
    const names = fit.parameters.map((p) => p.name);
    const one = names.length === 1;
    // A machine fact x64 has no entry for (the VM's): scaled from its own value, whose source is kept.
    const facts = fit.parameters.every((p) => p.file === "hardware" && b.hardware.parameters[p.name] === undefined)
      ? fit.parameters.map((p) => state.facts.hardware[p.name]!.source) : null;
    const origin = facts === null ? "x64's" : "the machine fact's";
    const source = `${measuredFrom(b, `median of ${experiment} (${values.length} trials)`)}; fitted: ${facts === null ? "x64" : "the machine fact's"} value × ${r.factor}, the factor ` +
      `${one ? "on" : "common to"} ${names.join(", ")} that makes the model's median of ${experiment} ${r.matched ? "equal" : "come closest to"} ` +
      `the measured ${round(target)} cycles (the measurement determines ${fit.what}; ${one ? `the shape is ${origin}` : `how it splits among them, and each one's shape, are ${origin}`})` +
      (facts === null ? "" : `. The fact's value: ${facts.join("; ")}`) +
      (r.matched ? "" : ". NOT MATCHED: the rest of the modeled path alone exceeds the measurement");
    state = withPath(b, state, fit, r.factor, source);
    fits.push({
      id: fit.id, experiment, statistic: "median", n: values.length, measured: target, parameters: fit.parameters.map(key),
      factor: r.factor, modelAtX64: r.atX64, modelAtFit: r.atFit, matched: r.matched,
    });
  }
  }
  const m = set.machine;
  const record: CalibrationRecord = {
    schemaVersion: 1,
    measurements: { dir: label, date: m.date, cpuModel: m.cpuModel, kernel: m.kernel, cores: m.cores, tscHz: m.tscHz, vmType: m.vmType, harnessHash: m.harnessHash },
    facts: rows, noise: noiseResult, fits,
  };
  return { ...assemble(b, state), record };
}
