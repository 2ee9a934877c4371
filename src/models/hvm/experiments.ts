/**
 * The hvm-ros harness (experiments.md) and the what-ifs: each experiment builds its own
 * simulated HVM (seed derived from the run's seed and the experiment), runs trials of the
 * authors' loops (total ÷ n per trial), and emits one observation per operation and trial.
 */
import { mean as d3Mean } from "d3-array";
import type { Observation, RunLimits, Scalar } from "../plugin.js";
import { runBaselines } from "./baselines.js";
import { pingPong } from "./floor.js";
import { HC } from "./hvm.js";
import type { ResolvedParams } from "./params.js";
import { forwarding, invoke, merge, raiseSignal, syncCall, syncSetup, syncTeardown, trivial, type OpResult } from "./ros.js";
import type { VCore } from "./vmm.js";
import { buildWorld, runHarness, type World } from "./world.js";
import type { Gen } from "../kernel/types.js";

export interface Part {
  readonly events: number;
  readonly fingerprint: string;
  readonly simTime: number;
}

/** Collects observations; every latency is emitted in cycles and in microseconds. */
export class Observations {
  readonly list: Observation[] = [];
  constructor(private readonly clockGHz: number) {}

  add(metric: string, value: number, labels: Record<string, Scalar>): void {
    this.list.push({ metric, value, labels });
  }

  latency(op: string, trial: number, cycles: number, extra: Record<string, Scalar> = {}): void {
    this.add("cycles", cycles, { op, trial, ...extra });
    this.add("usec", cycles / (this.clockGHz * 1e3), { op, trial, ...extra });
  }
}

type Experiment = (p: ResolvedParams, seed: string, limits: RunLimits, obs: Observations) => Part[];

function* stamp(w: World, core: VCore): Gen<number> {
  yield* w.hvm.vmm.guest(core, "rdtsc", w.hvm.hw("rdtsc", core));
  return w.sim.now;
}

const hrtExits = (w: World) => w.hvm.hrt.reduce((s, c) => s + c.exits, 0);
const lockWaits = (w: World) => [...w.hvm.ros, ...w.hvm.hrt].reduce((s, c) => s + c.lockWait, 0);

/**
 * A loop of `n` operations per trial; reports per-op latency, exits per side, lock wait. An
 * operation that hung (its completion was lost, the state machine is stuck) ends the run: the
 * trial reports `hung` 1 and no latency; completed trials report `hung` 0.
 */
function loopExperiment(op: string, setup: ((w: World, core: VCore) => Gen<void>) | null, body: (w: World, core: VCore) => Gen<OpResult | null>, teardown: ((w: World, core: VCore) => Gen<void>) | null = null): Experiment {
  return (p, seed, limits, obs) => {
    const w = buildWorld(p, `${seed}/${op}`);
    const part = runHarness(w, limits, [function* (core) {
      for (let t = 0; t < p.trials; t++) {
        if (setup !== null) yield* setup(w, core);
        const e0 = core.exits, h0 = hrtExits(w), l0 = lockWaits(w);
        let polls = 0;
        const s = yield* stamp(w, core);
        for (let i = 0; i < p.loop; i++) {
          const r = yield* body(w, core);
          if (r?.hung) {
            obs.add("hung", 1, { op, trial: t });
            return;
          }
          polls += r?.polls ?? 0;
        }
        obs.add("hung", 0, { op, trial: t });
        const perOp = ((yield* stamp(w, core)) - s) / p.loop;
        const rosExits = (core.exits - e0) / p.loop;
        obs.latency(op, t, perOp);
        obs.add("vmExits", rosExits, { op, trial: t, side: "ros" });
        obs.add("vmExits", (hrtExits(w) - h0) / p.loop, { op, trial: t, side: "hrt" });
        if (rosExits > 0) obs.add("cyclesPerExit", perOp / rosExits, { op, trial: t });
        obs.add("polls", polls / p.loop, { op, trial: t });
        obs.add("lockWaitCycles", (lockWaits(w) - l0) / p.loop, { op, trial: t });
        if (teardown !== null) yield* teardown(w, core);
      }
    }]);
    if (w.hvm.rejected > 0) obs.add("rejectedRequests", w.hvm.rejected, { op });
    return [part];
  };
}

