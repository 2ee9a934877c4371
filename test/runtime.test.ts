/** The runtime layer on both kernels: task launch by events, queues, reductions, barriers. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Runtime, buildKernelWorld, type RtEvent } from "../src/models/runtime/index.js";
import { assertInputsFirst, runGraph, type GraphNode } from "./support/task-graph.js";
import { ZERO_RUNTIME, zeroLinux, zeroMachine } from "./support/zero-cost.js";

const DIAMOND: GraphNode[] = [
  { worker: 0, cycles: 1000, inputs: [] },
  { worker: 1, cycles: 3000, inputs: [0] },
  { worker: 2, cycles: 5000, inputs: [0] },
  { worker: 3, cycles: 2000, inputs: [1, 2] },
];

for (const kernel of ["nautilus", "linux"] as const) {
  for (const idle of ["block", "spin"] as const) {
    test(`${kernel}, idle ${idle}: a diamond runs each task once, after its inputs, and stops cleanly`, () => {
      const w = buildKernelWorld({ seed: "rt", machine: "x64", kernel });
      const rt = new Runtime(w.kernel, { cores: [1, 2, 3, 4], idle, trace: true });
      w.kernel.boot({ name: "driver", cpu: 0, body: runGraph(rt, DIAMOND) });
      const report = w.sim.run();
      assert.is(report.reason, "empty");
      assert.is(rt.trace!.length, 4);
      assertInputsFirst(rt.trace!);
      // The two middle tasks overlap (different workers): the span is below the serial sum.
      const span = rt.trace![3]!.end - rt.trace![0]!.start;
      assert.ok(span < 11000 + 50000, `span ${span}`);
      assert.ok(span >= 1000 + 5000 + 2000, `span ${span} covers the critical path`);
    });
  }
}

test("zero-cost kernel and runtime: each task starts exactly when its last input ends, the span is the compute critical path", () => {
  const w = buildKernelWorld({ seed: "zero", machine: zeroMachine("x64"), kernel: "linux", linuxNoise: false, linuxParameters: zeroLinux("x64") });
  const rt = new Runtime(w.kernel, { cores: [1, 2, 3, 4], idle: "block", costs: ZERO_RUNTIME, trace: true });
  w.kernel.boot({ name: "driver", cpu: 0, body: runGraph(rt, DIAMOND) });
  assert.is(w.sim.run().reason, "empty");
  const t = rt.trace!;
  assert.equal(t.map((r) => [r.start, r.end]), [[0, 1000], [1000, 4000], [1000, 6000], [6000, 8000]]);
});

test("reduction: the last contribution triggers the result, every contributor reads the sum", () => {
  const w = buildKernelWorld({ seed: "red", machine: "x64", kernel: "nautilus" });
  const rt = new Runtime(w.kernel, { cores: [1, 2, 3], idle: "block" });
  const red = rt.newReduction("dot", 3);
  const seen: number[] = [];
  const bar = rt.newBarrier("b");
  w.kernel.boot({ name: "driver", cpu: 0, body: function* (self) {
    yield* rt.start(self);
    const done: RtEvent[] = [];
    for (let i = 0; i < 3; i++) {
      done.push(yield* rt.launch(self, { name: `r${i}`, worker: i, body: function* (me) {
        yield* rt.compute(me, "partial", 100 * (i + 1));
        seen.push(yield* rt.allReduce(me, red, i + 1));
        yield* rt.barrier(me, bar);
      } }));
    }
    yield* rt.wait(self, yield* rt.merge(self, "all", done));
    yield* rt.stop(self);
  } });
  assert.is(w.sim.run().reason, "empty");
  assert.equal(seen, [6, 6, 6]);
});

test.run();
