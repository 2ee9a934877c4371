/**
 * Interference from a measured detour trace (harness.c exp_detour, a selfish-detour loop per
 * CPU): the trace itself becomes the host profile's `interference` (replayed by
 * hardware/noise.ts TraceNoise, bursts and all), and the Linux noise sources it already contains
 * — the guest's tick, kernel threads, daemons and device interrupts, all of which take the CPU
 * from a spinning user thread — are set to nothing, so no activity is counted twice.
 */
import type { ParameterFile } from "../hardware/params.js";
import type { Interference } from "../hardware/profile.js";
import type { DetourTrace } from "./measurements.js";
import { median } from "./stats.js";

type Entry = ParameterFile["parameters"][string];

/** What the calibration record says of a trace-based interference. */
export interface TraceNoiseResult {
  readonly kind: "trace";
  readonly cpus: number;
  /** Loop time per CPU (cycles) and detours seen in it. */
  readonly lengths: readonly number[];
  readonly counts: readonly number[];
  /** Share of each CPU's loop time taken by detours. */
  readonly stolen: readonly number[];
  /** Detours a second, all CPUs pooled. */
  readonly ratePerCpu: number;
  readonly medianDuration: number;
  readonly minDetour: number;
}

/** The Linux entries the trace replaces: each keeps its unit, with value 0 and why. */
const REPLACED = ["noise.tick.duration", "noise.kthread.rate", "noise.daemon.rate", "noise.deviceIrq.rate"] as const;

export function traceInterference(
  traces: readonly DetourTrace[],
  linux: ParameterFile,
  tscHz: number,
  from: string,
  minDetourNs: number,
): { interference: Interference; hardware: Record<string, Entry>; linux: Record<string, Entry>; result: TraceNoiseResult } {
  const cycles = (x: number) => Math.round(x);
  const rendered = traces.map((t) => ({ length: cycles(t.length), detours: t.detours.map(([s, d]) => [cycles(s), cycles(d)] as const) }));
  const counts = traces.map((t) => t.detours.length);
  const lengths = rendered.map((t) => t.length);
  const stolen = traces.map((t) => t.detours.reduce((a, [, d]) => a + d, 0) / t.length);
  const durations = traces.flatMap((t) => t.detours.map(([, d]) => d));
  const seconds = lengths.reduce((a, x) => a + x, 0) / tscHz;
  const round = (x: number) => Number(x.toPrecision(4));
  const result: TraceNoiseResult = {
    kind: "trace", cpus: traces.length, lengths, counts, stolen: stolen.map(round),
    ratePerCpu: round(counts.reduce((a, x) => a + x, 0) / seconds),
    medianDuration: durations.length === 0 ? 0 : median(durations), minDetour: round((minDetourNs * tscHz) / 1e9),
  };
  const summary = traces.map((t, i) => `CPU ${t.cpu}: ${counts[i]} detours in ${round(t.length / tscHz)} s, ${round(stolen[i]! * 100)}% of the time`).join("; ");
  const interference: Interference = {
    source: `${from}; measured: every gap longer than ${minDetourNs} ns between back-to-back clock reads of a thread spinning on each CPU in turn ` +
      `(${summary}), replayed as it was measured on the model's CPU i (trace i mod ${traces.length}) from a random point: the bursts and the ` +
      "periodic host activity stay as measured. It is everything that took the CPU from a user thread: the guest's own tick, kernel threads and " +
      "interrupts, other processes, and on a VM the host running something else on the vCPU's core",
    traces: rendered,
  };
  const hardware: Record<string, Entry> = {
    "interference.scale": {
      value: 1, unit: "ratio",
      source: `${from}; the measured detours at their measured lengths (1); 0 switches the replay off`,
      range: { low: 0, high: 2, why: "from no interference to every detour twice as long (a host busier than during the measurement)" },
      meaning: "factor on the lengths of the replayed measured detours (0: no measured interference)",
    },
  };
  const lx: Record<string, Entry> = {};
  for (const name of REPLACED) {
    const e = linux.parameters[name];
    if (e === undefined) continue;
    lx[name] = {
      value: 0, ...(e.unit === undefined ? {} : { unit: e.unit }),
      source: `${from}; not drawn: the measured interference trace (machine profile 'interference') already contains this activity as it took the CPU from a spinning thread`,
    };
  }
  return { interference, hardware, linux: lx, result };
}
