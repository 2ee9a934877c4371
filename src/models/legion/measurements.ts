/**
 * Host measurements of the workloads' inner loops (src/models/host/native/workloads.c): the
 * harness's output format, and the checked-in file (data/host-workloads.json) with its source.
 * Pure: reading and writing files is src/scenarios/measure-workloads.ts's job.
 */
import { Schema } from "effect";
import { median } from "d3-array";

export const WORKLOAD_KERNELS = [
  "circuit.calcNewCurrents", "circuit.distributeCharge", "circuit.updateVoltages",
  "hpcg.spmv", "hpcg.symgs", "hpcg.dot", "hpcg.waxpby",
] as const;
export type WorkloadKernel = (typeof WORKLOAD_KERNELS)[number];

const KernelMeasurement = Schema.Struct({
  /** What one element is (wire-step, wire, node, nonzero, nonzero-sweep, element). */
  unit: Schema.String,
  /** Elements per timed rep. */
  elements: Schema.Finite.check(Schema.isGreaterThan(0)),
  /** TSC cycles of each rep (whole rep, not per element). */
  repCycles: Schema.Array(Schema.Finite),
  /** Median over reps of cycles ÷ elements: what the model uses. */
  cyclesPerElement: Schema.Finite.check(Schema.isGreaterThan(0)),
});

export const WorkloadMeasurementsSchema = Schema.Struct({
  source: Schema.Struct({
    host: Schema.String,
    date: Schema.String,
    cpu: Schema.String,
    command: Schema.String,
    compiler: Schema.String,
    tscHz: Schema.Finite,
    note: Schema.String,
  }),
  kernels: Schema.Struct(Object.fromEntries(WORKLOAD_KERNELS.map((k) => [k, KernelMeasurement])) as Record<WorkloadKernel, typeof KernelMeasurement>),
});
export type WorkloadMeasurements = typeof WorkloadMeasurementsSchema.Type;

export class WorkloadFormatError extends Error {
  override readonly name = "WorkloadFormatError";
}

export function decodeWorkloadMeasurements(raw: unknown, label: string): WorkloadMeasurements {
  try {
    return Schema.decodeUnknownSync(WorkloadMeasurementsSchema, { onExcessProperty: "error" })(raw);
  } catch (e) {
    throw new WorkloadFormatError(`${label}: ${(e as Error).message}`);
  }
}

/** Parses workloads.c's output into per-kernel entries (median cycles per element). */
export function parseWorkloadOutput(text: string): { tscHz: number; kernels: WorkloadMeasurements["kernels"] } {
  let tscHz = NaN;
  const kernels: Partial<Record<WorkloadKernel, WorkloadMeasurements["kernels"][WorkloadKernel]>> = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const fields = Object.fromEntries(line.trim().split(/\s+/).map((kv) => kv.split("=", 2) as [string, string]));
    if (fields.tsc_hz !== undefined) {
      tscHz = Number(fields.tsc_hz);
      continue;
    }
    const name = fields.kernel as WorkloadKernel | undefined;
    const reps = (fields.cycles ?? "").split(",").map(Number);
    const elements = Number(fields.elements);
    if (name === undefined || !WORKLOAD_KERNELS.includes(name) || !(elements > 0) || reps.length === 0 || reps.some((c) => !(c > 0))) {
      throw new WorkloadFormatError(`workloads output line ${i + 1}: expected "kernel=<one of ${WORKLOAD_KERNELS.join(", ")}> unit=… elements=<n> cycles=<c,…>", found "${line}"`);
    }
    kernels[name] = { unit: fields.unit ?? "element", elements, repCycles: reps, cyclesPerElement: median(reps)! / elements };
  }
  const missing = WORKLOAD_KERNELS.filter((k) => kernels[k] === undefined);
  if (!(tscHz > 0)) throw new WorkloadFormatError("workloads output: no valid tsc_hz=<Hz> line");
  if (missing.length > 0) throw new WorkloadFormatError(`workloads output: no line for ${missing.join(", ")}`);
  return { tscHz, kernels: kernels as WorkloadMeasurements["kernels"] };
}
