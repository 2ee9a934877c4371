/**
 * Properties of the at-scale model: the detour replay equals a brute-force reference, and
 * collectives obey order relations that hold for any network parameters.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { Streams } from "../src/engine/index.js";
import { RankNoise, type DetourTrace } from "../src/models/atscale/detours.js";
import { runAtScale } from "../src/models/atscale/plugin.js";
import { fcParams } from "./config.js";

/**
 * Every detour of the replayed trace in [from, to): the trace repeated, shifted by −offset. A
 * start is summed in the order RankNoise sums it (start + rep·span − offset): another order can
 * round one ulp the other way, and work ending exactly at a detour's start then meets it in one
 * and not the other (a random seed found such a tie).
 */
function detoursIn(t: DetourTrace, offset: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let rep = 0; ; rep++) {
    if (rep * t.span - offset > to) return out;
    for (let j = 0; j < t.starts.length; j++) out.push([t.starts[j]! + rep * t.span - offset, t.durations[j]!]);
  }
}

/** Reference: advance through time, skipping detour intervals, until `work` ns of CPU are done. */
function reference(detours: Array<[number, number]>, consumed: Set<number>, t: number, work: number): number {
  for (let i = 0; i < detours.length; i++) {
    const [s, d] = detours[i]!;
    if (consumed.has(i) || s + d <= t) { consumed.add(i); continue; }
    if (t + work <= s) return t + work;
    if (s <= t) { t = s + d; consumed.add(i); continue; }
    work -= s - t;
    t = s + d;
    consumed.add(i);
  }
  return t + work;
}

const traceArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 200 })), { minLength: 1, maxLength: 8 }).map((gaps) => {
  let t = 0;
  const starts: number[] = [], durations: number[] = [];
  for (const [gap, d] of gaps) { starts.push(t + gap); durations.push(d); t += gap + d; }
  return { starts: Float64Array.from(starts), durations: Float64Array.from(durations), span: t + 1 } satisfies DetourTrace;
});

test("RankNoise.finish equals a brute-force walk over the replayed detours, for any call sequence", () => {
  fc.assert(fc.property(traceArb, fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 1000 }), (trace, calls, seed) => {
    const noise = new RankNoise(1, [trace], new Streams(seed).get("p"), true);
    const offset = new Streams(seed).get("p").uniform() * trace.span; // co-scheduled: the first draw
    const ref = detoursIn(trace, offset, 1e6);
    const consumed = new Set<number>();
    let t = 0;
    for (const [wait, work] of calls) {
      t += wait;
      const got = noise.finish(0, t, work);
      const want = reference(ref, consumed, t, work);
      assert.ok(Math.abs(got - want) < 1e-6, `t=${t} work=${work}: ${got} vs ${want}`);
      t = got;
    }
  }), { ...fcParams<[DetourTrace, Array<[number, number]>, number]>(200), examples: [[
    // A random seed's tie: work ending exactly where a detour starts (4098.49… ns), one ulp apart when summed in another order.
    { starts: Float64Array.from([346, 541, 821, 1233, 1662, 1791, 2040, 2229]), durations: Float64Array.from([121, 29, 73, 26, 77, 89, 151, 152]), span: 2382 },
    [[181, 190], [100, 53], [40, 211], [107, 46], [130, 188], [243, 229], [79, 367], [200, 256], [270, 294], [0, 0]], 995,
  ]] });
});

/** RankNoise stepping through every detour a rank waited through, as before the skip: the reference for it. */
class SteppingNoise extends RankNoise {
  protected override skipEndedBy(): void {}
}

test("RankNoise's jump past detours a rank waited through gives the same ends as stepping through them, bit for bit", () => {
  fc.assert(fc.property(traceArb, fc.array(fc.tuple(fc.double({ min: 0, max: 200, noNaN: true }), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (trace, calls, seed, cosched) => {
    const jumping = new RankNoise(3, [trace], new Streams(seed).get("p"), cosched);
    const stepping = new SteppingNoise(3, [trace], new Streams(seed).get("p"), cosched);
    for (let r = 0; r < 3; r++) {
      let t = 0;
      for (const [spans, work] of calls) {
        t += spans * trace.span; // waits of up to 200 spans: most calls jump
        const got = jumping.finish(r, t, work), want = stepping.finish(r, t, work);
        assert.ok(Object.is(got, want), `rank ${r}, t=${t}, work=${work}: ${got} vs ${want}`);
        t = got;
      }
    }
  }), fcParams(300));
});

test("collectives: more ranks never finish sooner, and noise never helps (any network)", () => {
  const net = fc.record({ L: fc.integer({ min: 0, max: 5000 }), o: fc.integer({ min: 1, max: 3000 }), g: fc.integer({ min: 0, max: 3000 }), G: fc.integer({ min: 0, max: 10 }) });
  fc.assert(fc.property(net, fc.constantFrom("dissemination", "tree", "allreduce"), fc.integer({ min: 3, max: 9 }), (network, collective, log2) => {
    const p = (ranks: number, noise: boolean) => runAtScale({
      ranks, collective: collective as "dissemination", collectives: 2, workUs: 5, bytes: 64, network,
      noise: noise ? { kind: "periodic", hz: 20_000, durationUs: 3 } : { kind: "none" },
    }, "prop");
    const small = p(2 ** log2, true), large = p(2 ** (log2 + 1), true);
    assert.ok(large.baselineNs >= small.baselineNs, "noiseless makespan grows with ranks");
    assert.ok(small.makespanNs >= small.baselineNs && large.makespanNs >= large.baselineNs, "noise never speeds up");
  }), fcParams(40));
});

test.run();
