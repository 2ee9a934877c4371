/**
 * The legion plug-in's parameters (scenario `model.params`), an Effect Schema that rejects
 * unknown keys at every level (so `hrtsim validate` catches typos), with the defaults stated.
 */
import { Schema } from "effect";
import { CostScaleParam, MAX_COST_SCALE } from "../hardware/params.js";
import { MACHINES } from "../hardware/profile.js";
import { kernelMachineProblem } from "../kernel/registry.js";
import { KERNELS } from "../kernel/types.js";
import { IDLE_POLICIES, RuntimeCostOverrides } from "../runtime/index.js";

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));
const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0));

export const LEGION_COSTS = ["analysis.perTask", "analysis.perRequirement", "analysis.perDependence", "mapping.perTask"] as const;

export const LegionParams = Schema.Struct({
  machine: Schema.Literals(MACHINES),
  /** Kernels simulated in each run (each emits iterationTime labelled kernel; both: also speedup). Default both. */
  kernels: Schema.optional(Schema.Array(Schema.Literals(KERNELS)).check(Schema.isMinLength(1), Schema.makeFilter((ks) => ks.every((k, i) => ks.indexOf(k) === i) || "each kernel once (a repeated kernel repeats every observation)"))),
  /** native, or hvm: the runtime inside the Palacios HVM (x64; Nautilus = the HRT, Linux = the ROS guest). Default native. */
  placement: Schema.optional(Schema.Literals(["native", "hvm"])),
  /**
   * Cores used: CPU 0 runs the top-level task and the utility processor, CPUs 1..cores-1 one worker
   * each; `all`: every CPU of the machine (one value across a machine sweep). Default 16.
   */
  cores: Schema.optional(Schema.Union([Schema.Int.check(Schema.isGreaterThanOrEqualTo(2)), Schema.Literal("all")])),
  /** Pieces (circuit) or subdomains (HPCG) per worker; tasks per launch = workers × this. Default 1. */
  piecesPerWorker: Schema.optional(PositiveInt),
  /** Total pieces/subdomains (replaces piecesPerWorker; the era's circuit test uses 32, its HPCG 4). */
  pieces: Schema.optional(PositiveInt),
  /** Iterations simulated; the first is warm-up, each later one emits one iterationTime. Default 3. */
  iterations: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
  /** Iterations the utility processor may analyse ahead of the oldest unfinished one. Default 2. */
  window: Schema.optional(PositiveInt),
  /** Problem size preset: large = the defaults below; small = circuit steps 1000, HPCG 4×4×8 rows per subdomain. Explicit circuit/hpcg fields win. Default large. */
  problem: Schema.optional(Schema.Literals(["small", "large"])),
  circuit: Schema.optional(Schema.Struct({
    /** Wires and nodes per piece (defaults 32 and 16), percent of wires inside the piece (95), relaxation steps (100000): the era's circuit test. */
    wiresPerPiece: Schema.optional(PositiveInt),
    nodesPerPiece: Schema.optional(PositiveInt),
    pctWireInPiece: Schema.optional(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))),
    steps: Schema.optional(PositiveInt),
  })),
  hpcg: Schema.optional(Schema.Struct({
    /** Local grid per subdomain (nx×ny×nz rows, 27-point stencil; defaults 8, 8, 16) and multigrid levels (default 4): the era's HPCG driver. */
    nx: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
    ny: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
    nz: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
    mgLevels: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 }))),
  })),
  runtime: Schema.optional(Schema.Struct({
    /** How idle workers and waiting threads wait: block (kernel condvar) or spin (poll a word). Default block. */
    idle: Schema.optional(Schema.Literals(IDLE_POLICIES)),
    costs: Schema.optional(RuntimeCostOverrides),
  })),
  /** Overrides of the utility processor's analysis/mapping costs (machine cycles). */
  legion: Schema.optional(Schema.Struct(Object.fromEntries(LEGION_COSTS.map((n) => [n, Schema.optional(NonNegative)])) as Record<(typeof LEGION_COSTS)[number], Schema.optional<typeof NonNegative>>)),
  /** What-if: machine cycles per host TSC cycle for the measured inner loops (default: data/compute-scale.json; at most MAX_COST_SCALE, a whole-run multiplier). */
  compute: Schema.optional(Schema.Struct({ cyclesPerHostTsc: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(MAX_COST_SCALE))) })),
  /** Nautilus: kick IPIs (default: the kernel's default). Linux: noise besides the tick (default true), deep idle states (default: data file). */
  kicks: Schema.optional(Schema.Boolean),
  linuxNoise: Schema.optional(Schema.Boolean),
  deepIdle: Schema.optional(Schema.Boolean),
  /** Multiplies every time quantity by this integer, 1..MAX_COST_SCALE (1000) (metamorphic tests); default 1. */
  costScale: Schema.optional(CostScaleParam),
}).check(Schema.makeFilter((p) => (p.kernels ?? KERNELS).map((k) => kernelMachineProblem(k, p.machine)).find((m) => m !== undefined) ?? true));
export type LegionParams = typeof LegionParams.Type;

/** Whether the run is placed in the Palacios HVM (placement hvm; the default is native). */
export function inHvm(p: Pick<LegionParams, "placement">): boolean {
  return (p.placement ?? "native") === "hvm";
}

/** The cores a run uses on a machine of `cpus` CPUs. */
export function coresOf(p: LegionParams, cpus: number): number {
  return p.cores === "all" ? cpus : p.cores ?? 16;
}

export interface CircuitShape { readonly wiresPerPiece: number; readonly nodesPerPiece: number; readonly pctWireInPiece: number; readonly steps: number }
export interface HpcgShape { readonly nx: number; readonly ny: number; readonly nz: number; readonly mgLevels: number }

/**
 * The era's circuit test (nautilus b512503 src/test/circuit.cc): 32 wires and 16 nodes per piece,
 * 95 % of wires inside their piece, steps = 100000 (the file's STEPS is 10000; the test overrides it).
 */
export function circuitShape(p: LegionParams): CircuitShape {
  return { wiresPerPiece: p.circuit?.wiresPerPiece ?? 32, nodesPerPiece: p.circuit?.nodesPerPiece ?? 16, pctWireInPiece: p.circuit?.pctWireInPiece ?? 95, steps: p.circuit?.steps ?? (p.problem === "small" ? 1000 : 100000) };
}

/** The era's HPCG driver (nautilus b512503 src/test/hpcg/hpcg-main.cc): local 8×8×16 per sub-region, 4 multigrid levels. */
export function hpcgShape(p: LegionParams): HpcgShape {
  const small = p.problem === "small";
  return { nx: p.hpcg?.nx ?? (small ? 4 : 8), ny: p.hpcg?.ny ?? (small ? 4 : 8), nz: p.hpcg?.nz ?? (small ? 8 : 16), mgLevels: p.hpcg?.mgLevels ?? 4 };
}
