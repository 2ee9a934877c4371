/**
 * The at-scale model's parameter space is exactly what its kernel noise reads: overriding every
 * other entry of the kernel's and machine's files changes nothing, and each entry in it moves
 * the run. So `--set` and `hrtsim sensitivity` reach the noise and nothing that cannot matter.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkOverride } from "../src/models/hardware/overrides.js";
import { kernelParameterSpace } from "../src/models/kernel/registry.js";
import { atScaleModel, runAtScale } from "../src/models/atscale/plugin.js";
import type { AtScaleParams } from "../src/models/atscale/params.js";
import { overrideAt } from "../src/scenarios/sensitivity.js";

const params = (kernel: "linux" | "nautilus", sampling: "per-node" | "pooled"): AtScaleParams => ({
  ranks: 256, collective: "dissemination", collectives: 3, workUs: 2000,
  noise: { kind: "kernel", kernel, machine: "x64", sampling, ...(sampling === "pooled" ? { traces: 4, windowMs: 200 } : {}) },
});

for (const kernel of ["linux", "nautilus"] as const) {
  test(`${kernel}: overriding every entry outside the at-scale space (at its range's high end) changes nothing`, () => {
    const space = new Set(atScaleModel.parameterSpace!(params(kernel, "per-node")).map((i) => i.path));
    assert.ok(space.size >= 3, `space: ${[...space].join(", ")}`);
    const overrides = Object.fromEntries(kernelParameterSpace("x64", [kernel]).flatMap((i) => {
      if (space.has(i.path) || i.range === undefined) return [];
      const value = overrideAt(i, i.range.high);
      return checkOverride(i, value) === undefined ? [[i.path, value] as const] : [];
    }));
    assert.ok(Object.keys(overrides).length > 20, `${Object.keys(overrides).length} overrides`);
    for (const sampling of ["per-node", "pooled"] as const) {
      const base = runAtScale(params(kernel, sampling), "p");
      const moved = runAtScale(params(kernel, sampling), "p", {}, { overrides });
      assert.is(moved.fingerprint, base.fingerprint, sampling);
      assert.is(moved.makespanNs, base.makespanNs, sampling);
      assert.is(moved.netNoise, base.netNoise, sampling);
    }
  });

  test(`${kernel}: every entry of the at-scale space with a range moves the run at its high end`, () => {
    const base = runAtScale(params(kernel, "per-node"), "p");
    const space = atScaleModel.parameterSpace!(params(kernel, "per-node"));
    assert.ok(space.filter((info) => info.range !== undefined).length >= 6, "the space's entries have ranges");
    for (const info of space) {
      if (info.range === undefined) continue;
      const r = runAtScale(params(kernel, "per-node"), "p", {}, { overrides: { [info.path]: overrideAt(info, info.range.high) } });
      assert.ok(r.makespanNs !== base.makespanNs || r.netNoise !== base.netNoise, `${info.path} changed nothing`);
    }
  });
}

test("other noise profiles have no parameter space (they take no overrides)", () => {
  assert.equal(atScaleModel.parameterSpace!({ ...params("linux", "per-node"), noise: { kind: "periodic", hz: 10, netNoise: 0.01 } }), []);
});

test.run();
