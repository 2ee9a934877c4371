/**
 * The legion plug-in's parameters (scenario `model.params`), an Effect Schema that rejects
 * unknown keys at every level (so `hrtsim validate` catches typos), with the defaults stated.
 */
import { Schema } from "effect";
import { MACHINES } from "../hardware/profile.js";
import { KERNELS } from "../kernel/types.js";
import { IDLE_POLICIES, RuntimeCostOverrides } from "../runtime/index.js";

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));

export const LEGION_COSTS = ["analysis.perTask", "analysis.perRequirement", "analysis.perDependence", "mapping.perTask"] as const;

export const LegionParams = Schema.Struct({
  machine: Schema.Literals(MACHINES),
  /** Kernels simulated in each run (each emits iterationTime labelled kernel; both: also speedup). Default both. */
  kernels: Schema.optional(Schema.Array(Schema.Literals(KERNELS)).check(Schema.isMinLength(1))),
  /** native, or hvm: the runtime inside the Palacios HVM (x64; Nautilus = the HRT, Linux = the ROS guest). Default native. */
  placement: Schema.optional(Schema.Literals(["native", "hvm"])),
  /** Cores used: CPU 0 runs the top-level task and the utility processor, CPUs 1..cores-1 one worker each. Default 16. */
  cores: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
  /** Pieces (circuit) or subdomains (HPCG) per worker; tasks per launch = workers × this. Default 1. */
  piecesPerWorker: Schema.optional(PositiveInt),
  /** Iterations simulated; the first is warm-up, each later one emits one iterationTime. Default 3. */
  iterations: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
  /** Iterations the utility processor may analyse ahead of the oldest unfinished one. Default 2. */
  window: Schema.optional(PositiveInt),
  /** Problem size preset: large = the defaults below; small = circuit steps 100, HPCG nx 8. Explicit circuit/hpcg fields win. Default large. */
  problem: Schema.optional(Schema.Literals(["small", "large"])),
  circuit: Schema.optional(Schema.Struct({
    /** Wires and nodes per piece (defaults 200 and 50), percent of wires inside the piece (95), relaxation steps (10000). */
    wiresPerPiece: Schema.optional(PositiveInt),
    nodesPerPiece: Schema.optional(PositiveInt),
    pctWireInPiece: Schema.optional(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))),
    steps: Schema.optional(PositiveInt),
  })),
  hpcg: Schema.optional(Schema.Struct({
    /** Local grid edge per subdomain (nx^3 rows, 27-point stencil; default 16) and multigrid levels (default 4). */
    nx: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
    mgLevels: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 }))),
  })),
  runtime: Schema.optional(Schema.Struct({
    /** How idle workers and waiting threads wait: block (kernel condvar) or spin (poll a word). Default block. */
    idle: Schema.optional(Schema.Literals(IDLE_POLICIES)),
    costs: Schema.optional(RuntimeCostOverrides),
  })),
  /** Overrides of the utility processor's analysis/mapping costs (machine cycles). */
  legion: Schema.optional(Schema.Struct(Object.fromEntries(LEGION_COSTS.map((n) => [n, Schema.optional(NonNegative)])) as Record<(typeof LEGION_COSTS)[number], Schema.optional<typeof NonNegative>>)),
  /** What-if: machine cycles per host TSC cycle for the measured inner loops (default: data/compute-scale.json). */
  compute: Schema.optional(Schema.Struct({ cyclesPerHostTsc: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))) })),
  /** Nautilus: kick IPIs (default: the kernel's default). Linux: noise besides the tick (default true), deep idle states (default: data file). */
  kicks: Schema.optional(Schema.Boolean),
  linuxNoise: Schema.optional(Schema.Boolean),
  deepIdle: Schema.optional(Schema.Boolean),
  /** Multiplies every time quantity by this integer (metamorphic tests); default 1. */
  costScale: Schema.optional(PositiveInt),
});
export type LegionParams = typeof LegionParams.Type;

export interface CircuitShape { readonly wiresPerPiece: number; readonly nodesPerPiece: number; readonly pctWireInPiece: number; readonly steps: number }
export interface HpcgShape { readonly nx: number; readonly mgLevels: number }

/** Legion examples/circuit: WIRE_SEGMENTS 10, STEPS 10000, 95% of wires inside their piece (circuit_defs.lua / circuit.cc). */
export function circuitShape(p: LegionParams): CircuitShape {
  return { wiresPerPiece: p.circuit?.wiresPerPiece ?? 200, nodesPerPiece: p.circuit?.nodesPerPiece ?? 50, pctWireInPiece: p.circuit?.pctWireInPiece ?? 95, steps: p.circuit?.steps ?? (p.problem === "small" ? 100 : 10000) };
}

/** HPCG reference: 27-point stencil, 4 multigrid levels (3 coarsenings). */
export function hpcgShape(p: LegionParams): HpcgShape {
  return { nx: p.hpcg?.nx ?? (p.problem === "small" ? 8 : 16), mgLevels: p.hpcg?.mgLevels ?? 4 };
}
