/** Loading: positions for YAML and JSON, problems collected at once, references checked, meta built. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateDoc, type LoadedScenario } from "../src/scenarios/load.js";
import { InputError, closest, type Problem } from "../src/scenarios/problems.js";
import { parseSource } from "../src/scenarios/source.js";

function load(text: string, file = "s.yaml"): LoadedScenario | Problem[] {
  const parsed = parseSource(file, text);
  if (!parsed.ok) return parsed.problems;
  try {
    return validateDoc(parsed.doc, "hash");
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
}

const BASE = `name: s
description: d
model:
  name: mmc
  params: { serviceRate: 1, servers: 1, customers: 50 }
experiment: queue
sweep:
  arrivalRate: [0.1, 0.2]
replications: 1
seed: 3
`;

test("a valid scenario loads with its meta", () => {
  const s = load(BASE);
  assert.ok(!Array.isArray(s));
  const meta = (s as LoadedScenario).meta;
  assert.is(meta.seed, "3");
  assert.equal(meta.sweepKeys, ["model.params.arrivalRate"]);
  assert.equal(meta.metrics.map((m) => m.name), ["wait", "response", "utilisation"]);
});

test("every problem is reported with its line, in one pass", () => {
  const problems = load(BASE.replace("arrivalRate: [0.1, 0.2]", "arrivalRate: [0.1, 0.1, -2]").replace("experiment: queue", "experiment: queueing")) as Problem[];
  const byPath = new Map(problems.map((p) => [p.path, p]));
  assert.is(byPath.get("experiment")?.line, 6);
  assert.match(byPath.get("experiment")!.hint!, /did you mean "queue"/);
  assert.is(byPath.get("sweep.arrivalRate[1]")?.message, "duplicate sweep value");
  assert.is(byPath.get("sweep.arrivalRate[2]")?.line, 8);
  assert.is(byPath.get("sweep.arrivalRate[2]")?.expected, "a value greater than 0");
});

test("format problems and model problems come in the same pass, sorted by line", () => {
  const p = load(BASE.replace("replications: 1", "replications: 0").replace("servers: 1", "servres: 1")) as Problem[];
  assert.equal(p.map((x) => x.path), ["model.params.servers", "model.params.servres", "replications"]);
  assert.equal(p.map((x) => x.line), [5, 5, 9]);
});

test("JSON gets lines too; syntax errors and duplicate keys are located", () => {
  const json = '{\n  "name": "s",\n  "description": "d",\n  "model": {"name": "mmc", "params": {"serviceRate": 1, "servers": 1, "customers": 5, "arrivalRate": 0.5}},\n  "experiment": "queue",\n  "replications": 1,\n  "seed": 1,\n  "limits": {"maxEvnts": 5}\n}';
  const p = load(json, "s.json") as Problem[];
  assert.is(p.length, 1);
  assert.is(p[0]!.line, 8);
  assert.is(p[0]!.path, "limits.maxEvnts");
  assert.match(p[0]!.hint!, /did you mean "maxEvents"/);
  const dup = load(BASE + "seed: 4\n") as Problem[];
  assert.is(dup[0]!.line, 11);
  assert.match(dup[0]!.message, /not valid YAML\/JSON/);
  const scalar = load("just text") as Problem[];
  assert.is(scalar[0]!.message, "invalid value");
});

test("dotted sweep keys must name real parameters", () => {
  const p = load(BASE.replace("arrivalRate: [0.1, 0.2]", "arrivalRate: [0.1]\n  costs.ipi: [1, 2]")) as Problem[];
  assert.ok(p.some((x) => x.path.startsWith("sweep.costs.ipi") || x.path.startsWith("model.params.costs")), JSON.stringify(p));
});

test("did-you-mean allows one typo per ~3 letters, transpositions included", () => {
  assert.is(closest("replicatons", ["replications", "seed"]), "replications");
  assert.is(closest("wiat", ["wait", "response"]), "wait");
  assert.is(closest("zzz", ["wait", "response"]), undefined);
});

test.run();
