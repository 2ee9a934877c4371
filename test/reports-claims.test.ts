import { test } from "uvu";
import * as assert from "uvu/assert";
import { compareOp, evaluateClaim, evaluateClaims, runsFeedingClaims } from "../src/reports/index.js";
import type { ClaimSpec } from "../src/reports/spec.js";
import { demo, lat, run } from "./reports-fixture.js";

// demo(): latency nautilus = 1,2,3 (rep 0) 3,4,5 (rep 1), mean 3; linux = 10× (mean 30).
// Core labels: nautilus core 0 → 1,3,3,5; core 1 → 2,4.
const claim = (over: Partial<ClaimSpec>): ClaimSpec => ({
  id: "c", text: "a claim", metric: "latency", statistic: "mean", op: "<", threshold: 10, ...over,
});
const evalc = (over: Partial<ClaimSpec>) => evaluateClaim(demo(), claim(over));
const naut = { kernel: "nautilus" } as const;

test("compareOp: every op, strictness and inclusive between", () => {
  assert.ok(compareOp(3, ">", 2));
  assert.not.ok(compareOp(3, ">", 3));
  assert.ok(compareOp(3, ">=", 3));
  assert.ok(compareOp(3, "<", 4));
  assert.not.ok(compareOp(3, "<", 3));
  assert.ok(compareOp(3, "<=", 3));
  assert.ok(compareOp(3, "between", [3, 3]));
  assert.ok(compareOp(3, "between", [1, 3]));
  assert.not.ok(compareOp(3, "between", [3.01, 4]));
  assert.not.ok(compareOp(NaN, "<", 1));
});

test("plain statistic with where on a short sweep-key name, each op", () => {
  const cases: Array<[ClaimSpec["op"], ClaimSpec["threshold"], boolean]> = [
    ["<", 3.5, true], [">", 3, false], [">=", 3, true], ["<=", 2.9, false], ["between", [3, 3], true], ["between", [3.01, 4], false],
  ];
  for (const [op, threshold, pass] of cases) {
    const v = evalc({ where: naut, op, threshold });
    assert.is(v.value, 3, `${op}`);
    assert.is(v.pass, pass, `${op} ${JSON.stringify(threshold)}`);
    assert.is(v.problem, undefined);
    assert.equal(v.groups, []);
  }
});

test("where: full sweep key, list values, replication and label fields", () => {
  assert.is(evalc({ where: { "model.params.kernel": "nautilus" } }).value, 3);
  assert.is(evalc({ statistic: "count", where: { kernel: ["nautilus", "linux"] } }).value, 12);
  assert.is(evalc({ where: { ...naut, replication: 1 } }).value, 4);
  assert.is(evalc({ statistic: "max", where: { ...naut, core: 1 } }).value, 4);
  assert.is(evalc({ statistic: "count", where: { cores: "2" } }).value, 12, "4 and '4' compare equal");
});

test("ratio and difference of numerator and denominator", () => {
  const ratio = evalc({ numerator: { kernel: "linux" }, denominator: naut, op: ">=", threshold: 10 });
  assert.is(ratio.value, 10);
  assert.ok(ratio.pass);
  const diff = evalc({ numerator: { kernel: "linux" }, denominator: naut, compare: "difference", op: ">", threshold: 27 });
  assert.is(diff.value, 27);
  assert.not.ok(diff.pass);
  // Denominator subset has one value: its sd is undefined.
  const undef = evalc({ statistic: "sd", where: { replication: 0 }, numerator: { kernel: "linux" }, denominator: { ...naut, core: 1 } });
  assert.not.ok(undef.pass);
  assert.match(undef.problem ?? "", /^denominator \(kernel=nautilus, core=1\): sd needs at least 2/);
  // One value has IQR 0: a ratio over it is undefined, not Infinity.
  const zero = evalc({ statistic: "iqr", where: { replication: 0 }, numerator: { kernel: "linux" }, denominator: { ...naut, core: 1 } });
  assert.not.ok(zero.pass);
  assert.match(zero.problem ?? "", /iqr is 0/);
});

test("groupBy with aggregate all / any / max / min", () => {
  const by = { groupBy: ["kernel"] };
  const all = evalc({ ...by, op: "<", threshold: 10 });
  assert.equal(all.groups, [
    { group: "kernel=nautilus", value: 3, pass: true },
    { group: "kernel=linux", value: 30, pass: false },
  ]);
  assert.not.ok(all.pass);
  assert.is(all.value, 30, "all reports the worst group");
  assert.ok(evalc({ ...by, op: "<", threshold: 31 }).pass);

  const any = evalc({ ...by, aggregate: "any", op: "<", threshold: 10 });
  assert.ok(any.pass);
  assert.is(any.value, 3, "any reports the best group");
  assert.not.ok(evalc({ ...by, aggregate: "any", op: "<", threshold: 2 }).pass);

  const max = evalc({ ...by, aggregate: "max", op: "<", threshold: 40 });
  assert.ok(max.pass);
  assert.is(max.value, 30);
  assert.not.ok(evalc({ ...by, aggregate: "max", op: "<", threshold: 20 }).pass);

  const min = evalc({ ...by, aggregate: "min", op: ">", threshold: 2 });
  assert.ok(min.pass);
  assert.is(min.value, 3);
  assert.not.ok(evalc({ ...by, aggregate: "min", op: ">", threshold: 3 }).pass);

  const between = evalc({ ...by, op: "between", threshold: [2, 35] });
  assert.ok(between.pass);
  assert.is(between.value, 3, "worst = closest to a bound (nautilus is 1 above 2, linux 5 below 35)");
});

