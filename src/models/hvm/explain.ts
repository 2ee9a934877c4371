/**
 * Step-by-step breakdowns of the HVM operations: one recorded execution of each, as the
 * critical path from the caller's start stamp to its end stamp (costs sum to the latency;
 * waits are steps), plus the other cores' timelines over the same interval.
 */
import type { StepRecorder } from "../hardware/recorder.js";
import type { Gen } from "../kernel/types.js";
import type { Breakdown } from "../plugin.js";
import { HC } from "./hvm.js";
import type { ResolvedParams } from "./params.js";
import { forwarding, invoke, merge, syncCall, syncSetup, trivial } from "./ros.js";
import type { VCore } from "./vmm.js";
import { buildWorld, runHarness, type World } from "./world.js";

export interface Explained {
  readonly breakdowns: Breakdown[];
  /** The measured latency (end − start) of the explained operation. */
  readonly latency: number;
}

type Op = (w: World, core: VCore) => Gen<void>;

interface OpSpec {
  readonly title: string;
  /** Runs before the measured operation (warm-up, channel set-up), unmeasured. */
  readonly before?: Op;
  readonly op: Op;
}

const OPS: Readonly<Record<string, OpSpec>> = {
  "null-hypercall": { title: "null hypercall (0x0) from the ROS", op: function* (w, c) { yield* w.hvm.hcall(c, HC.NULL); } },
  "async-call": { title: "asynchronous invoke (0x20) of a trivial function, incl. ROS polling", before: function* (w, c) { yield* invoke(w.hvm, c, trivial); }, op: function* (w, c) { yield* invoke(w.hvm, c, trivial); } },
  "parallel-call": { title: "parallel invoke (0x21) on every HRT core, incl. ROS polling", before: function* (w, c) { yield* invoke(w.hvm, c, trivial, true); }, op: function* (w, c) { yield* invoke(w.hvm, c, trivial, true); } },
  merge: { title: "address-space merge (0x30), incl. ROS polling", before: function* (w, c) { yield* merge(w.hvm, c); }, op: function* (w, c) { yield* merge(w.hvm, c); } },
  "sync-call": { title: "synchronous invoke over the set-up channel (no VMM)", before: function* (w, c) { yield* syncSetup(w.hvm, c); yield* syncCall(w.hvm, c); }, op: function* (w, c) { yield* syncCall(w.hvm, c); } },
  boot: { title: "HRT reboot: 0x2 request to fully booted", op: function* (w, c) { yield* w.hvm.hcall(c, HC.RESET_HRT); yield w.hvm.boot.booted!; } },
  forwarding: { title: "async invoke of a function that forwards a page fault to the ROS", op: function* (w, c) { yield* invoke(w.hvm, c, forwarding("pagefault")); } },
};

export const EXPLAINABLE = Object.keys(OPS);

/** Steps recorded on `cpu` overlapping [from, to], clipped (a timeline, not a critical path). */
function timeline(rec: StepRecorder, cpu: number, from: number, to: number, title: string, where: string): Breakdown {
  const steps: { step: string; where: string; cost: number }[] = [];
  for (const s of rec.steps) {
    if (s.cpu !== cpu || s.end <= from || s.start >= to) continue;
    const cost = Math.min(s.end, to) - Math.max(s.start, from);
    if (cost > 0) steps.push({ step: s.step, where, cost });
  }
  return { title, unit: "cycles", steps, total: steps.reduce((a, s) => a + s.cost, 0) };
}

export function explainOp(p: ResolvedParams, seed: string, experiment: string): Explained {
  const spec = OPS[experiment === "harness" || experiment === "contention" || experiment === "baselines" ? "async-call" : experiment];
  if (spec === undefined) throw new Error(`hvm: no breakdown for experiment '${experiment}' (explainable: ${EXPLAINABLE.join(", ")})`);
  const w = buildWorld(p, `${seed}/explain`, { record: true });
  const rec = w.machine.recorder!;
  let from = 0, to = 0, last = -1;
  let lastCore: VCore | null = null;
  runHarness(w, {}, [function* (core) {
    if (spec.before) yield* spec.before(w, core);
    from = w.sim.now;
    yield* spec.op(w, core);
    to = w.sim.now;
    last = experiment === "boot" ? w.hvm.hrt[0]!.lastStep : core.lastStep;
    lastCore = core;
  }]);
  const where = new Map([...w.hvm.ros, ...w.hvm.hrt].map((c) => [`cpu${c.pcpu}`, c.label]));
  const relabel = (b: Breakdown): Breakdown => ({ ...b, steps: b.steps.map((s) => ({ ...s, where: where.get(s.where) ?? s.where })) });
  const end = experiment === "boot" ? w.hvm.boot.bootedAt : to;
  const caller = lastCore as VCore | null;
  const main = relabel(rec.criticalPath(`${spec.title}: critical path (${caller?.label ?? "ROS"})`, last, from, end));
  const others = [...w.hvm.ros, ...w.hvm.hrt]
    .filter((c) => c !== caller)
    .map((c) => timeline(rec, c.pcpu, from, end, `${spec.title}: what ${c.label} did meanwhile`, c.label))
    .filter((b) => b.steps.length > 0);
  return { breakdowns: [main, ...others], latency: end - from };
}
