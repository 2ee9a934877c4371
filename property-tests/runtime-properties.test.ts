/**
 * Runtime properties on random task graphs: on either kernel, machine and idle policy no task
 * starts before its inputs have ended and every task runs once; with every time cost zero the
 * schedule is exactly the list schedule (a task starts at the later of its last input's end
 * and the end of the task before it on its worker).
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Runtime, buildKernelWorld } from "../src/models/runtime/index.js";
import { assertInputsFirst, runGraph, type GraphNode } from "../test/support/task-graph.js";
import { ZERO_RUNTIME, zeroLinux, zeroMachine } from "../test/support/zero-cost.js";
import { fcParams } from "./config.js";

const WORKERS = 4;

/** Node i may depend on any earlier node: an acyclic graph in launch order. */
const graphArb = fc.array(
  fc.record({ worker: fc.integer({ min: 0, max: WORKERS - 1 }), cycles: fc.integer({ min: 0, max: 20_000 }), inputs: fc.uniqueArray(fc.nat(), { maxLength: 3 }) }),
  { minLength: 1, maxLength: 14 },
).map((nodes): GraphNode[] => nodes.map((n, i) => ({ ...n, inputs: i === 0 ? [] : [...new Set(n.inputs.map((j) => j % i))] })));

test("random task graphs: no task starts before its inputs are produced; each runs once", () => {
  fc.assert(fc.property(
    fc.constantFrom("nautilus" as const, "linux" as const), fc.constantFrom("x64" as const, "phi" as const),
    fc.constantFrom("block" as const, "spin" as const), fc.string({ maxLength: 4 }), graphArb,
    (kernel, machine, idle, seed, nodes) => {
      const w = buildKernelWorld({ seed, machine, kernel });
      const rt = new Runtime(w.kernel, { cores: [1, 2, 3, 4], idle, trace: true });
      w.kernel.boot({ name: "driver", cpu: 0, body: runGraph(rt, nodes) });
      assert.is(w.sim.run({ maxEvents: 2_000_000 }).reason, "empty");
      assert.is(rt.trace!.length, nodes.length);
      assertInputsFirst(rt.trace!);
    },
  ), fcParams(40));
});

test("random task graphs at zero cost: exactly the list schedule of the compute times", () => {
  fc.assert(fc.property(graphArb, (nodes) => {
    const w = buildKernelWorld({ seed: "zero", machine: zeroMachine("x64"), kernel: "linux", linuxNoise: false, linuxParameters: zeroLinux("x64") });
    const rt = new Runtime(w.kernel, { cores: [1, 2, 3, 4], idle: "block", costs: ZERO_RUNTIME, trace: true });
    w.kernel.boot({ name: "driver", cpu: 0, body: runGraph(rt, nodes) });
    assert.is(w.sim.run().reason, "empty");
    const t = rt.trace!;
    const freeAt = new Array<number>(WORKERS).fill(0);
    // Queue order per worker is ready order, FIFO. Tasks ready at the same instant are queued in
    // the order that instant's events ran (a task launched ready can precede one an input just
    // released, whatever their launch order: a random seed found it), so ties go by start.
    const order = t.map((r, i) => ({ r, i })).sort((a, b) => a.r.ready - b.r.ready || a.r.start - b.r.start || a.i - b.i);
    for (const { r, i } of order) {
      const ready = Math.max(0, ...nodes[i]!.inputs.map((j) => t[j]!.end));
      assert.is(r.ready, ready, `${r.name} queued when its last input ended`);
      assert.is(r.start, Math.max(ready, freeAt[r.worker]!), `${r.name} starts when ready and its worker is free`);
      assert.is(r.end, r.start + nodes[i]!.cycles, `${r.name} takes exactly its compute`);
      freeAt[r.worker] = r.end;
    }
  }), { ...fcParams<[GraphNode[]]>(60), examples: [[[{ worker: 0, cycles: 0, inputs: [] }, { worker: 1, cycles: 0, inputs: [0] }, { worker: 1, cycles: 1, inputs: [] }, { worker: 0, cycles: 0, inputs: [] }]]] });
});

test.run();
