/**
 * The hvm plug-in's parameters (scenario `model.params`), decoded with an Effect Schema that
 * rejects unknown keys, and resolved to a complete set with the defaults stated here.
 */
import { Schema } from "effect";
import { CostScaleParam } from "../hardware/params.js";
import { cpuCount, distanceClass, machineProfile } from "../hardware/profile.js";
import { PAGE_SIZES, type PageSize } from "./boot.js";
import type { ParameterOverrides } from "../hardware/overrides.js";
import type { IdleMode } from "./vmm.js";

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

/** Placements of the first HRT core relative to ROS CPU 0, as the x64 topology's distance classes. */
export const PLACEMENTS = ["sameModule", "sameDie", "sameSocket", "oneHop", "twoHops"] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The first CPU ≥ rosCores at distance `placement` from CPU 0 on the x64 topology, or -1 if none. */
function findPlacementCpu(placement: Placement, rosCores: number): number {
  const profile = machineProfile("x64");
  for (let cpu = rosCores; cpu < cpuCount(profile.topology); cpu++) {
    if (distanceClass(profile.topology, 0, cpu).cls === placement) return cpu;
  }
  return -1;
}

/** The first CPU ≥ rosCores at distance `placement` from CPU 0 on the x64 topology. */
export function placementCpu(placement: Placement, rosCores: number): number {
  const cpu = findPlacementCpu(placement, rosCores);
  if (cpu < 0) throw new RangeError(`hvm: no CPU at distance ${placement} from CPU 0 above the ${rosCores} ROS cores`);
  return cpu;
}

const DEFAULT_ROS_CORES = 1;
/**
 * Largest identity map, GB: the reach of one PML4 (512 entries × 512 GB = 256 TiB, the 48-bit
 * address space of 4-level paging), the one top-level page boot.ts's pageTableShape counts.
 */
export const MAX_MAPPED_GB = 512 * 512;

/** Why these params cannot place the HRT (the schema's filter message), or undefined. */
function placementProblem(p: { readonly placement?: Placement | undefined; readonly hrtFirstPcpu?: number | undefined; readonly rosCores?: number | undefined }): string | undefined {
  if (p.placement === undefined) return undefined;
  if (p.hrtFirstPcpu !== undefined) return "either placement or hrtFirstPcpu, not both";
  const rosCores = p.rosCores ?? DEFAULT_ROS_CORES;
  return findPlacementCpu(p.placement, rosCores) < 0 ? `a placement with a CPU at distance ${p.placement} from CPU 0 above the ${rosCores} ROS cores on x64` : undefined;
}

export const HvmParams = Schema.Struct({
  /** Only the x64 profile: the HVM needs AMD SVM (the Phi is not a Palacios host here). */
  machine: Schema.optional(Schema.Literal("x64")),
  /** ROS vcores (pinned to CPUs 0..rosCores-1). Default 1. */
  rosCores: Schema.optional(PositiveInt),
  /** HRT vcores. Default 1. */
  hrtCores: Schema.optional(PositiveInt),
  /** Physical CPU of the first HRT vcore (the rest follow). Default rosCores (next CPU, same module). */
  hrtFirstPcpu: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /**
   * Where the first HRT core sits relative to ROS CPU 0, by the machine's topology (instead of
   * hrtFirstPcpu): the first free CPU at that distance. The sync channel's line moves between them.
   */
  placement: Schema.optional(Schema.Literals(PLACEMENTS)),
  /** HRT idle loop: poll (exits at once on a host IPI) or halt (host thread in a timed yield). Default poll. */
  hrtIdle: Schema.optional(Schema.Literals(["poll", "halt"])),
  /**
   * HRT boot: GB identity-mapped by the VMM (at least 4 GB are mapped; at most MAX_MAPPED_GB) and
   * the page size. Defaults 8, 2MB.
   */
  mappedGB: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(MAX_MAPPED_GB))),
  pageSize: Schema.optional(Schema.Literals(Object.keys(PAGE_SIZES) as PageSize[])),
  /** Trials per operation and operations per trial (loops report total ÷ n). Defaults 20 and 100. */
  trials: Schema.optional(PositiveInt),
  loop: Schema.optional(PositiveInt),
  /** Multiplies every cost (integer 1..MAX_COST_SCALE = 1000): every latency scales by it (metamorphic tests). */
  costScale: Schema.optional(CostScaleParam),
  /** What-if overrides of HVM data-file parameters: name → number or distribution spec. */
  costs: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
}).check(Schema.makeFilter((p) => placementProblem(p) ?? true));
export type HvmParams = typeof HvmParams.Type;

export interface ResolvedParams {
  readonly rosCores: number;
  readonly hrtCores: number;
  readonly hrtFirstPcpu: number;
  readonly hrtIdle: IdleMode;
  readonly mappedGB: number;
  readonly pageSize: PageSize;
  readonly trials: number;
  readonly loop: number;
  readonly costScale: number;
  readonly costs: Readonly<Record<string, unknown>> | undefined;
  /** User overrides by dotted path (x64.*, nautilus.*, linux.*, hvm.*), carried by every Machine built. */
  readonly overrides: ParameterOverrides;
}

export function resolveParams(p: HvmParams, overrides: ParameterOverrides = {}): ResolvedParams {
  const rosCores = p.rosCores ?? DEFAULT_ROS_CORES;
  // The schema's check, for callers that skip it.
  const placement = placementProblem(p);
  if (placement !== undefined) throw new RangeError(`hvm: expected ${placement}`);
  return {
    rosCores,
    hrtCores: p.hrtCores ?? 1,
    hrtFirstPcpu: p.placement !== undefined ? placementCpu(p.placement, rosCores) : p.hrtFirstPcpu ?? rosCores,
    hrtIdle: p.hrtIdle ?? "poll",
    mappedGB: p.mappedGB ?? 8, // experiment-design defaults (trials, loop, mapping), not costs
    pageSize: p.pageSize ?? "2MB",
    trials: p.trials ?? 20,
    loop: p.loop ?? 100,
    costScale: p.costScale ?? 1,
    costs: p.costs,
    overrides,
  };
}
