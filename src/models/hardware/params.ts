/**
 * Parameter files: every cost is a named entry `{ value, source, unit? }` where value is a
 * number or a distribution spec (engine/distributions) and source cites where it comes from.
 * Files are checked with an Effect Schema at load, then every distribution is built once, so a
 * bad file fails with a message naming the file and the parameter.
 */
import { Schema } from "effect";
import { distribution, type Distribution, type DistributionSpec, type RandomStream } from "../../engine/index.js";

/** Units a parameter may be given in; time units are converted to cycles of the machine's clock. */
/** `flag`: an option that is off (0) or on (1), e.g. a kernel's `config.*` entries. */
export const UNITS = ["cycles", "ns", "us", "ms", "hz", "per-second", "probability", "count", "ratio", "flag"] as const;
export type Unit = (typeof UNITS)[number];
export const TIME_UNITS: ReadonlySet<Unit> = new Set(["cycles", "ns", "us", "ms"]);

/**
 * Largest `costScale` (and other whole-run multipliers such as legion's cyclesPerHostTsc):
 * metamorphic tests need small factors, and 1000 × the longest built-in run (~1e10 cycles)
 * stays far below the engine's largest exact time (2^53), where a huge factor overflowed mid-run.
 */
export const MAX_COST_SCALE = 1000;
/** A model's `costScale` parameter: an integer in [1, MAX_COST_SCALE]. */
export const CostScaleParam = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_COST_SCALE }));

/**
 * The plausible range of a parameter, for sensitivity analysis. For a plain number, `low` and
 * `high` are values in the entry's unit; for a distribution-valued entry they are factors by which
 * the whole distribution is scaled (e.g. 0.5 and 2). `why` says where the range comes from
 * (measurement spread, analog machine, assumption).
 */
export const ParamRangeSchema = Schema.Struct({
  low: Schema.Finite,
  high: Schema.Finite,
  why: Schema.String.check(Schema.isMinLength(8)),
});
export type ParamRange = typeof ParamRangeSchema.Type;

export const ParamEntrySchema = Schema.Struct({
  value: Schema.Union([Schema.Finite, Schema.Record(Schema.String, Schema.Unknown)]),
  source: Schema.String.check(Schema.isMinLength(12)),
  unit: Schema.optional(Schema.Literals(UNITS)),
  range: Schema.optional(ParamRangeSchema),
  /** What the entry is, in a few words (shown by `hrtsim schema --parameters`); the source says where its value comes from. */
  meaning: Schema.optional(Schema.String),
  /** The value must be above 0, not only at least 0 (a factor other costs are derived with): overrides are held to it. */
  positive: Schema.optional(Schema.Literal(true)),
});
export type ParamEntry = typeof ParamEntrySchema.Type;

export const ParameterFileSchema = Schema.Struct({
  /** What the file parameterises, e.g. "nautilus on x64". */
  subject: Schema.String,
  parameters: Schema.Record(Schema.String, ParamEntrySchema),
});
export type ParameterFile = typeof ParameterFileSchema.Type;

/** One parameter in force, as `hrtsim params` lists it (the ModelPlugin `parameters` hook returns these). */
export interface ParameterRow {
  readonly name: string;
  readonly value: string;
  readonly source: string;
}

export class ParameterFileError extends Error {
  override readonly name = "ParameterFileError";
}

interface Entry {
  readonly dist: Distribution;
  readonly spec: DistributionSpec;
  readonly source: string;
  readonly unit: Unit;
  /** Multiplier from the file's unit to cycles (1 for non-time units). */
  readonly toCycles: number;
  /** Whether `unit` is a time unit (`draw` checks it on every draw: looked up once here). */
  readonly isTime: boolean;
  /**
   * A normal with sd > 0 (most costs): its mean, sd and truncation bounds, which `draw` samples
   * inline, with the arithmetic of the Distribution's own sample (a call returning a double
   * boxes it: a quarter of a futex-barrier run's allocation). Otherwise sd is NaN.
   */
  readonly mean: number;
  readonly sd: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * A time parameter of one table, looked up once (CostTable.bind). Its draw is CostTable.draw's
 * arithmetic on fields copied here, so a hot draw reads no table: a constant (no stream used)
 * is its cycles, computed once.
 */
export class BoundCost {
  private readonly mean: number;
  private readonly sd: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly toCycles: number;
  private readonly scale: number;
  /** The cycles of a constant time parameter, else NaN. */
  private readonly constant: number;

  constructor(
    private readonly table: CostTable,
    private readonly entry: Entry,
  ) {
    ({ mean: this.mean, lo: this.lo, hi: this.hi, toCycles: this.toCycles } = entry);
    this.sd = entry.isTime ? entry.sd : NaN; // not a time: drawEntry throws
    this.scale = table.scale;
    this.constant = entry.isTime && typeof entry.spec === "number" ? table.drawEntry(entry, CONSTANT_HAS_NO_STREAM) : NaN;
  }

