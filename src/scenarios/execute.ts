/**
 * Executing one run: decode the point's parameters, call the model with the scenario's
 * limits, and turn the outcome — observations or a diagnosis — into a RunRecord.
 * Shared by the worker threads and by in-process callers.
 */
import { performance } from "node:perf_hooks";
import { ProcessFailure } from "../engine/index.js";
import { findModel, ModelRunError, type RunLimits } from "../models/index.js";
import type { Observation, RunRecord } from "../reports/results.js";
import { decodeStrict } from "./decode.js";
import type { RunSpec } from "./expand.js";

export interface RunTask {
  readonly model: string;
  readonly limits: RunLimits;
  readonly spec: RunSpec;
}

/** A readable one-paragraph diagnosis of a failed run. */
export function diagnose(e: unknown): string {
  if (e instanceof ModelRunError) return `${e.kind}: ${e.message}`;
  // A model's verdict raised inside a process (e.g. a CPU with no time left) keeps its kind.
  if (e instanceof ProcessFailure && e.cause instanceof ModelRunError) return `${e.cause.kind}: ${e.message}`;
  if (e instanceof Error) return `model error: ${e.name === "Error" ? "" : `${e.name}: `}${e.message}`;
  return `model error: ${String(e)}`;
}

/** Only the contract's fields, as plain data (models may return richer objects). */
function plainObservation(o: Observation): Observation {
  return o.labels ? { metric: o.metric, value: o.value, labels: { ...o.labels } } : { metric: o.metric, value: o.value };
}

function failed(spec: RunSpec, error: string, wallMs: number): RunRecord {
  const { runIndex, point, replication, seed } = spec;
  return { runIndex, point, replication, seed, status: "failed", error, wallMs, observations: [] };
}

export function executeRun(task: RunTask): RunRecord {
  const { spec } = task;
  const start = performance.now();
  const plugin = findModel(task.model);
  if (!plugin) return failed(spec, `model error: model "${task.model}" is not registered`, 0);
  const params = decodeStrict(plugin.paramsSchema, spec.params);
  if (!params.ok) return failed(spec, "model error: parameters no longer decode (was the model changed?)", 0);
  try {
    const out = plugin.run({
      params: params.value, experiment: spec.experiment, seed: spec.seed, limits: task.limits,
      ...(spec.overrides ? { overrides: spec.overrides } : {}), ...(spec.machine ? { machine: spec.machine } : {}),
    });
    const { runIndex, point, replication, seed } = spec;
    return {
      runIndex, point, replication, seed, status: "ok", fingerprint: out.fingerprint, events: out.events,
      simTime: out.simTime, wallMs: performance.now() - start, observations: out.observations.map(plainObservation),
    };
  } catch (e) {
    return failed(spec, diagnose(e), performance.now() - start);
  }
}
