/** Per-node kernel noise (atscale/node-noise.ts): its mechanism, its statistics against the sampled pool, and its parameters' checks. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Streams } from "../src/engine/index.js";
import { PeriodicNoise, PoissonNoise } from "../src/models/hardware/noise.js";
import { kernelNoiseTraces, probeKernelNoise } from "../src/models/atscale/kernel-noise.js";
import { NodeNoise } from "../src/models/atscale/node-noise.js";
import { noiseFraction } from "../src/models/atscale/detours.js";
import { NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

/** Reads each rank's current detour (protected state) to compare nodes. */
class Peek extends NodeNoise {
  current(r: number): [number, number] {
    return [this.nextStart[r]!, this.nextEnd[r]!];
  }
}

test("a periodic source of constant duration: each node's work is stretched by duration/period, at its own phase", () => {
  const tick = new PeriodicNoise("tick", 1000, 0, 1, () => 100, false);
  const noise = new Peek(64, [tick], 1, new Streams(3).get("n"));
  // Each node's first tick lies at its own phase in [0, 1000): 64 draws of 1,000 values, a few may coincide.
  const phases = Array.from({ length: 64 }, (_, r) => noise.current(r)[0]);
  assert.ok(phases.every((p) => p >= 0 && p < 1000), `phases ${phases.join(", ")}`);
  assert.ok(new Set(phases).size > 56, `${new Set(phases).size} distinct phases`);
  for (let r = 0; r < 64; r++) {
    // 900 periods' worth of work at 90% of the CPU: ends within one period of 1000 periods.
    const end = noise.finish(r, 0, 900 * 900);
    assert.ok(Math.abs(end - 900 * 1000) <= 1000, `rank ${r}: ${end}`);
  }
});

test("Poisson sources: each node draws its own arrivals; detours serialise and stretch work exactly", () => {
  const src = new PoissonNoise("daemon", 10_000, new Streams(4).get("gaps-unused"), 1, () => 50, false);
  const noise = new Peek(8, [src], 1, new Streams(4).get("n"));
  const starts = Array.from({ length: 8 }, (_, r) => noise.current(r)[0]);
  assert.is(new Set(starts).size, 8, `first detours ${starts.join(", ")}`);
  for (let r = 0; r < 8; r++) {
    const [s, e] = noise.current(r);
    assert.is(e - s, 50);
    // Work that starts 10 cycles before the detour: 10 before it, the rest after it.
    assert.is(noise.finish(r, s - 10, 30), e + 20);
  }
});

test("Linux x64 drawn per node takes the same CPU share as the sampled pool", () => {
  const probe = probeKernelNoise("linux", "x64", true, "share/nodes");
  const noise = new NodeNoise(64, probe.sources(1), probe.nsPerCycle, new Streams(5).get("n"));
  const work = 2e9; // 2 s of work per rank
  let stolen = 0;
  for (let r = 0; r < 64; r++) stolen += noise.finish(r, 0, work) - work;
  const perNode = stolen / (64 * work + stolen);
  const pool = kernelNoiseTraces({ kernel: "linux", machine: "x64", traces: 16, windowNs: 2e9, background: true }, "share");
  const pooled = pool.reduce((s, t) => s + noiseFraction(t), 0) / pool.length;
  assert.ok(Math.abs(perNode - pooled) / pooled < 0.03, `per node ${perNode}, pool ${pooled}`);
});

test("a source that is neither periodic nor Poisson is refused, naming the way out", () => {
  const odd = { name: "burst", onlyWhenBusy: false, nextArrival: () => 5, duration: () => 1 };
  assert.throws(() => new NodeNoise(2, [odd], 1, new Streams(6).get("n")), /'burst'.*sampling: pooled/);
});

const scenario = (noise: string, extra = "") => `name: atscale-bad
description: bad kernel noise parameters
model:
  name: atscale
  params: { ranks: 256, collective: dissemination, collectives: 2, workUs: 100, noise: ${noise}${extra} }
experiment: collectives
replications: 1
seed: 1
`;

test("validate: pool sizes without sampling: pooled, and coscheduled per-node noise, are errors naming the field", async () => {
  const dir = await tempDir();
  const pool = await writeText(dir, "pool.yaml", scenario("{ kind: kernel, kernel: linux, machine: x64, traces: 4 }"));
  const r1 = await hrtsim(["validate", pool]);
  assert.is(r1.code, 1, r1.stdout);
  assert.match(r1.stderr, /pool\.yaml/);
  assert.match(r1.stderr, /model\.params\.noise/);
  assert.match(r1.stderr, /traces and windowMs only with sampling: pooled/);
  assert.not.match(r1.stderr, NO_STACK_TRACE, "no stack trace");
  const cosched = await writeText(dir, "cosched.yaml", scenario("{ kind: kernel, kernel: linux, machine: x64 }", ", coscheduled: true"));
  const r2 = await hrtsim(["validate", cosched]);
  assert.is(r2.code, 1, r2.stdout);
  assert.match(r2.stderr, /coscheduled .*needs noise\.sampling: pooled/);
  const ok = await writeText(dir, "ok.yaml", scenario("{ kind: kernel, kernel: linux, machine: x64, sampling: pooled, traces: 4 }", ", coscheduled: true"));
  const r3 = await hrtsim(["validate", ok]);
  assert.is(r3.code, 0, r3.stderr);
});

test.run();
