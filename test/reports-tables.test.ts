import { test } from "uvu";
import * as assert from "uvu/assert";
import { claimsCsv, failuresCsv, observationsCsv, summaryCsv } from "../src/reports/index.js";
import { formatNumber } from "../src/reports/common.js";
import type { ScenarioResult } from "../src/reports/results.js";
import type { ClaimVerdict } from "../src/reports/spec.js";
import { demo, lat, meta, run } from "./reports-fixture.js";

const lines = (csv: string) => csv.trimEnd().split("\n");
const table = (csv: string) => {
  const [head, ...rows] = lines(csv).map((l) => l.split(","));
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
};

test("formatNumber: integers in full, others shortest round-trip, -0 as 0", () => {
  assert.is(formatNumber(3), "3");
  assert.is(formatNumber(1e21), "1000000000000000000000");
  assert.is(formatNumber(-0), "0");
  assert.is(formatNumber(0.1 + 0.2), "0.30000000000000004");
  assert.is(formatNumber(2.5e-7), "2.5e-7");
  assert.is(formatNumber(NaN), "NaN");
});

test("observationsCsv: columns, one row per observation, failed runs omitted", () => {
  const csv = observationsCsv([demo()]);
  const [header, ...rows] = lines(csv);
  assert.is(header, "scenario,model.params.kernel,model.params.cores,replication,seed,core,metric,value");
  assert.is(rows.length, 16);
  assert.is(rows[0], "demo,nautilus,2,0,1000,0,latency,1");
  assert.is(rows[3], "demo,nautilus,2,0,1000,,throughput,100");
  assert.is(rows[15], "demo,linux,2,1,1003,,throughput,70");
  assert.not.ok(csv.includes("deadlock"));
  assert.ok(csv.endsWith("\n"));
});

test("observationsCsv: union of sweep keys and labels across scenarios, first-seen order", () => {
  const other: ScenarioResult = {
    scenario: meta({
      name: "other",
      sweepKeys: ["model.params.hvm"],
      metrics: [{ name: "exits", unit: "count", description: "", labels: ["vcpu"] }],
    }),
    runs: [run(0, { "model.params.hvm": true }, 0, [{ metric: "exits", value: 0.25, labels: { vcpu: "v0" } }])],
  };
  const [header, ...rows] = lines(observationsCsv([demo(), other]));
  assert.is(
    header,
    "scenario,model.params.kernel,model.params.cores,model.params.hvm,replication,seed,core,vcpu,metric,value",
  );
  assert.is(rows[rows.length - 1], "other,,,true,0,1000,,v0,exits,0.25");
});

test("observationsCsv: strings needing quotes are quoted", () => {
  const r: ScenarioResult = {
    scenario: meta({ sweepKeys: ["k"] }),
    runs: [run(0, { k: 'a,"b"' }, 0, [lat(1, 0)])],
  };
  assert.ok(observationsCsv([r]).includes('"a,""b"""'));
});

