/** Scenario-side override helpers: --set split across scenarios, the configuration in force, override keys. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ParameterInfo } from "../src/models/hardware/overrides.js";
import { forbiddenSegment } from "../src/scenarios/decode.js";
import { configurationOf, isOverrideKey, scopesOf, splitSets } from "../src/scenarios/overrides.js";
import { InputError } from "../src/scenarios/problems.js";

const info = (path: string, value: unknown, unit: ParameterInfo["unit"] = "cycles", kind: ParameterInfo["kind"] = "number"): ParameterInfo => ({
  path, scope: path.slice(0, path.indexOf(".")), name: path.slice(path.indexOf(".") + 1), unit, kind, value, source: "assumption: test",
});
const space = (...infos: ParameterInfo[]) => new Map(infos.map((i) => [i.path, [i]]));

test("--set applies each path to the scenarios that use it; a path none uses, or a model parameter, is an input error", () => {
  const micro = { space: space(info("x64.atomic", 40), info("linux.syscall.entry", 100)) };
  const hvm = { space: space(info("x64.atomic", 40), info("hvm.svm.vmexit", 900)) };
  const queue = { space: new Map() };
  assert.equal(splitSets({ "x64.atomic": 80, "hvm.svm.vmexit": 1000 }, [micro, hvm, queue]), [{ "x64.atomic": 80 }, { "x64.atomic": 80, "hvm.svm.vmexit": 1000 }, {}]);
  try {
    splitSets({ "x64.atomik": 1, trials: 3, "x64.__proto__": 1 }, [micro, hvm, queue]);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, InputError);
    const text = (e as InputError).message;
    assert.match(text, /--set x64\.atomik: no scenario here uses this parameter[\s\S]*did you mean "x64\.atomic"\?/);
    assert.match(text, /--set trials: not a parameter path/);
    assert.match(text, /--set x64\.__proto__: "__proto__" may not be a path segment/);
  }
});

test("the configuration in force lists overrides, then options (config.* and flags) at their file values", () => {
  const s = space(info("nautilus.config.kicks", 0, "flag", "flag"), info("linux.config.hz", 250, "hz"), info("x64.atomic", 40));
  assert.equal(configurationOf({ "x64.atomic": { scale: 2 } }, s), [
    'x64.atomic = {"scale":2} (override)', "nautilus.config.kicks = 0 (default)", "linux.config.hz = 250 (default)",
  ]);
  assert.equal(configurationOf({ "nautilus.config.kicks": 1 }, s), ["nautilus.config.kicks = 1 (override)", "linux.config.hz = 250 (default)"]);
});

test("override keys start with a scope; a machine file adds its name; reserved segments are found anywhere", () => {
  assert.ok(isOverrideKey("x64.apic.accept", scopesOf(undefined)));
  assert.not.ok(isOverrideKey("remoteCpus", scopesOf(undefined)));
  assert.not.ok(isOverrideKey("mybox.atomic", scopesOf(undefined)));
  assert.ok(isOverrideKey("mybox.atomic", scopesOf({ machine: "mybox" } as never)));
  assert.is(forbiddenSegment("a.constructor.b"), "constructor");
  assert.is(forbiddenSegment("x64.apic.accept"), undefined);
});

test.run();
