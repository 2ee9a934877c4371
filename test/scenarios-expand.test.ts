/** Sweep expansion: canonical order, order-independent seeds, shards that partition the runs. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deriveSeed } from "../src/engine/index.js";
import { canonicalJson, setParam, withParams } from "../src/scenarios/decode.js";
import { expandRuns, inShard, parseShard, runCount } from "../src/scenarios/expand.js";
import { validateDoc } from "../src/scenarios/load.js";
import { plainSource } from "../src/scenarios/source.js";

/** Parameter objects are prototype-free; compare their content as plain data. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function scenario(sweep: Record<string, unknown[]>, replications = 2) {
  return validateDoc(plainSource("t.yaml", {
    name: "t", description: "d", model: { name: "mmc", params: { arrivalRate: 0.5, serviceRate: 1, servers: 1, customers: 10 } },
    experiment: "queue", sweep, replications, seed: 5,
  }), "hash");
}

test("runs are sweep points row-major in key order, then replication", () => {
  const s = scenario({ servers: [1, 2], arrivalRate: [0.1, 0.2, 0.3] });
  const runs = expandRuns(s);
  assert.is(runs.length, runCount(s));
  assert.is(runs.length, 12);
  assert.equal(runs.map((r) => r.runIndex), [...Array(12).keys()]);
  assert.equal(runs.slice(0, 4).map((r) => [r.point["model.params.servers"], r.point["model.params.arrivalRate"], r.replication]), [
    [1, 0.1, 0], [1, 0.1, 1], [1, 0.2, 0], [1, 0.2, 1],
  ]);
  assert.equal(plain(runs[11]!.params), { arrivalRate: 0.3, serviceRate: 1, servers: 2, customers: 10 });
  assert.equal(s.meta.sweepKeys, ["model.params.servers", "model.params.arrivalRate"]);
});

test("a run's seed depends on its coordinates only, not on key order or position", () => {
  const a = expandRuns(scenario({ servers: [1, 2], arrivalRate: [0.1, 0.2] }));
  const b = expandRuns(scenario({ arrivalRate: [0.2, 0.1], servers: [2, 1] }));
  const key = (r: (typeof a)[number]) => `${r.point["model.params.servers"]}/${r.point["model.params.arrivalRate"]}/${r.replication}`;
  const seedsB = new Map(b.map((r) => [key(r), r.seed]));
  for (const r of a) assert.is(r.seed, seedsB.get(key(r)));
  assert.is(new Set(a.map((r) => r.seed)).size, a.length, "distinct runs get distinct seeds");
  assert.is(a[0]!.seed, deriveSeed("5", canonicalJson(a[0]!.point), 0));
});

test("a swept override the point's model does not read leaves the seed alone; one it reads varies it", () => {
  const s = validateDoc(plainSource("o.yaml", {
    name: "o", description: "d", model: { name: "microbench", params: { machine: "x64", kernel: "linux", trials: 2, remoteCpus: 1 } },
    experiment: "condvar", sweep: { machine: ["x64", "phi"], "x64.atomic": [100, 200] }, replications: 1, seed: 5,
  }), "hash");
  const seeds = new Map(expandRuns(s).map((r) => [`${r.point["model.params.machine"]} ${r.point["parameters.x64.atomic"]}`, r.seed]));
  assert.is.not(seeds.get("x64 100"), seeds.get("x64 200"), "on x64 the override is read: its runs are distinct");
  assert.is(seeds.get("phi 100"), seeds.get("phi 200"), "on the Phi it is not: the runs repeat each other");
  // The seed is the one the point without the unused key would have.
  assert.is(seeds.get("phi 100"), deriveSeed("5", canonicalJson({ "model.params.machine": "phi" }), 0));
});

test("the special key `experiment` varies the experiment, not the parameters", () => {
  const runs = expandRuns(scenario({ experiment: ["queue"] }, 1));
  assert.is(runs[0]!.experiment, "queue");
  assert.equal(runs[0]!.point, { experiment: "queue" });
});

test("shards partition the runs; --shard parses i/n", () => {
  const runs = expandRuns(scenario({ servers: [1, 2, 3] }, 3));
  const count = 4;
  const covered = runs.map((r) => [1, 2, 3, 4].filter((i) => inShard(r.runIndex, { index: i, count })).length);
  assert.ok(covered.every((n) => n === 1));
  assert.equal(parseShard("2/4"), { index: 2, count: 4 });
  for (const bad of ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3"]) assert.is(parseShard(bad), undefined, bad);
});

test("dotted parameter paths set nested values without touching the original", () => {
  const base = { costs: { ipi: 1, irq: 2 }, x: 1 };
  const out = setParam(base, "costs.ipi", 9);
  assert.equal(plain(out), { costs: { ipi: 9, irq: 2 }, x: 1 });
  assert.equal(base.costs.ipi, 1);
  assert.equal(plain(withParams({}, { "a.b.c": 1, d: 2 })), { a: { b: { c: 1 } }, d: 2 });
  assert.is(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
});

test("expansion is lazy and agrees with the counts: shard sizes, sweep order, default limits", async () => {
  const { runSpecs, shardSize } = await import("../src/scenarios/expand.js");
  const { runLimits, wallLimitMs, DEFAULT_MAX_EVENTS, DEFAULT_WALL_SECONDS } = await import("../src/scenarios/limits.js");
  const s = scenario({ servers: [1, 2, 3], arrivalRate: [0.1, 0.2] }, 3);
  const lazy = runSpecs(s);
  assert.is(lazy.next().value?.runIndex, 0, "a generator: runs are produced one at a time");
  for (let count = 1; count <= 7; count++) {
    for (let index = 1; index <= count; index++) {
      const inIt = expandRuns(s).filter((r) => inShard(r.runIndex, { index, count })).length;
      assert.is(shardSize(runCount(s), { index, count }), inIt, `${index}/${count}`);
    }
  }
  assert.equal(runLimits(undefined), { maxEvents: DEFAULT_MAX_EVENTS });
  assert.equal(runLimits({ maxEvents: 5, until: 9 }), { maxEvents: 5, until: 9 });
  assert.is(wallLimitMs({}), DEFAULT_WALL_SECONDS * 1000);
  assert.is(wallLimitMs({ wallSeconds: 1.5 }), 1500);
});

test("parameter objects have no prototype; forbidden path segments never reach one", () => {
  const out = setParam({}, "a.b", 1);
  assert.is(Object.getPrototypeOf(out), null);
  assert.is(Object.getPrototypeOf(out.a), null);
  for (const bad of ["__proto__", "a.__proto__.b", "constructor", "x.prototype"]) {
    assert.throws(() => setParam({}, bad, 1), /is not allowed/, bad);
  }
  assert.is(({} as Record<string, unknown>).b, undefined, "Object.prototype untouched");
});

test.run();
