/**
 * A Legion-like task runtime on the runtime layer (Realm-style): one processor thread per core
 * (the runtime layer's workers), a utility processor (the top-level thread on CPU 0) doing
 * dependence analysis and mapping for every point task, and event-triggered launch: each task
 * is handed to its processor with its producers' completion events as preconditions. The
 * low-level locks and condition variables are the kernel's own (runtime layer), as in the HRT
 * port. Index launches map point i to processor i mod workers (the default mapper's
 * round-robin).
 */
import x64Data from "./data/x64.json" with { type: "json" };
import phiData from "./data/phi.json" with { type: "json" };
import type { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import { derivedOn, kernelCosts, kernelData } from "../kernel/costs.js";
import type { Gen, ThreadRef } from "../kernel/types.js";
import type { Reduction, RtEvent, Runtime } from "../runtime/index.js";
import { LEGION_COSTS, type LegionParams } from "./params.js";

export function legionCosts(machine: Machine, overrides: LegionParams["legion"] = {}): CostTable {
  const file = derivedOn(machine, kernelData("legion", machine.name, { x64: x64Data, phi: phiData }));
  const parameters = { ...file.parameters };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) parameters[name] = { value, source: `scenario file: model.params.legion["${name}"] (replaces the data file's value)` };
  }
  return kernelCosts("legion", machine, { subject: file.subject, parameters }, LEGION_COSTS);
}

/** One point task of an index launch. */
export interface PointTask {
  readonly name: string;
  /** Index of the piece/subdomain (mapped to processor piece mod workers). */
  readonly piece: number;
  /** Region requirements the analysis walks. */
  readonly requirements: number;
  /** Producers' completion events (found by the dependence analysis). */
  readonly after: readonly RtEvent[];
  /** Compute cycles of the task body. */
  readonly cycles: number;
  /** A scalar the task folds into a reduction (HPCG dot products), if any. */
  readonly reduceInto?: Reduction;
}

export class Legion {
  readonly costs: CostTable;
  /** Launched tasks per analysis step name (for tests and reports). */
  launched = 0;

  constructor(readonly rt: Runtime, overrides?: LegionParams["legion"]) {
    this.costs = legionCosts(rt.kernel.machine, overrides);
  }

  /** Utility processor: analyse and map one point task, then launch it (returns its completion event). */
  *launch(self: ThreadRef, t: PointTask): Gen<RtEvent> {
    // One step for the whole analysis + mapping (fewer events; the parts are summed draws).
    const rng = this.rt.sim.streams.get("legion/utility");
    let cycles = this.costs.draw("analysis.perTask", rng) + this.costs.draw("mapping.perTask", rng);
    for (let i = 0; i < t.requirements; i++) cycles += this.costs.draw("analysis.perRequirement", rng);
    for (let i = 0; i < t.after.length; i++) cycles += this.costs.draw("analysis.perDependence", rng);
    yield* this.rt.kernel.compute(self, `runtime: analyse + map ${t.name} (${t.requirements} requirements, ${t.after.length} dependences)`, cycles);
    const rt = this.rt;
    this.launched++;
    return yield* rt.launch(self, {
      name: t.name, worker: t.piece % rt.size, after: t.after,
      body: function* (me) {
        yield* rt.compute(me, t.name, Math.round(t.cycles));
        if (t.reduceInto !== undefined) yield* rt.contribute(me, t.reduceInto, 1);
      },
    });
  }
}
