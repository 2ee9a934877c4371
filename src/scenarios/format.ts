/**
 * The scenario file format, as an Effect Schema. `hrtsim schema` prints the JSON Schema
 * generated from these same definitions, so the documentation cannot drift from the parser.
 *
 * A scenario names a model and one of its experiments, the model's parameters, a sweep
 * (cartesian product, keys in file order) and a replication count; every run's seed is
 * derived from `seed` and the run's coordinates. Unknown keys are errors at every level.
 *
 *   name: mm1                       # [A-Za-z0-9_.-]; names output folders
 *   description: M/M/1 waits vs load
 *   tags: [paper]                   # `hrtsim figures` runs built-in scenarios tagged "paper"
 *   model: { name: mmc, params: { serviceRate: 1, servers: 1, customers: 2000 } }
 *   experiment: queue
 *   sweep:                          # key: a model parameter path (dotted: costs.ipi), "experiment",
 *     arrivalRate: [0.2, 0.5, 0.8]  #   or a parameter-file entry <scope>.<name> (x64.apic.accept)
 *   parameters:                     # overrides of parameter-file entries (see src/scenarios/README.md)
 *     x64.apic.accept: { scale: 2 } # a number, a distribution spec, or { scale: f }
 *   machineFile: ./my-machine.yaml  # a user machine profile (hardware/data/x64.json's schema)
 *   replications: 10
 *   seed: 42                        # integer or string
 *   limits: { maxEvents: 10000000 } # per run (defaults: src/scenarios/limits.ts); a run hitting one is recorded as failed
 *   outputs: { figures: [...] }     # FigureSpec (src/reports/spec.ts)
 *   claims: [...]                   # ClaimSpec: checked against the simulated data only
 *   report:                         # optional extra report sections
 *     explain:                      # one step-by-step breakdown per entry (models with `explain`)
 *       - { experiment: queue, params: { arrivalRate: 0.5 }, title: "one customer" }
 */
import { Schema } from "effect";
import { MAX_WALL_SECONDS } from "./limits.js";
import { ClaimSpecSchema, FigureSpecSchema, NameSchema, ScalarSchema } from "../reports/spec.js";

const Name = NameSchema.annotate({
  description: "letters, digits, '_', '.', '-' (used in file names)",
});
const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));
const Params = Schema.Record(Schema.String, Schema.Unknown).annotate({
  description: "the model's parameters, checked by the model's own schema",
});

export const ModelRefSchema = Schema.Struct({
  /** A registered model (`hrtsim list` shows them). */
  name: Schema.String,
  params: Schema.optionalKey(Params),
});

export const LimitsSchema = Schema.Struct({
  /** Maximum events per run. */
  maxEvents: Schema.optionalKey(PositiveInt),
  /** Simulated-time limit per run, in engine ticks. */
  until: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThan(0))),
  /** Wall-clock seconds per run (default 600): a run that takes longer is stopped and recorded as failed. */
  wallSeconds: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(MAX_WALL_SECONDS))),
  /** Runs (sweep points × replications) this scenario may expand to (default 100000); raise it on purpose. */
  maxRuns: Schema.optionalKey(PositiveInt),
});

export const ExplainRequestSchema = Schema.Struct({
  experiment: Schema.String,
  /** Merged over `model.params` (dotted keys allowed). */
  params: Schema.optionalKey(Params),
  title: Schema.optionalKey(Schema.String),
});

/** Dotted path `<scope>.<entry>` → number, distribution spec or `{ scale: f }` (checked against the model's entries). */
export const ParametersSchema = Schema.Record(Schema.String, Schema.Unknown).annotate({
  description: "overrides of parameter-file entries: <scope>.<name> (scope x64, phi, nautilus, linux, hvm or the machine file's name) → a number, a distribution spec { dist: … } or { scale: f }; `hrtsim schema --parameters` lists every entry",
});

/** A machine profile file path (relative to the scenario file), or the profile itself inline (as stored in journals). */
export const MachineFileRefSchema = Schema.Union([Schema.String, Schema.Record(Schema.String, Schema.Unknown)]).annotate({
  description: "a machine profile file (YAML or JSON, the schema of src/models/hardware/data/x64.json plus optional kernels.<kernel> entries), relative to the scenario file",
});

/** Factors by which a swept parameter-file entry is scaled: `x64.apic.accept: { scale: [1, 2, 4] }`. */
export const ScaleSweepSchema = Schema.Struct({
  scale: Schema.Array(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))).check(Schema.isMinLength(1, { message: "a list of scale factors ≥ 0 (must not be empty)" })),
});

export const SweepSchema = Schema.Record(
  Schema.String,
  Schema.Union([
    Schema.Array(ScalarSchema).check(Schema.isMinLength(1, { message: "a list of values (must not be empty)" })),
    ScaleSweepSchema,
  ]),
);

export const ScenarioSchema = Schema.Struct({
  name: Name,
  description: Schema.String,
  tags: Schema.optionalKey(Schema.Array(Schema.String)),
  model: ModelRefSchema,
  experiment: Schema.String,
  /** Parameter path (or "experiment") → non-empty list of values; product in key order. */
  sweep: Schema.optionalKey(SweepSchema),
  /** Overrides of parameter-file entries (not swept). */
  parameters: Schema.optionalKey(ParametersSchema),
  /** A user machine profile used instead of the built-in one. */
  machineFile: Schema.optionalKey(MachineFileRefSchema),
  replications: PositiveInt,
  seed: Schema.Union([Schema.Int, Schema.String.check(Schema.isMinLength(1))]),
  limits: Schema.optionalKey(LimitsSchema),
  outputs: Schema.optionalKey(Schema.Struct({ figures: Schema.optionalKey(Schema.Array(FigureSpecSchema)) })),
  claims: Schema.optionalKey(Schema.Array(ClaimSpecSchema)),
  report: Schema.optionalKey(Schema.Struct({ explain: Schema.optionalKey(Schema.Array(ExplainRequestSchema)) })),
});
export type ScenarioDoc = typeof ScenarioSchema.Type;

/** The special sweep key that varies the experiment instead of a parameter. */
export const EXPERIMENT_KEY = "experiment";

/** One swept dimension: the key as written and the column it becomes in the results. */
export interface SweepAxis {
  readonly key: string;
  /** "experiment", "model.params.<key>" or, for a parameter-file entry, "parameters.<path>" (the RunRecord.point key and CSV column). */
  readonly column: string;
  readonly values: ReadonlyArray<string | number | boolean>;
  /** True when the key names a parameter-file entry (an override), not a model parameter. */
  readonly override?: boolean;
  /** True for `{ scale: [...] }`: the values are factors applied to the entry's file value. */
  readonly scaled?: boolean;
}
