/** Plain types and constants of the simulation kernel's API (no behaviour). */
import { KIND_NO_PAYLOAD } from "./queue.js";

/** Event kinds, as folded into the fingerprint and shown in traces. */
export const KIND_RESUME = 1;
export const KIND_EVENT = 2;
export const KIND_CALL = 3;
export const KIND_INTERRUPT = 4;
/** A callback-only event posted with `Simulation.post` (no generator, no per-event object). */
export const KIND_CALLBACK = 5;
export const KIND_NAMES = ["", "resume", "event", "call", "interrupt", "callback"] as const;
/**
 * @internal A process waking from a delay: a resume whose queue entry carries the process's
 * table row instead of the Process (process.ts, ProcessTable). Fingerprinted as KIND_RESUME.
 */
export const KIND_DELAY = KIND_RESUME | KIND_NO_PAYLOAD;

export interface TraceRecord {
  readonly time: number;
  readonly priority: number;
  readonly kind: (typeof KIND_NAMES)[number];
  readonly target: number;
  readonly name: string;
}

export interface SimulationOptions {
  /** Master seed of the named random streams. */
  readonly seed?: number | string;
  /** Called for every processed event (debugging; slows the run). */
  readonly trace?: (record: TraceRecord) => void;
}

export interface RunOptions {
  /** Process events with time ≤ until, then stop with now = until. */
  readonly until?: number;
  /** Stop after this many events (in this call). */
  readonly maxEvents?: number;
}

export interface WaitingProcess {
  readonly process: string;
  readonly waitsOn: string;
}

export interface RunReport {
  readonly reason: "empty" | "until" | "maxEvents" | "deadlock";
  readonly now: number;
  /** Events processed by this call. */
  readonly events: number;
  readonly fingerprint: string;
  /** When reason is "deadlock": the non-daemon processes still waiting, and on what. */
  readonly waiting: readonly WaitingProcess[];
}

/** One line per waiting process, for error messages. */
export function describeDeadlock(report: RunReport): string {
  const lines = report.waiting.map((w) => `  - '${w.process}' waits on ${w.waitsOn}`);
  return `deadlock at t=${report.now}: the event queue is empty but ${report.waiting.length} process(es) still wait:\n${lines.join("\n")}`;
}
