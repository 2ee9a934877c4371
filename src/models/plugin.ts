/**
 * The plug-in contract: what a model gives the scenario runner. Models are found by name;
 * adding one touches no scenario code (register it in src/models/index.ts).
 * Models know no files or CLI: parameters arrive decoded, results leave as observations.
 */
import type { Schema } from "effect";
import { describeDeadlock, type RunReport } from "../engine/index.js";
import type { ParameterInfo, ParameterOverrides } from "./hardware/overrides.js";
import type { MachineFile } from "./hardware/machine-file.js";
import type { ParameterRow } from "./hardware/params.js";

export type { ParameterInfo, ParameterOverrides, MachineFile };

export type Scalar = string | number | boolean;

/** One measured value; `labels` are within-run coordinates (e.g. the core it was taken on). */
export interface Observation {
  readonly metric: string;
  readonly value: number;
  readonly labels?: Readonly<Record<string, Scalar>>;
}

export interface MetricInfo {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  /** Label names this metric's observations carry, in column order. */
  readonly labels?: readonly string[];
}

export interface ExperimentInfo {
  readonly name: string;
  readonly description: string;
  /** Names of the metrics (declared in ModelPlugin.metrics) this experiment emits. */
  readonly metrics: readonly string[];
}

export interface RunLimits {
  readonly maxEvents?: number;
  /** Simulated-time limit in ticks. */
  readonly until?: number;
}

export interface ModelRunInput<P> {
  readonly params: P;
  readonly experiment: string;
  /** Master seed of the run's named random streams (derived by the runner from coordinates). */
  readonly seed: string;
  readonly limits: RunLimits;
  /** Overrides of parameter-file entries by dotted path (`x64.apic.accept`), already checked against `parameterSpace`. */
  readonly overrides?: ParameterOverrides;
  /** A user's machine profile (scenario `machineFile`), used instead of the built-in profile `params` names. */
  readonly machine?: MachineFile;
}

/** The user's parameter overrides and machine profile of a run, without undefined fields. */
export interface UserParameters {
  readonly overrides?: ParameterOverrides;
  readonly machine?: MachineFile;
}

export function userParameters(input: { readonly overrides?: ParameterOverrides | undefined; readonly machine?: MachineFile | undefined }): UserParameters {
  return { ...(input.overrides ? { overrides: input.overrides } : {}), ...(input.machine ? { machine: input.machine } : {}) };
}

/** A combination of parameters the model cannot run (found at `validate`, never at run time). */
export interface ConstraintProblem {
  /** The model parameter (e.g. "hrtCores") or override path the problem is reported at. */
  readonly path: string;
  readonly message: string;
  readonly expected: string;
  readonly found: string;
}

export interface ModelRunOutput {
  readonly observations: Observation[];
  readonly fingerprint: string;
  readonly events: number;
  readonly simTime: number;
}

/** One execution broken down into named steps ("where did the cycles go"). */
export interface Breakdown {
  readonly title: string;
  readonly unit: string;
  readonly steps: ReadonlyArray<{ readonly step: string; readonly where: string; readonly cost: number; readonly note?: string }>;
  readonly total: number;
}

// A row of `hrtsim params`: defined beside the cost tables that produce it.
export type { ParameterRow } from "./hardware/params.js";

/** A run that could not finish: the runner records the diagnosis and the sweep goes on. */
export class ModelRunError extends Error {
  override readonly name = "ModelRunError";
  constructor(
    readonly kind: "deadlock" | "limit" | "model",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The run path's guard for a constraint the plug-in's constraints hook also reports (so validate
 * and the run share the rule): throws the problem as a model run error, or does nothing.
 */
export function failOn(problem: ConstraintProblem | undefined): void {
  if (problem) throw new ModelRunError("model", `${problem.message}: expected ${problem.expected}, found ${problem.found}`);
}

/** What a model adds to the end-of-run message (failOnRunEnd). */
export interface RunEndContext {
  /** What ran, before the message ("Linux baselines"). */
  readonly what?: string;
  /** A modeled cause of a deadlock (e.g. condvarRaceHint), after who waits on what. */
  readonly deadlockHint?: string;
  /** How far a stopped run got ("12 of 50 customers done"). */
  readonly progress?: string;
  /** The unit of simulated time when it is not cycles ("ns"). */
  readonly timeUnit?: string;
}

/**
 * A run that did not end with an empty queue, as a model run error in the same words for every
 * model: a deadlock (who waits on what, then the hint) or the event or time limit (where and
 * after how many events).
 */
export function failOnRunEnd(report: RunReport, c: RunEndContext = {}): void {
  const what = c.what ? `${c.what}: ` : "";
  if (report.reason === "deadlock") throw new ModelRunError("deadlock", what + describeDeadlock(report) + (c.deadlockHint ?? ""));
  if (report.reason !== "empty") {
    const limit = report.reason === "until" ? "simulated-time" : "event";
    throw new ModelRunError("limit", `${what}stopped by the ${limit} limit at t=${report.now}${c.timeUnit ? ` ${c.timeUnit}` : ""} after ${report.events} events${c.progress ? ` (${c.progress})` : ""}`);
  }
}

export interface ModelPlugin<P = any> {
  readonly name: string;
  readonly description: string;
  /** Decodes the scenario's `model.params` (unknown keys must be rejected by the schema). */
  readonly paramsSchema: Schema.Decoder<P>;
  /**
   * Optional: dotted paths of `params` maps whose keys are parameter names with dots (e.g.
   * "runtime.costs", keyed "queue.push"), so a sweep or --set key `runtime.costs.queue.push`
   * sets the key "queue.push" of that map rather than nesting at every dot.
   */
  readonly nameMaps?: readonly string[];
  readonly experiments: readonly ExperimentInfo[];
  readonly metrics: readonly MetricInfo[];
  /** Runs one experiment deterministically from `seed`. Throws ModelRunError on deadlock/limits. */
  run(input: ModelRunInput<P>): ModelRunOutput;
  /** Optional: one execution of `experiment`, step by step. */
  explain?(input: ModelRunInput<P>): Breakdown[];
  /** Optional: the cost parameters in force for these params (and overrides), with their sources. */
  parameters?(params: P, overrides?: ParameterOverrides, machine?: MachineFile): ParameterRow[];
  /**
   * Optional: every parameter-file entry these params use, by override path. A model without
   * this hook takes no overrides.
   */
  parameterSpace?(params: P, machine?: MachineFile): ParameterInfo[];
  /**
   * Optional: combinations these params (and overrides) make impossible, e.g. more cores than the
   * machine has; `experiment` is given when the check depends on it (validate asks per experiment).
   */
  constraints?(params: P, overrides: ParameterOverrides, machine?: MachineFile, experiment?: string): ConstraintProblem[];
}
