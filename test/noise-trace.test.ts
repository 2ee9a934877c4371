/** Noise-trace files: round trip, clear errors for bad files, inlined by the scenario loader. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { join } from "node:path";
import { InputError, loadScenario } from "../src/scenarios/index.js";
import { formatNoiseTrace, parseNoiseTrace, type Detour } from "../src/scenarios/noise-trace.js";
import { tempDir, writeText } from "./cli-helpers.js";

const detourLists = fc.array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e4, noNaN: true })), { minLength: 1, maxLength: 50 })
  .map((gaps) => {
    let t = 0;
    return gaps.map(([gap, d]): Detour => { const s = t + gap; t = s + d; return [s, d]; });
  });

test("a trace written by formatNoiseTrace parses back to the same detours", () => {
  fc.assert(fc.property(detourLists, (detours) => {
    const r = parseNoiseTrace("t.txt", formatNoiseTrace(detours));
    assert.ok(r.ok);
    if (r.ok) assert.equal(r.detours, detours);
  }));
});

test("bad trace files give problems naming the file, the line, what was expected and what was found", () => {
  const cases: Array<[string, number, RegExp]> = [
    ["# header\n0\t10\n5 x\n", 3, /two numbers/],
    ["0\t10\n-5\t1\n", 2, /≥ 0/],
    ["0\t10\n5\t1\n", 2, /start ≥ 10/],
    ["100 1\n50 1\n", 2, /start ≥ 101/],
    ["1 2 3\n", 1, /two numbers/],
  ];
  for (const [text, line, expected] of cases) {
    const r = parseNoiseTrace("bad.txt", text);
    assert.not.ok(r.ok, text);
    if (r.ok) continue;
    const p = r.problems[0]!;
    assert.is(p.file, "bad.txt");
    assert.is(p.line, line, text);
    assert.match(p.expected ?? "", expected);
    assert.ok((p.found ?? "").length > 0);
  }
  const empty = parseNoiseTrace("e.txt", "# nothing\n\n");
  assert.not.ok(empty.ok);
});

const scenario = (file: string) => `name: traced
description: a measured trace
model:
  name: atscale
  params:
    ranks: 64
    collective: dissemination
    collectives: 2
    workUs: 100
    noise: { kind: trace, file: ${file}, unit: us }
experiment: collectives
replications: 1
seed: 1
`;

test("a scenario's trace file is read relative to it and inlined; a missing or bad one is an input error at its field", async () => {
  const dir = await tempDir();
  await writeText(dir, "detours.txt", formatNoiseTrace([[10, 5], [500, 20]], "us"));
  const ok = await loadScenario(await writeText(dir, "ok.yaml", scenario("detours.txt")));
  const noise = (ok.baseParams as { noise: { detours: unknown } }).noise;
  assert.equal(noise.detours, [[10, 5], [500, 20]]);
  try {
    await loadScenario(await writeText(dir, "missing.yaml", scenario("nope.txt")));
    assert.unreachable("a missing trace must fail");
  } catch (e) {
    assert.instance(e, InputError);
    const p = (e as InputError).problems[0]!;
    assert.is(p.path, "model.params.noise.file");
    assert.is(p.line, 10);
    assert.is(p.found, join(dir, "nope.txt"));
  }
  await writeText(dir, "bad.txt", "0 10\n5 1\n");
  try {
    await loadScenario(await writeText(dir, "bad.yaml", scenario("bad.txt")));
    assert.unreachable("an overlapping trace must fail");
  } catch (e) {
    assert.instance(e, InputError);
    assert.is((e as InputError).problems[0]!.file, join(dir, "bad.txt"));
    assert.is((e as InputError).problems[0]!.line, 2);
  }
});

test.run();
