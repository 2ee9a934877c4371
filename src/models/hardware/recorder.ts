/**
 * Step recording for breakdowns ("where did the cycles go"). Every step is an interval on one
 * CPU with a causal predecessor (the previous step of the same thread, or the cross-CPU step
 * that caused it: the ICR write before an IPI delivery, the store before a flag is seen).
 * Following predecessors back from the end stamp gives the critical path of a measurement;
 * gaps on it are waits. Recording is off in ordinary runs (recorder = null) to stay fast.
 */
import type { Breakdown } from "../plugin.js";

export interface StepRecord {
  readonly id: number;
  readonly cpu: number;
  readonly step: string;
  readonly start: number;
  readonly end: number;
  readonly prev: number;
  readonly note: string | undefined;
}

export class StepRecorder {
  readonly steps: StepRecord[] = [];

  /** Records a step and returns its id (pass it as `prev` of the steps it causes). */
  record(cpu: number, step: string, start: number, end: number, prev: number, _stolen: number, note?: string): number {
    const id = this.steps.length;
    this.steps.push({ id, cpu, step, start, end, prev, note });
    return id;
  }

  /**
   * The critical path ending with step `last`, clipped to [from, to]: steps in time order,
   * gaps between a step and its predecessor shown as waits, so costs sum to `to − from`.
   */
  criticalPath(title: string, last: number, from: number, to: number, unit = "cycles"): Breakdown {
    const chain: StepRecord[] = [];
    for (let id = last; id >= 0; id = this.steps[id]!.prev) {
      const s = this.steps[id]!;
      chain.push(s);
      if (s.start <= from) break;
    }
    chain.reverse();
    const out: { step: string; where: string; cost: number; note?: string }[] = [];
    let t = from;
    for (const s of chain) {
      const start = Math.max(s.start, from);
      const end = Math.min(s.end, to);
      if (start > t) out.push({ step: "wait", where: `cpu${s.cpu}`, cost: start - t, note: `nothing on the critical path until '${s.step}' could start` });
      if (end > Math.max(start, t)) {
        const cost = end - Math.max(start, t);
        const clipped = s.start < from ? "part after the start stamp" : undefined;
        const note = [s.note, clipped].filter((x) => x !== undefined).join("; ");
        out.push({ step: s.step, where: `cpu${s.cpu}`, cost, ...(note ? { note } : {}) });
        t = end;
      }
    }
    if (to > t) out.push({ step: "wait", where: "", cost: to - t, note: "end stamp after the last recorded step" });
    return { title, unit, steps: compress(out), total: to - from };
  }
}

/** Long repetitive paths (e.g. 200 yields) are summarised per (step, where), keeping order of first use. */
function compress(steps: Breakdown["steps"]): Breakdown["steps"] {
  if (steps.length <= 60) return steps;
  const byKey = new Map<string, { step: string; where: string; cost: number; n: number }>();
  for (const s of steps) {
    const k = `${s.step}\u0000${s.where}`;
    const g = byKey.get(k);
    if (g) { g.cost += s.cost; g.n++; } else byKey.set(k, { step: s.step, where: s.where, cost: s.cost, n: 1 });
  }
  return [...byKey.values()].map((g) => ({ step: g.step, where: g.where, cost: g.cost, note: `${g.n} times` }));
}
