/**
 * The validator never crashes: random documents, random text and mutated valid scenarios are
 * each either a valid scenario or a clean InputError whose problems all read well.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { expandRuns, runCount } from "../src/scenarios/expand.js";
import { validateDoc } from "../src/scenarios/load.js";
import { InputError, formatProblem } from "../src/scenarios/problems.js";
import { parseSource } from "../src/scenarios/source.js";
import { fcParams } from "./config.js";

const VALID = {
  name: "p",
  description: "property",
  tags: ["paper"],
  model: { name: "mmc", params: { serviceRate: 1, servers: 1, customers: 20 } },
  experiment: "queue",
  sweep: { arrivalRate: [0.2, 0.5], servers: [1, 2] },
  replications: 2,
  seed: 9,
  limits: { maxEvents: 1000 },
  outputs: { figures: [{ name: "f", title: "t", kind: "line", metric: "wait", x: "arrivalRate" }] },
  claims: [{ id: "c", text: "t", metric: "wait", statistic: "mean", op: ">", threshold: 0 }],
  report: { explain: [] as unknown[] },
};

/** Valid, or an InputError whose every problem formats to text naming the file; anything else fails. */
function check(text: string, file: string): "valid" | "invalid" {
  const parsed = parseSource(file, text);
  if (!parsed.ok) {
    assert.ok(parsed.problems.length > 0);
    return "invalid";
  }
  try {
    const s = validateDoc(parsed.doc, "hash");
    if (runCount(s) <= 200) assert.is(expandRuns(s).length, runCount(s));
    return "valid";
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    assert.ok(e.problems.length > 0, "an InputError names at least one problem");
    for (const p of e.problems) {
      const text = formatProblem(p);
      assert.ok(text.startsWith(`error: ${file}`), text);
      assert.not.match(text, /undefined|\[object Object\]/, text);
    }
    return "invalid";
  }
}

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.double({ noNaN: false }), fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("v"), { maxKeys: 4 })),
})).v;

type Json = unknown;
type Path = (string | number)[];

function paths(v: Json, prefix: Path = []): Path[] {
  if (v === null || typeof v !== "object") return [prefix];
  const children = Array.isArray(v) ? v.map((_, i) => i as string | number) : Object.keys(v as object);
  return [prefix, ...children.flatMap((k) => paths((v as Record<string | number, Json>)[k], [...prefix, k]))];
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const) }),
  fc.record({ kind: fc.constant("replace" as const), with: value }),
  fc.record({ kind: fc.constant("typo" as const), at: fc.nat(), char: fc.constantFrom("x", "e", "_", "") }),
  fc.record({ kind: fc.constant("add" as const), key: fc.string({ maxLength: 8 }), with: value }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies `m` at `path` of a deep copy of VALID. */
function mutate(path: Path, m: Mutation): Json {
  const doc = structuredClone(VALID) as Json;
  if (path.length === 0) return m.kind === "replace" ? m.with : doc;
  const parent = path.slice(0, -1).reduce<Json>((n, k) => (n as Record<string | number, Json>)[k], doc) as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  switch (m.kind) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case "replace":
      parent[key] = m.with;
      break;
    case "typo": {
      if (Array.isArray(parent) || typeof key !== "string") break;
      const i = m.at % (key.length + 1);
      const renamed = key.slice(0, i) + m.char + key.slice(i + 1);
      const v = parent[key];
      delete parent[key];
      parent[renamed] = v;
      break;
    }
    case "add": {
      const target = parent[key];
      if (target !== null && typeof target === "object" && !Array.isArray(target)) (target as Record<string, Json>)[m.key] = m.with;
      break;
    }
  }
  return doc;
}

const allPaths = paths(VALID);

test("the unmutated document is valid", () => {
  assert.is(check(stringify(VALID), "valid.yaml"), "valid");
  assert.is(check(JSON.stringify(VALID, null, 2), "valid.json"), "valid");
});

test("mutated scenarios: valid or a clean error, never a crash", () => {
  let invalid = 0;
  fc.assert(
    fc.property(fc.constantFrom(...allPaths), mutation, fc.boolean(), (path, m, asJson) => {
      const doc = mutate(path, m);
      const text = asJson ? JSON.stringify(doc, null, 1) ?? "null" : stringify(doc);
      if (check(text, asJson ? "m.json" : "m.yaml") === "invalid") invalid++;
    }),
    fcParams(300),
  );
  assert.ok(invalid > 0, "mutations do find errors");
});

test("random documents and random text: valid or a clean error", () => {
  fc.assert(fc.property(value, (v) => void check(stringify(v), "r.yaml")), fcParams(200));
  fc.assert(fc.property(fc.string({ maxLength: 120 }), (t) => void check(t, "t.yaml")), fcParams(200));
});

test.run();