test("summaryCsv: per cell statistics and a CI across replication means", () => {
  const rows = table(summaryCsv([demo()]));
  const header = lines(summaryCsv([demo()]))[0]!;
  assert.is(
    header,
    "scenario,model.params.kernel,model.params.cores,core,metric,unit,count,mean,sd,min,p50,p90,p99,max,replications,rep_mean,ci95_lo,ci95_hi",
  );
  // Cells in first-seen order: nautilus latency core 0, core 1, throughput; then linux.
  assert.equal(rows.map((r) => `${r["model.params.kernel"]}/${r.metric}/${r.core}`), [
    "nautilus/latency/0", "nautilus/latency/1", "nautilus/throughput/",
    "linux/latency/0", "linux/latency/1", "linux/throughput/",
  ]);
  const c = rows[0]!; // values 1,3 (rep 0) and 3,5 (rep 1)
  assert.is(c.count, "4");
  assert.is(c.mean, "3");
  assert.ok(Math.abs(Number(c.sd) - Math.sqrt(8 / 3)) < 1e-12);
  assert.is(c.min, "1");
  assert.is(c.p50, "3");
  assert.ok(Math.abs(Number(c.p90) - 4.4) < 1e-12);
  assert.ok(Math.abs(Number(c.p99) - 4.94) < 1e-12);
  assert.is(c.max, "5");
  assert.is(c.unit, "cycles");
  // Replication means 2 and 4: mean 3, sd √2, n 2 → half-width t(0.975, 1)·√2/√2 = 12.7062.
  assert.is(c.replications, "2");
  assert.is(c.rep_mean, "3");
  assert.ok(Math.abs(Number(c.ci95_lo) - (3 - 12.706204736)) < 1e-6, c.ci95_lo);
  assert.ok(Math.abs(Number(c.ci95_hi) - (3 + 12.706204736)) < 1e-6, c.ci95_hi);
  const t = rows[2]!; // throughput 100, 120: one value per replication
  assert.is(t.count, "2");
  assert.is(t.mean, "110");
});

test("summaryCsv: a single replication leaves CI (and sd of one value) empty", () => {
  const r: ScenarioResult = { scenario: meta(), runs: [run(0, { "model.params.kernel": "x", "model.params.cores": 1 }, 0, [lat(7, 0)])] };
  const row = table(summaryCsv([r]))[0]!;
  assert.is(row.count, "1");
  assert.is(row.sd, "");
  assert.is(row.replications, "1");
  assert.is(row.rep_mean, "7");
  assert.is(row.ci95_lo, "");
  assert.is(row.ci95_hi, "");
});

test("CSVs are deterministic and never carry wall-clock time", () => {
  const a = [demo()];
  assert.is(observationsCsv(a), observationsCsv([demo()]));
  assert.is(summaryCsv(a), summaryCsv([demo()]));
  for (const csv of [observationsCsv(a), summaryCsv(a), failuresCsv(a)]) {
    assert.not.ok(/wall/i.test(csv));
    assert.not.ok(csv.includes("3.5"));
  }
});

test("failuresCsv: failed runs with their diagnosis", () => {
  const rows = lines(failuresCsv([demo()]));
  assert.is(rows[0], "scenario,runIndex,model.params.kernel,model.params.cores,replication,seed,error");
  assert.is(rows.length, 2);
  assert.is(rows[1], "demo,4,linux,4,0,1004,deadlock: all 4 threads blocked on <mutex>");
  const none: ScenarioResult = { scenario: meta(), runs: [] };
  assert.is(lines(failuresCsv([none])).length, 1);
});

test("claimsCsv: a row per verdict, then its groups", () => {
  const v: ClaimVerdict = {
    scenario: "demo", id: "c1", text: "fast", value: 30, op: "<", threshold: 10, pass: false,
    groups: [{ group: "kernel=nautilus", value: 3, pass: true }, { group: "kernel=linux", value: 30, pass: false }],
  };
  const w: ClaimVerdict = {
    scenario: "demo", id: "c2", text: "in range", value: NaN, op: "between", threshold: [1, 2.5], pass: false,
    groups: [], problem: "no observations",
  };
  const rows = lines(claimsCsv([v, w]));
  assert.is(rows[0], "scenario,id,group,value,op,threshold,pass,problem,text,sensitivity");
  assert.is(rows[1], "demo,c1,,30,<,10,false,,fast,");
  assert.is(rows[2], "demo,c1,kernel=nautilus,3,<,10,true,,fast,");
  assert.is(rows[3], "demo,c1,kernel=linux,30,<,10,false,,fast,");
  assert.is(rows[4], 'demo,c2,,,between,"[1,2.5]",false,no observations,in range,');
  assert.is(lines(claimsCsv([{ ...w, sensitivity: "robust" }]))[1], 'demo,c2,,,between,"[1,2.5]",false,no observations,in range,robust');
});

test.run();
