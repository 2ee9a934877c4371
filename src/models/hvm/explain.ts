/**
 * Step-by-step breakdowns of the HVM operations: one recorded execution of each, as the
 * critical path from the caller's start stamp to its end stamp (costs sum to the latency;
 * waits are steps), plus the other cores' timelines over the same interval.
 */
import type { StepRecorder } from "../hardware/recorder.js";
import type { Gen } from "../kernel/types.js";
import type { Breakdown } from "../plugin.js";
import { pingPong, type PingPong } from "./floor.js";
import { HC } from "./hvm.js";
import type { ResolvedParams } from "./params.js";
import { explainLinuxBaseline, LINUX_BASELINE_OPS } from "./baselines.js";
import { forwarding, invoke, merge, syncCall, syncSetup, syncTeardown, trivial } from "./ros.js";
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

/** The ping-pong pair of a world whose floor is being explained (set up in `before`). */
const floors = new WeakMap<World, PingPong>();

const OPS: Readonly<Record<string, OpSpec>> = {
  "null-hypercall": { title: "null hypercall (0x0) from the ROS", op: function* (w, c) { yield* w.hvm.hcall(c, HC.NULL); } },
  "state-hypercall": { title: "0xf state poll from the ROS (the exit every poll pays)", op: function* (w, c) { yield* w.hvm.hcall(c, HC.GET_STATE); } },
  "sync-setup": { title: "synchronous channel set-up (0x28), incl. ROS polling", op: function* (w, c) { yield* syncSetup(w.hvm, c); } },
  "sync-teardown": { title: "synchronous channel teardown (0x29), incl. ROS polling", before: function* (w, c) { yield* syncSetup(w.hvm, c); }, op: function* (w, c) { yield* syncTeardown(w.hvm, c); } },
  "function-call": { title: "a plain function call in the ROS process (no exit)", op: function* (w, c) { yield* w.hvm.vmm.guest(c, "call + ret of an empty function", w.hvm.nk("call", c)); } },
  "async-call": { title: "asynchronous invoke (0x20) of a trivial function, incl. ROS polling", before: function* (w, c) { yield* invoke(w.hvm, c, trivial); }, op: function* (w, c) { yield* invoke(w.hvm, c, trivial); } },
  "parallel-call": { title: "parallel invoke (0x21) on every HRT core, incl. ROS polling", before: function* (w, c) { yield* invoke(w.hvm, c, trivial, true); }, op: function* (w, c) { yield* invoke(w.hvm, c, trivial, true); } },
  merge: { title: "address-space merge (0x30), incl. ROS polling", before: function* (w, c) { yield* merge(w.hvm, c); }, op: function* (w, c) { yield* merge(w.hvm, c); } },
  "sync-call": { title: "synchronous invoke over the set-up channel (no VMM)", before: function* (w, c) { yield* syncSetup(w.hvm, c); yield* syncCall(w.hvm, c); }, op: function* (w, c) { yield* syncCall(w.hvm, c); } },
  "line-floor": {
    title: "cache-line floor of the ROS/HRT core pair: one ping-pong round (no VMM)",
    before: function* (w, c) { const pp = pingPong(w); floors.set(w, pp); pp.start(2); yield* pp.round(c); },
    op: function* (w, c) { yield* floors.get(w)!.round(c); },
  },
  boot: { title: "HRT reboot: 0x2 request to fully booted", op: function* (w, c) { yield* w.hvm.hcall(c, HC.RESET_HRT); yield w.hvm.boot.booted!; } },
  forwarding: { title: "async invoke of a function that forwards a page fault to the ROS", op: function* (w, c) { yield* invoke(w.hvm, c, forwarding("pagefault")); } },
};

/** Operation names as the experiments label them (`op`) → the breakdown that shows one. */
const OP_ALIASES: Readonly<Record<string, string>> = {
  "async-invoke": "async-call", "parallel-invoke": "parallel-call", "sync-invoke": "sync-call", "cache-line-floor": "line-floor",
  "hrt-boot-full": "boot", "hrt-boot-early-ping": "boot", "hrt-boot-vmm-setup": "boot", "forward-pagefault": "forwarding",
  harness: "async-call", contention: "state-hypercall", baselines: "linux-process-start",
};

/** Everything `explainOp` accepts: breakdown names, operation names and the Linux baselines. */
export const EXPLAINABLE = [...Object.keys(OPS), ...Object.keys(OP_ALIASES), ...LINUX_BASELINE_OPS];

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
  const name = OP_ALIASES[experiment] ?? experiment;
  if ((LINUX_BASELINE_OPS as readonly string[]).includes(name)) {
    const b = explainLinuxBaseline(name, seed, p.costScale, p.overrides);
    return { breakdowns: [b], latency: b.total };
  }
  const spec = OPS[name];
  if (spec === undefined) throw new Error(`hvm: no breakdown for '${experiment}' (explainable: ${EXPLAINABLE.join(", ")})`);
  const w = buildWorld(p, `${seed}/explain`, { record: true });
  const rec = w.machine.recorder!;
  let from = 0, to = 0, last = -1;
  let lastCore: VCore | null = null;
  runHarness(w, {}, [function* (core) {
    if (spec.before) yield* spec.before(w, core);
    from = w.sim.now;
    yield* spec.op(w, core);
    to = w.sim.now;
    last = name === "boot" ? w.hvm.hrt[0]!.lastStep : core.lastStep;
    lastCore = core;
  }]);
  const where = new Map([...w.hvm.ros, ...w.hvm.hrt].map((c) => [`cpu${c.pcpu}`, c.label]));
  const relabel = (b: Breakdown): Breakdown => ({ ...b, steps: b.steps.map((s) => ({ ...s, where: where.get(s.where) ?? s.where })) });
  const end = name === "boot" ? w.hvm.boot.bootedAt : to;
  const caller = lastCore as VCore | null;
  const main = relabel(rec.criticalPath(`${spec.title}: critical path (${caller?.label ?? "ROS"})`, last, from, end));
  const others = [...w.hvm.ros, ...w.hvm.hrt]
    .filter((c) => c !== caller)
    .map((c) => timeline(rec, c.pcpu, from, end, `${spec.title}: what ${c.label} did meanwhile`, c.label))
    .filter((b) => b.steps.length > 0);
  return { breakdowns: [main, ...others], latency: end - from };
}