const nullHypercall = loopExperiment("null-hypercall", null, function* (w, core) { yield* w.hvm.hcall(core, HC.NULL); return null; });
/** A bare poll (0xf): the exit round trip every poll of the async and merge loops pays. */
const stateHypercall = loopExperiment("state-hypercall", null, function* (w, core) { yield* w.hvm.hcall(core, HC.GET_STATE); return null; });
const asyncCall = loopExperiment("async-invoke", null, (w, core) => invoke(w.hvm, core, trivial));
const parallelCall = loopExperiment("parallel-invoke", null, (w, core) => invoke(w.hvm, core, trivial, true));
const mergeLoop = loopExperiment("merge", null, (w, core) => merge(w.hvm, core));

/** Sync: channel set-up and teardown timed once per trial, the calls in between as a loop. */
const syncCalls: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/sync`);
  const part = runHarness(w, limits, [function* (core) {
    for (let t = 0; t < p.trials; t++) {
      let s = yield* stamp(w, core);
      yield* syncSetup(w.hvm, core);
      obs.latency("sync-setup", t, (yield* stamp(w, core)) - s);
      const e0 = core.exits;
      s = yield* stamp(w, core);
      for (let i = 0; i < p.loop; i++) yield* syncCall(w.hvm, core);
      obs.latency("sync-invoke", t, ((yield* stamp(w, core)) - s) / p.loop);
      obs.add("vmExits", (core.exits - e0) / p.loop, { op: "sync-invoke", trial: t, side: "ros" });
      s = yield* stamp(w, core);
      yield* syncTeardown(w.hvm, core);
      obs.latency("sync-teardown", t, (yield* stamp(w, core)) - s);
    }
  }]);
  return [part];
};

/** The cache-line floor of the ROS/HRT core pair (floor.ts): ping-pong rounds, total ÷ n. */
const lineFloor: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/line-floor`);
  const pp = pingPong(w);
  pp.start(p.trials * p.loop);
  const part = runHarness(w, limits, [function* (core) {
    for (let t = 0; t < p.trials; t++) {
      const s = yield* stamp(w, core);
      for (let i = 0; i < p.loop; i++) yield* pp.round(core);
      obs.latency("cache-line-floor", t, ((yield* stamp(w, core)) - s) / p.loop);
    }
  }]);
  return [part];
};

/** HRT (re)boot: early ping (VMM's per-core set-up stamp → ping) and fully booted (0x2 → runtime up). */
const boot: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/boot`);
  const b = w.hvm.boot;
  const part = runHarness(w, limits, [function* (core) {
    for (let t = 0; t < p.trials; t++) {
      const s = yield* stamp(w, core);
      yield* w.hvm.hcall(core, HC.RESET_HRT);
      yield b.booted!;
      obs.latency("hrt-boot-early-ping", t, b.pingAt - b.lastBootStart);
      obs.latency("hrt-boot-full", t, b.bootedAt - s);
      obs.latency("hrt-boot-vmm-setup", t, b.lastBootStart - s);
    }
  }]);
  return [part];
};

/** HRT→ROS forwarding of a page fault and a system call, and a signal raised to the ROS. */
const forwardingExperiment: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/forwarding`);
  const h = w.hvm;
  const mean = (xs: number[]) => d3Mean(xs) ?? NaN;
  const part = runHarness(w, limits, [function* (core) {
    yield* h.hcall(core, HC.SIGNAL_REGISTER);
    for (let t = 0; t < p.trials; t++) {
      for (const kind of ["pagefault", "syscall"] as const) {
        h.forwardLatencies.length = 0;
        for (let i = 0; i < p.loop; i++) yield* invoke(h, core, forwarding(kind));
        obs.latency(`forward-${kind}`, t, mean(h.forwardLatencies));
      }
      h.signalLatencies.length = 0;
      for (let i = 0; i < p.loop; i++) yield* invoke(h, core, raiseSignal);
      obs.latency("signal", t, mean(h.signalLatencies));
    }
  }]);
  return [part];
};