  /** One draw, in whole cycles × scale (CostTable.draw). */
  draw(rng: RandomStream): number {
    if (this.sd > 0) {
      const { mean, sd, lo, hi } = this;
      let v: number;
      do v = mean + sd * rng.standardNormal();
      while (!(v >= lo && v <= hi));
      const x = Math.round(v * this.toCycles);
      return (x > 0 ? x : 0) * this.scale;
    }
    if (this.constant === this.constant) return this.constant;
    return this.table.drawEntry(this.entry, rng);
  }
}

/** A constant's draw reads no stream: one that throws if it were asked shows it. */
const CONSTANT_HAS_NO_STREAM = new Proxy({} as RandomStream, {
  get: () => {
    throw new Error("a constant parameter drew from a stream");
  },
});

/** Entry's normal fields for `spec` (sd NaN when it is not a normal with sd > 0). */
function normalFields(spec: DistributionSpec): Pick<Entry, "mean" | "sd" | "lo" | "hi"> {
  if (typeof spec === "number" || spec.dist !== "normal" || !(spec.sd > 0)) return { mean: NaN, sd: NaN, lo: NaN, hi: NaN };
  return { mean: spec.mean, sd: spec.sd, lo: spec.min ?? -Infinity, hi: spec.max ?? Infinity };
}

/** Decodes a parameter file (raw JSON) and checks the names `required` are all present. */
export function decodeParameterFile(raw: unknown, label: string): ParameterFile {
  try {
    return Schema.decodeUnknownSync(ParameterFileSchema, { onExcessProperty: "error" })(raw);
  } catch (e) {
    throw new ParameterFileError(`parameter file ${label}: ${(e as Error).message}`);
  }
}

/**
 * Cost parameters in force for one run. `scale` multiplies every time quantity (after rounding
 * to whole cycles), so scaling all costs by an integer k scales every simulated latency by k.
 */
export class CostTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly label: string,
    files: ReadonlyArray<{ readonly file: ParameterFile; readonly label: string }>,
    readonly clockGHz: number,
    readonly scale: number,
  ) {
    if (!Number.isInteger(scale) || scale < 1 || scale > MAX_COST_SCALE) throw new ParameterFileError(`${label}: costScale must be an integer in [1, ${MAX_COST_SCALE}], got ${scale}`);
    for (const { file, label: fileLabel } of files) {
      for (const [name, e] of Object.entries(file.parameters)) {
        const unit: Unit = e.unit ?? "cycles";
        let dist: Distribution;
        try {
          dist = distribution(e.value as DistributionSpec, `parameter "${name}"`);
        } catch (err) {
          throw new ParameterFileError(`parameter file ${fileLabel}: ${(err as Error).message}`);
        }
        const toCycles = unit === "ns" ? clockGHz : unit === "us" ? clockGHz * 1e3 : unit === "ms" ? clockGHz * 1e6 : 1;
        const spec = e.value as DistributionSpec;
        this.entries.set(name, { dist, spec, source: e.source, unit, toCycles, isTime: TIME_UNITS.has(unit), ...normalFields(spec) });
      }
    }
  }

  /** Throws, naming the parameter and the file group, unless every name is defined. */
  requireAll(names: readonly string[]): void {
    const missing = names.filter((n) => !this.entries.has(n));
    if (missing.length > 0) throw new ParameterFileError(`${this.label}: missing parameter(s) ${missing.map((m) => `"${m}"`).join(", ")}`);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (e === undefined) throw new ParameterFileError(`${this.label}: no parameter "${name}"`);
    return e;
  }

  /** One draw of a time parameter, in whole cycles × scale. */
  draw(name: string, rng: RandomStream): number {
    return this.drawEntry(this.entry(name), rng);
  }

  /** The parameter `name` looked up once, with this table: `bound.draw(rng)` is `draw(name, rng)`. */
  bind(name: string): BoundCost {
    return new BoundCost(this, this.entry(name));
  }

  /** @internal `draw` of an entry looked up already (BoundCost). */
  drawEntry(e: Entry, rng: RandomStream): number {
    if (!e.isTime) throw new ParameterFileError(`${this.label}: parameter "${this.nameOf(e)}" is in ${e.unit}, not a time`);
    let v: number;
    if (e.sd > 0) {
      const { mean, sd, lo, hi } = e;
      do v = mean + sd * rng.standardNormal();
      while (!(v >= lo && v <= hi));
    } else v = e.dist.sample(rng);
    const x = Math.round(v * e.toCycles);
    return (x > 0 ? x : 0) * this.scale;
  }

  private nameOf(e: Entry): string {
    for (const [name, x] of this.entries) if (x === e) return name;
    return "?";
  }

  /** Mean of a time parameter in cycles × scale (for analytic use such as idle-loop periods). */
  meanCycles(name: string): number {
    const e = this.entry(name);
    return Math.round(e.dist.mean * e.toCycles) * this.scale;
  }

  /** Mean of a draw of a time parameter in cycles × scale: negative values count as 0, as `draw` clamps them (not rounded). */
  meanDrawCycles(name: string): number {
    const e = this.entry(name);
    return e.dist.excessOver(0) * e.toCycles * this.scale;
  }

  /** A dimensionless setting (rate, count, probability): its constant value, unscaled. */
  setting(name: string): number {
    const e = this.entry(name);
    if (typeof e.spec !== "number") throw new ParameterFileError(`${this.label}: parameter "${name}" must be a plain number`);
    return e.spec;
  }

  /** A distribution-valued setting, e.g. a per-event duration in cycles without the scale. */
  distributionOf(name: string): { dist: Distribution; toCycles: number } {
    const e = this.entry(name);
    return { dist: e.dist, toCycles: e.toCycles };
  }

  rows(prefix = ""): ParameterRow[] {
    return [...this.entries].map(([name, e]) => ({
      name: prefix + name,
      value: `${e.dist.describe}${e.unit === "cycles" ? " cycles" : ` ${e.unit}`}`,
      source: e.source,
    }));
  }
}
