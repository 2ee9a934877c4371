/**
 * The circuit workload (Legion examples/circuit): a graph of nodes and wires split into
 * pieces. Each iteration launches calc_new_currents, distribute_charge and update_voltages
 * over the pieces with their region dependencies:
 *  - CNC(i) reads the voltages of i's private and shared nodes and of its ghost nodes (shared
 *    nodes of the pieces its crossing wires reach): after UV(i) and UV(j), j ∈ ghosts(i), of
 *    the previous iteration;
 *  - DC(i) reduces charge into i's private, shared and ghost nodes: after CNC(i);
 *  - UV(i) updates i's private and shared nodes: after DC(i) and DC(k) for every k with i
 *    among its ghosts (their charge reductions into i's shared nodes).
 * A crossing wire (100 − pctWireInPiece % of a piece's wires) reaches a uniformly drawn other
 * piece (stream legion/circuit-graph), as circuit_init does.
 */
import type { RandomStream } from "../../engine/index.js";
import type { Gen, ThreadRef } from "../kernel/types.js";
import type { RtEvent } from "../runtime/index.js";
import type { ComputeCosts } from "./compute.js";
import type { Legion } from "./legion.js";
import type { CircuitShape } from "./params.js";

export interface CircuitGraph {
  /** ghosts[i]: pieces whose shared nodes piece i reads (sorted). */
  readonly ghosts: readonly (readonly number[])[];
  /** reducers[i]: pieces that reduce charge into piece i's shared nodes (sorted). */
  readonly reducers: readonly (readonly number[])[];
}

export function circuitGraph(pieces: number, shape: CircuitShape, rng: RandomStream): CircuitGraph {
  const crossing = pieces < 2 ? 0 : Math.round((shape.wiresPerPiece * (100 - shape.pctWireInPiece)) / 100);
  const ghosts = Array.from({ length: pieces }, (_, i) => {
    const set = new Set<number>();
    for (let w = 0; w < crossing; w++) {
      const j = rng.integer(0, pieces - 2);
      set.add(j >= i ? j + 1 : j);
    }
    return [...set].sort((a, b) => a - b);
  });
  const reducers: number[][] = Array.from({ length: pieces }, () => []);
  ghosts.forEach((g, k) => g.forEach((i) => reducers[i]!.push(k)));
  return { ghosts, reducers };
}

/** Issues one iteration; returns the UV events the next one depends on and all of its tasks' events. */
export function* circuitIteration(
  legion: Legion, self: ThreadRef, t: number, g: CircuitGraph, shape: CircuitShape, c: ComputeCosts, prevUv: readonly RtEvent[] | null,
): Gen<{ uv: RtEvent[]; all: RtEvent[] }> {
  const n = g.ghosts.length;
  const cnc: RtEvent[] = [], dc: RtEvent[] = [], uv: RtEvent[] = [];
  for (let i = 0; i < n; i++) {
    const after = prevUv === null ? [] : [prevUv[i]!, ...g.ghosts[i]!.map((j) => prevUv[j]!)];
    cnc.push(yield* legion.launch(self, { name: `calc_new_currents[${i}]@${t}`, piece: i, requirements: 5, after, cycles: shape.wiresPerPiece * shape.steps * c.perElement["circuit.calcNewCurrents"] }));
  }
  for (let i = 0; i < n; i++) {
    dc.push(yield* legion.launch(self, { name: `distribute_charge[${i}]@${t}`, piece: i, requirements: 4, after: [cnc[i]!], cycles: shape.wiresPerPiece * c.perElement["circuit.distributeCharge"] }));
  }
  for (let i = 0; i < n; i++) {
    const after = [dc[i]!, ...g.reducers[i]!.map((k) => dc[k]!)];
    uv.push(yield* legion.launch(self, { name: `update_voltages[${i}]@${t}`, piece: i, requirements: 2, after, cycles: shape.nodesPerPiece * c.perElement["circuit.updateVoltages"] }));
  }
  return { uv, all: [...cnc, ...dc, ...uv] };
}
