/** Task graphs for runtime tests: run one on a Runtime, check the recorded order. */
import * as assert from "uvu/assert";
import type { Gen, ThreadRef } from "../../src/models/kernel/types.js";
import type { RtEvent, Runtime, TaskRecord } from "../../src/models/runtime/index.js";

export interface GraphNode { readonly worker: number; readonly cycles: number; readonly inputs: readonly number[] }

/** A driver body: start the workers, launch every node after its inputs, wait for all, stop. */
export function runGraph(rt: Runtime, nodes: readonly GraphNode[]): (self: ThreadRef) => Gen<void> {
  return function* (self) {
    yield* rt.start(self);
    const done: RtEvent[] = [];
    for (const [i, n] of nodes.entries()) {
      done.push(yield* rt.launch(self, {
        name: `t${i}`, worker: n.worker, after: n.inputs.map((j) => done[j]!),
        body: function* (me) { yield* rt.compute(me, `t${i}`, n.cycles); },
      }));
    }
    yield* rt.wait(self, yield* rt.merge(self, "all", done));
    yield* rt.stop(self);
  };
}

/** Every task ran, and none started before all of its inputs had ended. */
export function assertInputsFirst(trace: readonly TaskRecord[]): void {
  const endOf = new Map(trace.map((r) => [r.done, r.end]));
  for (const r of trace) {
    assert.ok(r.start >= 0 && r.end >= r.start, `${r.name} ran`);
    for (const i of r.inputs) assert.ok(r.start >= endOf.get(i)!, `${r.name} starts at ${r.start}, after its input ended at ${endOf.get(i)}`);
  }
}
