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
import { LinuxKernel } from "../linux/kernel.js";
import { failOnRunEnd, ModelRunError } from "../plugin.js";
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
function syscallLoop(h: Harness): void {
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
function syncRoundtrip(h: Harness): void {
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

/**
 * exp_fork_exec of harness.c: stamp, fork(), the child execve()s `hello` (which returns from
 * main at once: exit_group), the parent waitpid()s (wait4), stamp. The Linux model's process
 * path (linux/process.ts, the HVM baseline linux-process-start's): fork with copy_mm, the
 * child's execve and start-up up to main(), exit_group with proc.exit, the parent's wait4.
 * The harness's main thread is unpinned for this experiment; fork balancing puts the child on
 * the idle CPU, so the model places it on CPU 1 (CPU 0 on a one-CPU machine). The model's
 * start-up is that of a dynamically linked program (ld.so's system calls, relocations and
 * page faults; proc.* costs from x64, not fitted), while `hello` is linked statically
 * (machine.json helloLink): the ld.so part has no counterpart on the host, and is in the gap.
 */
function forkExec(h: Harness): void {
  const k = h.kernel;
  if (!(k instanceof LinuxKernel)) throw new ModelRunError("model", "host fork-exec: only the Linux model has processes (execve, wait4)");
  const cpu = h.machine.cpuCount > 1 ? 1 : 0;
  h.main(function* (self) {
    for (let i = 0; i < h.trials(1000); i++) {
      const s = yield* k.stamp(self);
      const child = yield* k.fork(self, { name: `hello ${i}`, cpu, body: (me) => k.execProgram(me) });
      yield* k.waitProcess(self, child);
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
    }
  });
}

/** The model's counterpart of each host experiment; posix-spawn has none (NOT_MODELED). */
export const HOST_SIMULATIONS: Partial<Record<Experiment, { readonly run: (h: Harness) => void; readonly via: string }>> = {
  "thread-create": { run: threadCreate, via: "microbench thread-create" },
  "thread-create-sleep100us": { run: (h) => threadCreate(h, 100), via: "microbench thread-create with the creator sleeping 100 µs (not 10 ms) between trials" },
  "thread-create-sleep1ms": { run: (h) => threadCreate(h, 1000), via: "microbench thread-create with the creator sleeping 1 ms (not 10 ms) between trials" },
  "thread-run": { run: threadRun, via: "microbench thread-run" },
  "thread-both": { run: threadBoth, via: "microbench thread-both" },
  "threads-long": { run: threadsLong, via: "microbench threads-long (k = 2, 4, … up to the host's CPU count)" },
  "ctx-switch": { run: ctxSwitch, via: "microbench ctx-switch" },
  condvar: { run: condvar, via: "microbench condvar" },
  "condvar-sleep1ms": { run: (h) => condvar(h, 1000), via: "microbench condvar with the signaller's DELAY 1 ms (not 100 µs)" },
  "condvar-bcast": { run: condvarBroadcast, via: "microbench condvar-bcast" },
  spinlock: { run: spinlock, via: "microbench spinlock" },
  syscall: { run: syscallLoop, via: "host replica of harness.c exp_syscall" },
  "sync-event": { run: syncEvent, via: "microbench sync-event" },
  "sync-roundtrip": { run: syncRoundtrip, via: "host replica of harness.c exp_sync (round trip ÷ 2)" },
  "fork-exec": {
    run: forkExec,
    via: "host replica of harness.c exp_fork_exec on the Linux model's process path (fork, execve + start-up of a dynamically linked program — hello is static, so ld.so's work is the model's alone — exit_group, wait4; proc.* costs from x64, not fitted)",
  },
};

/** Why an experiment has no simulated counterpart. */
export const NOT_MODELED: Partial<Record<Experiment, string>> = {
  detour: "a noise trace, not a timed primitive: the calibration replays it as the machine's interference (host/interference.ts)",
  "detour-start": "the start times of the detour trace (see detour)",
  "posix-spawn": "glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK) + execve; the Linux model has the execve half but not the clone half: " +
    "its only process creation is fork, which always copies the address space (fork.copyMm; proc.exec includes the exit_mmap of that copy), " +
    "and it has no vfork completion that suspends the parent until the child's execve releases the shared mm. fork + execve would be " +
    "fork-exec under another name, charging a page-table copy posix_spawn does not make",
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
  // harness.c re-pins main to CPU 0 before each experiment except process start-up (its children inherit that mask).
  h.pinMain = experiment !== "fork-exec";
  sim.run(h);
  const report = h.sim.run({});
  failOnRunEnd(report, { what: `host ${experiment}` });
  return h.observations.filter((o) => o.metric === "cycles").map((o) => o.value);
}
