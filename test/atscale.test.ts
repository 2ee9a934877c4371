/** The at-scale rank model: analytic collectives, noise mechanisms, determinism, workers/shards. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { Streams } from "../src/engine/index.js";
import { RankNoise, type DetourTrace } from "../src/models/atscale/detours.js";
import { runAtScale } from "../src/models/atscale/plugin.js";
import { NETWORK_DEFAULTS, type AtScaleParams } from "../src/models/atscale/params.js";
import { differingFiles, hrtsim, readCsv, stableManifest, tempDir, writeText } from "./cli-helpers.js";

const { L, o } = NETWORK_DEFAULTS;
const base = (over: Partial<AtScaleParams>): AtScaleParams => ({ ranks: 1024, collective: "dissemination", collectives: 3, workUs: 100, bytes: 1, noise: { kind: "none" }, ...over });

test("no noise, constant work: dissemination costs ⌈log2 P⌉ rounds of o + L + o per iteration", () => {
  for (const ranks of [2, 1000, 1024, 4097]) {
    const r = runAtScale(base({ ranks }), "a");
    const rounds = Math.ceil(Math.log2(ranks));
    assert.is(r.makespanNs, 3 * (100_000 + rounds * (2 * o + L)), `P=${ranks}`);
    assert.is(r.messages, 3 * rounds * ranks);
  }
});

test("no noise: a binomial tree barrier costs 2·log2 P rounds; allreduce adds the per-byte gap G", () => {
  const tree = runAtScale(base({ collective: "tree", collectives: 1, workUs: 0 }), "a");
  assert.is(tree.makespanNs, 2 * 10 * (2 * o + L));
  const bytes = 1001;
  const ar = runAtScale(base({ collective: "allreduce", collectives: 1, workUs: 0, bytes }), "a");
  assert.is(ar.makespanNs, 10 * (2 * o + L + (bytes - 1) * NETWORK_DEFAULTS.G));
});

test("a detour stretches overlapping work by exactly its duration; one during a wait costs nothing", () => {
  const trace: DetourTrace = { starts: Float64Array.of(500), durations: Float64Array.of(100), span: 10_000 };
  const noise = new RankNoise(1, [trace], new Streams(1).get("x"), true);
  const end = noise.finish(0, 0, 10_000);
  assert.is(end, 10_100, "10 µs of work crosses exactly one 100 ns detour");
  // Where the detour lies, from the mechanism (not from finish): the trace is shifted back by an
  // offset, the stream's first uniform × span (co-scheduled: one shared draw), and repeats every span.
  const offset = new Streams(1).get("x").uniform() * trace.span;
  const s = [0, 1].map((n) => 500 + n * trace.span - offset).find((x) => x > 0)!;
  assert.ok(s > 1 && s + 100 < 10_000, `the detour at ${s} lies inside the first 10 µs`);
  const fresh = () => new RankNoise(1, [trace], new Streams(1).get("x"), true);
  assert.is(fresh().finish(0, 0, Math.ceil(s)), Math.ceil(s) + 100, "work reaching the detour is stretched by its duration");
  assert.is(fresh().finish(0, 0, Math.floor(s)), Math.floor(s), "work ending before it is not");
  // Waiting through the detour (it ends by s + 100), then working, costs nothing extra.
  const after = Math.ceil(s + 100);
  assert.is(fresh().finish(0, after, 1), after + 1);
  assert.is(fresh().finish(0, after, 5_000), after + 5_000);
});

test("noise never speeds a run up, and co-scheduled detours cost less at scale than independent ones", () => {
  const noise = { kind: "periodic", hz: 100, netNoise: 0.01 } as const;
  const indep = runAtScale(base({ ranks: 4096, collectives: 10, noise }), "n");
  const cosched = runAtScale(base({ ranks: 4096, collectives: 10, noise, coscheduled: true }), "n");
  assert.ok(indep.makespanNs >= indep.baselineNs && cosched.makespanNs >= cosched.baselineNs);
  assert.ok(cosched.makespanNs < indep.makespanNs, `co-scheduled ${cosched.makespanNs} vs independent ${indep.makespanNs}`);
  assert.ok(Math.abs(indep.netNoise - 0.01) < 1e-12);
});

test("kernel noise profiles come from the kernel models: Nautilus's tick-only noise is lighter than Linux's", () => {
  for (const pool of [{ sampling: "pooled", traces: 4, windowMs: 200 }, {}] as const) {
    const lin = runAtScale(base({ noise: { kind: "kernel", kernel: "linux", machine: "x64", ...pool } }), "k");
    const nk = runAtScale(base({ noise: { kind: "kernel", kernel: "nautilus", machine: "x64", ...pool } }), "k");
    assert.ok(nk.netNoise > 0 && lin.netNoise > nk.netNoise, `net noise linux ${lin.netNoise}, nautilus ${nk.netNoise}`);
    assert.ok(lin.makespanNs > lin.baselineNs && nk.makespanNs > nk.baselineNs, "both slow the run down");
    const again = runAtScale(base({ noise: { kind: "kernel", kernel: "linux", machine: "x64", ...pool } }), "k");
    assert.is(again.makespanNs, lin.makespanNs);
    assert.is(again.fingerprint, lin.fingerprint);
  }
});

const SCENARIO = `name: atscale-small
description: tiny at-scale sweep
model:
  name: atscale
  params: { ranks: 256, collective: dissemination, collectives: 3, workUs: { dist: exponential, mean: 50 }, noise: { kind: periodic, hz: 1000, durationUs: 20 } }
experiment: collectives
sweep:
  ranks: [256, 512]
  collective: [dissemination, tree]
replications: 2
seed: 7
`;

const BSP_SCENARIO = `name: bsp-small
description: tiny BSP and parallel-for sweep
model:
  name: bsp
  params: { machine: x64, kernel: linux, threads: 8, supersteps: 5, work: { dist: exponential, mean: 20000 }, grains: [1000, 100000], repetitions: 1 }
experiment: superstep
sweep:
  experiment: [superstep, parallel-for]
  kernel: [nautilus, linux]
replications: 2
seed: 8
`;

const KERNEL_SCENARIO = `name: atscale-kernel-small
description: tiny at-scale sweep with each node drawing Linux's noise
model:
  name: atscale
  params: { ranks: 256, collective: dissemination, collectives: 3, workUs: 100, noise: { kind: kernel, kernel: linux, machine: x64 } }
experiment: collectives
sweep:
  ranks: [256, 512]
replications: 2
seed: 9
`;

test("identical outputs (at-scale and BSP scenarios) on 1 or 2 workers and on shards 1/2 + 2/2 merged", async () => {
  const dir = await tempDir();
  const files = [
    await writeText(dir, "atscale-small.yaml", SCENARIO), await writeText(dir, "atscale-kernel-small.yaml", KERNEL_SCENARIO),
    await writeText(dir, "bsp-small.yaml", BSP_SCENARIO),
  ];
  const runs = await Promise.all([
    hrtsim(["run", ...files, "--out", join(dir, "w1"), "--workers", "1"]),
    hrtsim(["run", ...files, "--out", join(dir, "w2"), "--workers", "2"]),
    hrtsim(["run", ...files, "--out", join(dir, "s1"), "--shard", "1/2", "--workers", "1"]),
    hrtsim(["run", ...files, "--out", join(dir, "s2"), "--shard", "2/2", "--workers", "1"]),
  ]);
  for (const r of runs) assert.is(r.code, 0, r.stderr);
  const observations = await readCsv(join(dir, "w1", "observations.csv"));
  assert.equal([...new Set(observations.map((o) => o.scenario))].sort(), ["atscale-kernel-small", "atscale-small", "bsp-small"]);
  assert.equal(await readCsv(join(dir, "w1", "failures.csv")), [], "no run failed");
  assert.equal(await differingFiles(join(dir, "w1"), join(dir, "w2")), []);
  const merged = await hrtsim(["merge", join(dir, "s1"), join(dir, "s2"), "--out", join(dir, "merged")]);
  assert.is(merged.code, 0, merged.stderr);
  assert.equal(await differingFiles(join(dir, "w1"), join(dir, "merged")), []);
  assert.equal(await stableManifest(join(dir, "w1")), await stableManifest(join(dir, "merged")));
});

test.run();