test("groupBy over several fields, ratio per group", () => {
  const v = evalc({
    statistic: "max", groupBy: ["cores", "core"], numerator: { kernel: "linux" }, denominator: naut, op: ">=", threshold: 10,
  });
  assert.equal(v.groups.map((g) => [g.group, g.value]), [["cores=2,core=0", 10], ["cores=2,core=1", 10]]);
  assert.ok(v.pass);
});

test("missing data: no matching observations fails with a problem", () => {
  const v = evalc({ where: { kernel: "windows" } });
  assert.not.ok(v.pass);
  assert.ok(Number.isNaN(v.value));
  assert.match(v.problem ?? "", /no observations of metric "latency"/);
  const m = evalc({ metric: "energy" });
  assert.match(m.problem ?? "", /declares no such metric/);
  const failed = evalc({ where: { cores: 4 } });
  assert.match(failed.problem ?? "", /1 run\(s\) failed/);
});

test("missing data in a group: all/max fail, any can still pass", () => {
  // Replication 0, nautilus: core 0 → 1, 3 (sd √2); core 1 → 2 only (sd undefined).
  const base = { statistic: "sd" as const, where: { ...naut, replication: 0 }, groupBy: ["core"], op: ">" as const, threshold: 1 };
  const all = evalc(base);
  assert.not.ok(all.pass);
  assert.match(all.problem ?? "", /group core=1: sd needs at least 2/);
  assert.is(all.value, Math.SQRT2);
  assert.is(all.groups[1]!.pass, false);
  assert.ok(Number.isNaN(all.groups[1]!.value));
  const any = evalc({ ...base, aggregate: "any" });
  assert.ok(any.pass);
  assert.is(any.problem, undefined);
  const max = evalc({ ...base, aggregate: "max" });
  assert.not.ok(max.pass);
  assert.ok(max.problem);
  const anyNone = evalc({ ...base, where: { ...naut, replication: 0, core: 1 }, aggregate: "any" });
  assert.not.ok(anyNone.pass);
  assert.match(anyNone.problem ?? "", /sd needs/);
});

test("invalid specs fail with a problem instead of guessing", () => {
  assert.match(evalc({ where: { nope: 1 } }).problem ?? "", /unknown field\(s\) "nope"/);
  assert.match(evalc({ groupBy: ["nope"] }).problem ?? "", /unknown field/);
  assert.match(evalc({ op: "between", threshold: 3 }).problem ?? "", /between/);
  assert.match(evalc({ op: "<", threshold: [1, 2] }).problem ?? "", /single number/);
  assert.match(evalc({ op: "between", threshold: [2, 1] }).problem ?? "", /low > high/);
  assert.match(evalc({ numerator: naut }).problem ?? "", /together/);
  for (const v of [evalc({ where: { nope: 1 } }), evalc({ numerator: naut })]) assert.not.ok(v.pass);
});

test("evaluateClaims: every declared claim, in order, with scenario and text", () => {
  const result = demo({ claims: [claim({ id: "a", where: naut }), claim({ id: "b", text: "linux slow", where: { kernel: "linux" }, op: ">" })] });
  const vs = evaluateClaims(result);
  assert.equal(vs.map((v) => [v.scenario, v.id, v.pass]), [["demo", "a", true], ["demo", "b", true]]);
  assert.is(vs[1]!.text, "linux slow");
  assert.is(vs[1]!.threshold, 10);
});

test("runsFeedingClaims: the runs with an observation a claim's metric and where select, plus the failed ones", () => {
  const feeding = (claims: ClaimSpec[]) => [...runsFeedingClaims(demo({ claims }))].sort();
  assert.equal(feeding([claim({ where: naut })]), [0, 1, 4]);
  assert.equal(feeding([claim({ where: { kernel: "linux" } })]), [2, 3, 4]);
  assert.equal(feeding([claim({ where: naut }), claim({ id: "d", metric: "throughput", where: { kernel: "linux" } })]), [0, 1, 2, 3, 4]);
  assert.equal(feeding([claim({ metric: "nothing-emits-this" })]), [4]);
});

test("runsFeedingClaims: a ratio claim is fed only by the rows its numerator or denominator selects", () => {
  const base = demo();
  const hvm = run(5, { "model.params.kernel": "hvm", "model.params.cores": 2 }, 0, [lat(7, 0)]);
  const result = { ...base, runs: [...base.runs, hvm], scenario: { ...base.scenario, claims: [claim({ numerator: naut, denominator: { kernel: "linux" }, compare: "ratio" })] } };
  assert.equal([...runsFeedingClaims(result)].sort(), [0, 1, 2, 3, 4]);
  // Without numerator and denominator the same claim reads every row of its metric.
  const plain = { ...result, scenario: { ...result.scenario, claims: [claim({})] } };
  assert.equal([...runsFeedingClaims(plain)].sort(), [0, 1, 2, 3, 4, 5]);
});

test.run();
