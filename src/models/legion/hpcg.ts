/**
 * The HPCG-like workload: preconditioned CG on a 27-point stencil, the grid split into
 * subdomains along one axis (neighbours i−1 and i+1 exchange halos). Per iteration, as in the
 * HPCG reference's CG loop: a multigrid V-cycle (per level down: pre-smoothing symmetric
 * Gauss–Seidel + residual SpMV + restriction; coarsest: SymGS; per level up: prolongation +
 * post-smoothing), the dot product r·z (a reduction), p = z + βp, Ap = A·p (halo of p), p·Ap
 * (a reduction), x and r updates, and ‖r‖ (a reduction) which the top-level task waits for
 * before the next iteration (the convergence test: a blocking future wait in Legion).
 * Each stencil task depends on its own subdomain's and its neighbours' previous task.
 */
import type { Gen, ThreadRef } from "../kernel/types.js";
import type { RtEvent, Runtime } from "../runtime/index.js";
import type { ComputeCosts } from "./compute.js";
import type { Legion } from "./legion.js";
import type { HpcgShape } from "./params.js";

const STENCIL = 27;

function halo(events: readonly RtEvent[], i: number): RtEvent[] {
  return [events[i]!, ...(i > 0 ? [events[i - 1]!] : []), ...(i + 1 < events.length ? [events[i + 1]!] : [])];
}

/** Issues one CG iteration over `n` subdomains; `prevR` are the last writers of r (null: first). */
export function* hpcgIteration(
  legion: Legion, rt: Runtime, self: ThreadRef, t: number, n: number, shape: HpcgShape, c: ComputeCosts, prevR: readonly RtEvent[] | null,
): Gen<{ r: RtEvent[]; normDone: RtEvent }> {
  const pe = c.perElement;
  const edge = (n: number, l: number) => Math.max(1, Math.floor(n / 2 ** l));
  const rows = (l: number) => edge(shape.nx, l) * edge(shape.ny, l) * edge(shape.nz, l);
  const symgs = (l: number) => 2 * STENCIL * rows(l) * pe["hpcg.symgs"];
  const spmv = (l: number) => STENCIL * rows(l) * pe["hpcg.spmv"];
  const launchAll = function* (name: string, requirements: number, after: (i: number) => RtEvent[], cycles: number, reduce?: ReturnType<Runtime["newReduction"]>): Gen<RtEvent[]> {
    const out: RtEvent[] = [];
    for (let i = 0; i < n; i++) out.push(yield* legion.launch(self, { name: `${name}[${i}]@${t}`, piece: i, requirements, after: after(i), cycles, ...(reduce ? { reduceInto: reduce } : {}) }));
    return out;
  };
  const L = shape.mgLevels;
  // V-cycle down: level l smooths and restricts to l+1.
  let level: RtEvent[] | null = prevR === null ? null : [...prevR];
  for (let l = 0; l < L - 1; l++) {
    const prev: RtEvent[] | null = level;
    level = yield* launchAll(`mg-down-${l}`, 3, (i) => (prev === null ? [] : halo(prev, i)), symgs(l) + spmv(l) + rows(l + 1) * pe["hpcg.waxpby"]);
  }
  const coarse = level;
  level = yield* launchAll(`mg-coarse-${L - 1}`, 2, (i) => (coarse === null ? [] : halo(coarse, i)), symgs(L - 1));
  for (let l = L - 2; l >= 0; l--) {
    const prev: RtEvent[] = level;
    level = yield* launchAll(`mg-up-${l}`, 3, (i: number): RtEvent[] => halo(prev, i), rows(l) * pe["hpcg.waxpby"] + symgs(l));
  }
  const z = level;
  const rz = rt.newReduction(`r·z@${t}`, n);
  yield* launchAll("dot-rz", 2, (i) => [z[i]!], rows(0) * pe["hpcg.dot"], rz);
  const p = yield* launchAll("waxpby-p", 2, () => [rz.done], rows(0) * pe["hpcg.waxpby"]);
  const ap = yield* launchAll("spmv-Ap", 2, (i) => halo(p, i), spmv(0));
  const pap = rt.newReduction(`p·Ap@${t}`, n);
  yield* launchAll("dot-pAp", 2, (i) => [ap[i]!], rows(0) * pe["hpcg.dot"], pap);
  const r = yield* launchAll("waxpby-x-r", 4, () => [pap.done], 2 * rows(0) * pe["hpcg.waxpby"]);
  const norm = rt.newReduction(`‖r‖@${t}`, n);
  yield* launchAll("dot-rr", 1, (i) => [r[i]!], rows(0) * pe["hpcg.dot"], norm);
  return { r, normDone: norm.done };
}