/** Every ROS vcore polls (0xf) in a loop at once: the VM-wide lock serialises them. */
const contention: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/contention`);
  const bodies = w.hvm.ros.map(() => function* (core: VCore): Gen<void> {
    for (let t = 0; t < p.trials; t++) {
      const l0 = core.lockWait;
      const s = yield* stamp(w, core);
      for (let i = 0; i < p.loop; i++) yield* w.hvm.hcall(core, HC.GET_STATE);
      obs.latency("contended-hypercall", t, ((yield* stamp(w, core)) - s) / p.loop, { core: core.id });
      obs.add("lockWaitCycles", (core.lockWait - l0) / p.loop, { op: "contended-hypercall", trial: t, core: core.id });
    }
  });
  return [runHarness(w, limits, bodies)];
};

/** Function call (in the ROS, no exits), then the Linux model's system call, thread creation, process start. */
const baselines: Experiment = (p, seed, limits, obs) => {
  const w = buildWorld(p, `${seed}/function-call`);
  const part = runHarness(w, limits, [function* (core) {
    for (let t = 0; t < p.trials; t++) {
      const s = yield* stamp(w, core);
      for (let i = 0; i < p.loop; i++) yield* w.hvm.vmm.guest(core, "call + ret of an empty function", w.hvm.nk("call", core));
      obs.latency("function-call", t, ((yield* stamp(w, core)) - s) / p.loop);
    }
  }]);
  const linux = runBaselines({ seed, trials: p.trials, loop: p.loop, costScale: p.costScale, costs: p.costs, overrides: p.overrides, limits });
  linux.syscall.forEach((v, t) => obs.latency("linux-syscall", t, v));
  linux.threadCreate.forEach((v, t) => obs.latency("linux-thread-create", t, v));
  linux.processStart.forEach((v, t) => obs.latency("linux-process-start", t, v));
  return [part, linux];
};

const harness: Experiment = (p, seed, limits, obs) =>
  [nullHypercall, stateHypercall, mergeLoop, asyncCall, syncCalls, lineFloor, boot, baselines].flatMap((e) => e(p, seed, limits, obs));

export const EXPERIMENTS: Readonly<Record<string, { readonly run: Experiment; readonly description: string; readonly metrics: readonly string[] }>> = {
  harness: { run: harness, description: "the hvm-ros harness: null and 0xf hypercalls, merge, async and sync calls, HRT boot, beside the baselines (function call, the core pair's cache-line floor, Linux system call, thread creation, process start-up)", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung", "rejectedRequests"] },
  "null-hypercall": { run: nullHypercall, description: "loop of null hypercalls (one exit each)", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung"] },
  "state-hypercall": { run: stateHypercall, description: "loop of 0xf state polls (one exit each, no HRT work): the per-exit cost of the polling loops", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung"] },
  merge: { run: mergeLoop, description: "back-to-back address-space merges (no unmerge between), total ÷ n", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung"] },
  "async-call": { run: asyncCall, description: "asynchronous invocations (0x20) of a trivial function incl. the ROS polling, total ÷ n", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung"] },
  "parallel-call": { run: parallelCall, description: "parallel invocations (0x21) on every HRT core incl. polling, total ÷ n; a lost completion (paper era, no lock) hangs the run", metrics: ["cycles", "usec", "vmExits", "cyclesPerExit", "polls", "lockWaitCycles", "hung", "rejectedRequests"] },
  "sync-call": { run: syncCalls, description: "synchronous channel: set-up, a loop of calls (total ÷ n), teardown", metrics: ["cycles", "usec", "vmExits"] },
  "line-floor": { run: lineFloor, description: "cache-line ping-pong between the ROS core and the first HRT core (no VMM): the floor of any cross-core call on that pair", metrics: ["cycles", "usec"] },
  boot: { run: boot, description: "HRT reboot (0x2): early ping and fully booted end points", metrics: ["cycles", "usec"] },
  forwarding: { run: forwardingExperiment, description: "HRT→ROS page fault and system call forwarding, and signals to the ROS", metrics: ["cycles", "usec"] },
  contention: { run: contention, description: "all ROS vcores issue hypercalls at once: waits on the VM-wide lock", metrics: ["cycles", "usec", "lockWaitCycles"] },
  baselines: { run: baselines, description: "function call, Linux system call, thread creation (creator side) and process start-up", metrics: ["cycles", "usec"] },
};
