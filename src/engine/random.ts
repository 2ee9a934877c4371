/**
 * Named, independent random streams (ns-3 style). Each stream's generator state is a hash of
 * (master seed, stream name), so streams do not depend on creation order and adding one never
 * shifts another. The generator is pure-rand's xoroshiro128+.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { fmix } from "./fingerprint.js";
import { SimulationInputError } from "./errors.js";

type Generator = ReturnType<typeof xoroshiro128plusFromState>;

/** Normals made per batch (whole polar pairs). */
const BATCH = 64;
/** Normals a stream draws in a row, with no other kind of draw between, before it batches them. */
const STREAK = 32;

export class RandomStream {
  private spare = NaN;
  /**
   * Batched normals (a hot path: most streams draw only normals; one call at a time cost ~30%
   * more per normal in a futex-barrier run's profile, and boxed each value returned): a stream that has drawn STREAK normals in a
   * row makes the next BATCH at once, exactly as one call at a time would (same pairs, same
   * order). Any other draw first rewinds the generator to where one-at-a-time drawing would
   * have left it (and keeps the pending second value of a pair as `spare`), so the values every
   * call returns never depend on the batching.
   */
  private streak = 0;
  private batch: Float64Array | null = null;
  private pos = 0;
  private filled = 0;
  /** The generator's state when the batch began, and the raw draws it had made by the end of each pair. */
  private batchStart: readonly number[] = [];
  private rawAfterPair: Int32Array | null = null;

  constructor(
    readonly name: string,
    private rng: Generator,
  ) {}

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    if (this.pos < this.filled) this.rewind();
    this.streak = 0;
    return uniformFloat64(this.rng);
  }

  /** Uniform in (0, 1]: safe under log(). */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  /** Uniform integer in [min, max]. */
  integer(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new SimulationInputError(`stream '${this.name}': integer(${min}, ${max}) needs integers with min ≤ max`);
    }
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  /** Standard normal (Marsaglia polar method; the second value is kept for the next call). */
  standardNormal(): number {
    if (this.pos < this.filled) return this.batch![this.pos++]!;
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    if (++this.streak >= STREAK) {
      this.fill();
      return this.batch![this.pos++]!;
    }
    const rng = this.rng;
    for (;;) {
      const u = 2 * uniformFloat64(rng) - 1;
      const v = 2 * uniformFloat64(rng) - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** The next BATCH normals, pair by pair, as standardNormal would draw them (called at a pair boundary). */
  private fill(): void {
    const rng = this.rng;
    const batch = (this.batch ??= new Float64Array(BATCH));
    const rawAfter = (this.rawAfterPair ??= new Int32Array(BATCH / 2));
    this.batchStart = rng.getState();
    let raw = 0;
    for (let k = 0; k < BATCH; ) {
      const u = 2 * uniformFloat64(rng) - 1;
      const v = 2 * uniformFloat64(rng) - 1;
      raw += 4; // two uniforms of two 32-bit draws each
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        rawAfter[k >> 1] = raw;
        batch[k++] = u * f;
        batch[k++] = v * f;
      }
    }
    this.pos = 0;
    this.filled = BATCH;
  }

  /** Back to one-at-a-time drawing where the batch's consumer stands: the generator after the pairs begun, a begun pair's second value as spare. */
  private rewind(): void {
    const pairs = (this.pos + 1) >> 1;
    const rng = xoroshiro128plusFromState(this.batchStart as number[]);
    for (let k = pairs === 0 ? 0 : this.rawAfterPair![pairs - 1]!; k > 0; k--) rng.next();
    this.rng = rng;
    this.spare = (this.pos & 1) === 1 ? this.batch![this.pos]! : NaN;
    this.pos = this.filled = 0;
  }
}

export class Streams {
  private readonly byName = new Map<string, RandomStream>();
  readonly seed: string;

  constructor(seed: number | string) {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
      throw new SimulationInputError(`seed must be a safe integer or a string, got ${seed}`);
    }
    this.seed = String(seed);
  }

  /** The stream called `name`, created on first use. */
  get(name: string): RandomStream {
    let s = this.byName.get(name);
    if (s === undefined) {
      s = new RandomStream(name, xoroshiro128plusFromState(streamState(this.seed, name)));
      this.byName.set(name, s);
    }
    return s;
  }
}

/** 128 bits of state from (seed, name): four murmur-mixed lanes over the UTF-16 code units. */
export function streamState(seed: string, name: string): number[] {
  const text = `${seed}\u0000${name}`;
  const lanes: number[] = [0x243f6a88, 0x85a308d3 | 0, 0x13198a2e, 0x03707344];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l]! ^ c, 0x01000193) + l * 0x9e3779b9;
  }
  const out: number[] = lanes.map((h, l) => fmix(h ^ Math.imul(text.length + l, 0x27d4eb2f)));
  if (!out.some((x) => x !== 0)) out[0] = 1; // xoroshiro must not start from all zeros
  return out;
}

/** A 53-bit seed (a safe integer, as a decimal string) from a base seed and coordinates (used to derive per-run seeds). */
export function deriveSeed(base: number | string, ...coordinates: ReadonlyArray<string | number>): string {
  const s = streamState(String(base), coordinates.map(String).join("\u0001"));
  // Two lanes → a 53-bit safe integer, printed in decimal.
  return String((s[0]! >>> 0) * 2 ** 21 + ((s[1]! >>> 0) >>> 11));
}
