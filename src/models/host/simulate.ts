/**
 * The host's experiments on the Linux model of the `host` machine: the microbench model's
 * replicas of benchmark.c where it has one, and replicas of the native harness's own
 * experiments (syscall, sync-roundtrip) here. Machine and Linux data are passed in, so the
 * calibration can try candidate values and the comparison can use any measurement set's fit.
 */
import type { ParameterFile } from "../hardware/params.js";
import type { MachineProfile } from "../hardware/profile.js";
import { Harness, type MicrobenchParams } from "../microbench/harness.js";
import { condvar, condvarBroadcast, spinlock, syncEvent } from "../microbench/sync.js";
import { ctxSwitch, threadBoth, threadCreate, threadRun, threadsLong } from "../microbench/threads.js";
import { ModelRunError } from "../plugin.js";
import type { Experiment } from "./measurements.js";

/** What the model of the host runs on: a machine profile and a complete Linux parameter file. */
export interface HostModelData {
  readonly hardware: MachineProfile;
  readonly linux: ParameterFile;
}

/**
 * exp_syscall of harness.c: stamp, syscall(SYS_getppid), stamp; raw (the stamp cost stays in).
 * getppid's body (a few loads) is not a separate cost: it is inside syscall.entry + exit.
 */
export function syscallLoop(h: Harness): void {
  const k = h.kernel;
  h.main(function* (self) {
    for (let i = 0; i < h.trials(10_000); i++) {
      const s = yield* k.stamp(self);
      yield* k.syscall(self, "getppid", 0);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
    }
  });
}

/**
 * exp_sync, round-trip phase, of harness.c: one persistent remote thread per CPU j; per
 * trial the remote announces `ready`, CPU 0 busy-waits 20 µs, stamps, sets the flag, spins
 * until the remote's ack, stamps; value = round trip ÷ 2.
 */
export function syncRoundtrip(h: Harness): void {
  const k = h.kernel;
  const n = h.trials(1000);
  h.main(function* (self) {
    for (const j of h.remoteCpus()) {
      const flag = k.newFlag(`sy.flag${j}`);
      const ready = k.newFlag(`sy.ready${j}`);
      const ack = k.newFlag(`sy.ack${j}`);
      const remote = yield* k.threadCreate(self, {
        name: `sync_remote${j}`, cpu: j, body: function* (me) {
          for (let seq = 1; seq <= n; seq++) {
            yield* k.write(me, ready, seq);
            yield* k.spinUntil(me, flag, (v) => v >= seq);
            yield* k.write(me, ack, seq);
          }
        },
      });
      for (let seq = 1; seq <= n; seq++) {
        yield* k.spinUntil(self, ready, (v) => v === seq);
        yield* k.delay(self, h.us(20));
        const s = yield* k.stamp(self);
        yield* k.write(self, flag, seq);
        yield* k.spinUntil(self, ack, (v) => v === seq);
        const e = yield* k.stamp(self);
        h.emit({ core: j, start: s, end: e, endStep: h.lastStep(self), value: (e - s) / 2 });
      }
      yield* k.threadJoin(self, remote);
    }
  });
}

/** The model's counterpart of each host experiment; fork-exec and posix-spawn have none. */
export const HOST_SIMULATIONS: Partial<Record<Experiment, { readonly run: (h: Harness) => void; readonly via: string }>> = {
  "thread-create": { run: threadCreate, via: "microbench thread-create" },
  "thread-run": { run: threadRun, via: "microbench thread-run" },
  "thread-both": { run: threadBoth, via: "microbench thread-both" },
  "threads-long": { run: threadsLong, via: "microbench threads-long (k = 2, 4, … up to the host's CPU count)" },
  "ctx-switch": { run: ctxSwitch, via: "microbench ctx-switch" },
  condvar: { run: condvar, via: "microbench condvar" },
  "condvar-bcast": { run: condvarBroadcast, via: "microbench condvar-bcast" },
  spinlock: { run: spinlock, via: "microbench spinlock" },
  syscall: { run: syscallLoop, via: "host replica of harness.c exp_syscall" },
  "sync-event": { run: syncEvent, via: "microbench sync-event" },
  "sync-roundtrip": { run: syncRoundtrip, via: "host replica of harness.c exp_sync (round trip ÷ 2)" },
};

/** Why an experiment has no simulated counterpart. */
export const NOT_MODELED: Partial<Record<Experiment, string>> = {
  "fork-exec": "the Linux model has fork but no execve, exit_group or wait4 path in the microbench harness",
  "posix-spawn": "the Linux model has no vfork/clone(CLONE_VM) + execve path",
};

/**
 * Runs `experiment` on the host's Linux model with `data`; returns the emitted values
 * (all cores pooled, in emission order). `trials` is per core (threads-long: per k).
 */
export function simulateHost(data: HostModelData, experiment: Experiment, trials: number, seed: string): number[] {
  const sim = HOST_SIMULATIONS[experiment];
  if (sim === undefined) throw new ModelRunError("model", `no model counterpart for host experiment ${experiment}: ${NOT_MODELED[experiment] ?? "unknown"}`);
  const params: MicrobenchParams = { machine: "host", kernel: "linux", trials };
  const h = new Harness(params, seed, false, { machine: data.hardware, linux: data.linux });
  sim.run(h);
  const report = h.sim.run({});
  if (report.reason !== "empty") throw new ModelRunError(report.reason === "deadlock" ? "deadlock" : "limit", `host ${experiment}: simulation stopped (${report.reason}) at t=${report.now}`);
  return h.observations.filter((o) => o.metric === "cycles").map((o) => o.value);
}
