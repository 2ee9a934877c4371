/**
 * A stream's values do not depend on how it makes them: RandomStream batches normals once a
 * stream draws many in a row, and rewinds when another kind of draw comes. For random call
 * sequences (long runs of normals, so batches begin, broken by uniform, integer and
 * uniform-positive draws at any point, odd or even within a pair), every value must equal, with
 * Object.is, the value of a one-call-at-a-time reference written here: pure-rand's
 * xoroshiro128+ and uniformFloat64, and the Marsaglia polar method keeping its second value.
 */
import fc from "fast-check";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RandomStream, streamState } from "../src/engine/random.js";
import { fcParams } from "./config.js";

class Reference {
  private spare: number | null = null;
  private readonly rng;
  constructor(state: number[]) {
    this.rng = xoroshiro128plusFromState(state);
  }
  uniform(): number {
    return uniformFloat64(this.rng);
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }
}

type Call = { kind: "normal"; times: number } | { kind: "uniform" | "positive" } | { kind: "integer"; max: number };
const callArb: fc.Arbitrary<Call> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 200 }).map((times) => ({ kind: "normal" as const, times })) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: "uniform" as const }, { kind: "positive" as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1000 }).map((max) => ({ kind: "integer" as const, max })) },
);

function draw(c: Call, stream: RandomStream, ref: Reference): [number, number] {
  switch (c.kind) {
    case "normal": return [stream.standardNormal(), ref.normal()];
    case "uniform": return [stream.uniform(), ref.uniform()];
    case "positive": return [stream.uniformPositive(), 1 - ref.uniform()];
    case "integer": return [stream.integer(0, c.max), Math.floor(ref.uniform() * (c.max + 1))];
  }
}

test("batched normals and rewinds give exactly the one-at-a-time values", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 8 }), fc.array(callArb, { minLength: 1, maxLength: 60 }), (name, calls) => {
      const state = streamState("property", name);
      const stream = new RandomStream(name, xoroshiro128plusFromState(state));
      const ref = new Reference(state);
      let drawn = 0;
      for (const c of calls) {
        const n = c.kind === "normal" ? c.times : 1;
        for (let i = 0; i < n; i++, drawn++) {
          const [got, want] = draw(c, stream, ref);
          if (!Object.is(got, want)) throw new Error(`draw ${drawn} (${c.kind}): ${got}, one at a time ${want}`);
        }
      }
    }),
    fcParams(300),
  );
});

test("a stream that only draws normals batches them and still matches", () => {
  // The case batching is for (a CPU's cost draws): 10^5 normals, with one uniform at the end.
  const state = streamState("property", "cpu0");
  const stream = new RandomStream("cpu0", xoroshiro128plusFromState(state));
  const ref = new Reference(state);
  for (let i = 0; i < 100_000; i++) assert.ok(Object.is(stream.standardNormal(), ref.normal()), `normal ${i}`);
  assert.ok(Object.is(stream.uniform(), ref.uniform()), "uniform after the normals");
});

test.run();
