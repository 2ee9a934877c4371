/**
 * What a scenario may ask of the reports: figures to draw and claims to evaluate.
 * Schemas live here (reports own their meaning); the scenario format embeds them.
 */
import { Schema } from "effect";

export const ScalarSchema = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean]);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/**
 * A name that becomes a file or directory name (scenario, figure, claim): no "/" and no "..",
 * and at most 100 characters (file systems allow 255 bytes per name; outputs add suffixes).
 * The pattern is written into `hrtsim schema` too (Effect leaves regexes out of JSON Schema by
 * default; this one means the same in ECMA and JSON Schema regex syntax).
 */
export const NameSchema = Schema.String.check(Schema.isPattern(NAME, { toJsonSchema: () => ({ pattern: NAME.source }) }), Schema.isMaxLength(100));

/** Filter on run coordinates: sweep keys, label names, "replication". A list means "any of" (an empty one would select nothing). */
export const WhereSchema = Schema.Record(
  Schema.String,
  Schema.Union([ScalarSchema, Schema.Array(ScalarSchema).check(Schema.isMinLength(1))]),
);

export const FigureSpecSchema = Schema.Struct({
  /** File stem of the figure: `<name>.svg` and `<name>.vl.json`. */
  name: NameSchema,
  title: Schema.String,
  /** line: mean over replications against `x`, with a 95% CI band; box/cdf/strip: distributions; bar: mean per category. */
  kind: Schema.Literals(["line", "box", "cdf", "strip", "bar"]),
  metric: Schema.String,
  /** Field on the x axis (line, box, strip, bar): a sweep key, a label, or "replication". */
  x: Schema.optional(Schema.String),
  color: Schema.optional(Schema.String),
  column: Schema.optional(Schema.String),
  row: Schema.optional(Schema.String),
  logX: Schema.optional(Schema.Boolean),
  logY: Schema.optional(Schema.Boolean),
  where: Schema.optional(WhereSchema),
  xTitle: Schema.optional(Schema.String),
  yTitle: Schema.optional(Schema.String),
});
export type FigureSpec = typeof FigureSpecSchema.Type;

export const StatisticSchema = Schema.Literals([
  "count", "mean", "median", "min", "max", "sd", "cv", "iqr", "p10", "p90", "p99", "p99-p50",
]);
export type Statistic = typeof StatisticSchema.Type;

/** How a claim compares its value with its threshold (also read back from stored analyses). */
export const ClaimOpSchema = Schema.Literals([">", ">=", "<", "<=", "between"]);
export const ClaimThresholdSchema = Schema.Union([Schema.Finite, Schema.Tuple([Schema.Finite, Schema.Finite])]);

export const ClaimSpecSchema = Schema.Struct({
  id: NameSchema,
  /** The claim in words, as the report shows it. */
  text: Schema.String,
  metric: Schema.String,
  statistic: StatisticSchema,
  /** Restricts the observations considered. */
  where: Schema.optional(WhereSchema),
  /** With both set, the claim's value is stat(numerator) ÷ stat(denominator) (or − with compare: difference). */
  numerator: Schema.optional(WhereSchema),
  denominator: Schema.optional(WhereSchema),
  compare: Schema.optional(Schema.Literals(["ratio", "difference"])),
  /** Evaluate separately for each combination of these fields... */
  groupBy: Schema.optional(Schema.Array(Schema.String)),
  /** ...then: every group must pass (all), one must (any), or compare the largest/smallest value. */
  aggregate: Schema.optional(Schema.Literals(["all", "any", "max", "min"])),
  op: ClaimOpSchema,
  /** A number, or [low, high] with op "between". */
  threshold: ClaimThresholdSchema,
}).check(Schema.makeFilter((spec) => claimShapeProblem(spec) ?? true));
export type ClaimSpec = typeof ClaimSpecSchema.Type;

/**
 * Why a claim can be evaluated on no data at all (its schema's filter, so `validate` reports it;
 * the report checks claims read back from stored results again), or undefined.
 */
export function claimShapeProblem(spec: {
  readonly op: ClaimSpec["op"]; readonly threshold: ClaimSpec["threshold"]; readonly numerator?: unknown; readonly denominator?: unknown;
  readonly compare?: string | undefined; readonly aggregate?: string | undefined; readonly groupBy?: readonly string[] | undefined;
}): string | undefined {
  const t = spec.threshold;
  if (spec.op === "between") {
    if (typeof t === "number") return `op "between" needs a threshold [low, high], got ${t}`;
    if (t[0] > t[1]) return `threshold [${t[0]}, ${t[1]}] has low > high`;
  } else if (typeof t !== "number") {
    return `op "${spec.op}" needs a single number threshold, got [${t.join(", ")}]`;
  }
  if ((spec.numerator === undefined) !== (spec.denominator === undefined)) return "numerator and denominator must be given together";
  if (spec.compare !== undefined && spec.numerator === undefined) return `compare: ${spec.compare} compares a numerator with a denominator: give both`;
  if (spec.aggregate !== undefined && (spec.groupBy ?? []).length === 0) return `aggregate: ${spec.aggregate} combines the groups of groupBy: give groupBy`;
  return undefined;
}

/** A claim's verdict, computed from simulated data only. */
export interface ClaimVerdict {
  readonly scenario: string;
  readonly id: string;
  readonly text: string;
  /** The compared value (for aggregate all/any: the worst/best group's value). */
  readonly value: number;
  readonly op: ClaimSpec["op"];
  readonly threshold: ClaimSpec["threshold"];
  readonly pass: boolean;
  /** Per-group values when groupBy is used: "kernel=linux,core=3" → value. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly value: number; readonly pass: boolean }>;
  /** Why a claim could not be evaluated (no data), if so; then pass is false. */
  readonly problem?: string;
  /** From a sensitivity analysis (`hrtsim sensitivity`): "robust" or "depends on …", with the command that produced it. */
  readonly sensitivity?: string;
}
