/**
 * Overrides as properties: any override path / value a user writes is either accepted (and then
 * applies without error) or rejected with a readable problem — never a crash; `{ scale: f }`
 * multiplies a time cost's mean by f for every entry of the x64 profile.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { distribution, type DistributionSpec } from "../src/engine/index.js";
import { applyOverrides, checkOverride, describeFile } from "../src/models/hardware/overrides.js";
import { machineProfile } from "../src/models/hardware/profile.js";
import { fcParams } from "./config.js";

const x64 = machineProfile("x64");
const infos = describeFile("x64", x64);

test("{ scale: f } multiplies every x64 time cost's mean by f", () => {
  fc.assert(fc.property(fc.constantFrom(...infos.filter((i) => i.unit === "cycles" || i.unit === "us")), fc.double({ min: 0, max: 50, noNaN: true }), (info, f) => {
    assert.is(checkOverride(info, { scale: f }), undefined);
    const file = applyOverrides(x64, "x64", { [info.path]: { scale: f } }, "x64.json");
    const before = distribution(x64.parameters[info.name]!.value as DistributionSpec).mean;
    const after = distribution(file.parameters[info.name]!.value as DistributionSpec).mean;
    assert.ok(Math.abs(after - f * before) <= 1e-9 * Math.max(1, f * before), `${info.path}: ${after} vs ${f} × ${before}`);
  }), { ...fcParams<[(typeof infos)[number], number]>(200), examples: [[infos.find((i) => i.path === "x64.smi.duration")!, 0]] }); // a random seed found { scale: 0 } refused on a lognormal
});

test("any value is accepted and applies, or is rejected with a message, expected and found", () => {
  const value = fc.oneof(
    fc.double(), fc.integer(), fc.boolean(), fc.string(), fc.constant(null),
    fc.record({ scale: fc.oneof(fc.double(), fc.string()) }),
    fc.record({ dist: fc.constantFrom("uniform", "normal", "exponential", "bogus"), min: fc.double(), max: fc.double(), mean: fc.double(), sd: fc.double() }, { requiredKeys: ["dist"] }),
  );
  fc.assert(fc.property(fc.constantFrom(...infos), value, (info, v) => {
    const problem = checkOverride(info, v);
    if (problem === undefined) {
      const file = applyOverrides(x64, "x64", { [info.path]: v }, "x64.json");
      assert.ok(distribution(file.parameters[info.name]!.value as DistributionSpec).mean >= 0);
    } else {
      assert.ok(problem.message.length > 0 && problem.expected.length > 0 && problem.found.length > 0);
    }
  }), fcParams(500));
});

test.run();
