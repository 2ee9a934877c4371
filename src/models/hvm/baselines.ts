/**
 * The Linux baselines set beside the HVM operations (experiments.md), run on the hrtsim Linux
 * model (native Linux on the same x64 machine, its own noise): a system call, thread creation
 * (creator side, as the authors' harness stamps it) and process start-up (fork + execve +
 * dynamic loading + libc initialisation of a small program, then exit and wait). The exec,
 * ld.so and libc steps the Linux model does not have come from the HVM data file.
 */
import { Simulation, describeDeadlock } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import type { Gen, ThreadRef } from "../kernel/types.js";
import { LinuxKernel } from "../linux/kernel.js";
import { ModelRunError, type RunLimits } from "../plugin.js";
import { hvmCosts, type CostOverrides } from "./costs.js";

export interface BaselineSamples {
  readonly syscall: number[];
  readonly threadCreate: number[];
  readonly processStart: number[];
  readonly events: number;
  readonly fingerprint: string;
  readonly simTime: number;
}

export interface BaselineOptions {
  readonly seed: string;
  readonly trials: number;
  readonly loop: number;
  readonly costScale: number;
  readonly costs?: CostOverrides;
  readonly limits: RunLimits;
}

/** The child of the process start-up baseline: execve, ld.so, libc init, then it exits. */
function* startProgram(k: LinuxKernel, hvmCosts: CostTable, me: ThreadRef): Gen<void> {
  const rng = k.machine.cpu(me.cpu).rng;
  const d = (name: string) => hvmCosts.draw(name, rng);
  yield* k.syscall(me, "execve", d("proc.exec"));
  const calls = hvmCosts.setting("proc.ldsoSyscalls");
  for (let i = 0; i < calls; i++) yield* k.syscall(me, "ld.so system call (open/mmap/mprotect/...)", d("proc.ldsoSyscallBody"));
  const faults = hvmCosts.setting("proc.pageFaults");
  let faultCycles = 0;
  for (let i = 0; i < faults; i++) faultCycles += k.costs.draw("pagefault", rng);
  yield* k.delay(me, faultCycles); // page faults of ld.so and libc start-up (Linux model's cost each)
  yield* k.delay(me, hvmCosts.setting("proc.relocations") * d("proc.relocationCost"));
  yield* k.delay(me, d("proc.libcInit"));
}

export function runBaselines(o: BaselineOptions): BaselineSamples {
  const sim = new Simulation({ seed: `${o.seed}/linux-baselines` });
  const machine = new Machine({ sim, machine: "x64", costScale: o.costScale, streamPrefix: "linux" });
  const k = new LinuxKernel(machine);
  const costs = hvmCosts(machine, o.costs);
  const out = { syscall: [] as number[], threadCreate: [] as number[], processStart: [] as number[] };
  const settle = Math.round(machine.clockGHz * 1e6 * 10) * o.costScale; // the harness's 10 ms delay
  k.boot({
    name: "harness", cpu: 0, body: function* (self) {
      for (let t = 0; t < o.trials; t++) {
        const s0 = yield* k.stamp(self);
        for (let i = 0; i < o.loop; i++) yield* k.syscall(self, "getppid", costs.draw("baseline.getppidBody", machine.cpu(0).rng));
        out.syscall.push(((yield* k.stamp(self)) - s0) / o.loop);

        const c0 = yield* k.stamp(self);
        const child = yield* k.threadCreate(self, { name: `thread ${t}`, cpu: 1, body: function* () {} });
        out.threadCreate.push((yield* k.stamp(self)) - c0);
        yield* k.delay(self, settle);
        yield* k.threadJoin(self, child);

        const p0 = yield* k.stamp(self);
        const proc = yield* k.fork(self, { name: `process ${t}`, cpu: 1, body: (me) => startProgram(k, costs, me) });
        yield* k.threadJoin(self, proc);
        yield* k.delay(self, costs.draw("proc.exitWait", machine.cpu(0).rng)); // exit_group mm teardown + wait4
        out.processStart.push((yield* k.stamp(self)) - p0);
      }
    },
  });
  const report = sim.run(o.limits);
  if (report.reason === "deadlock") throw new ModelRunError("deadlock", `Linux baselines: ${describeDeadlock(report)}`);
  if (report.reason !== "empty") throw new ModelRunError("limit", `Linux baselines stopped by the ${report.reason} limit at t=${report.now}`);
  return { ...out, events: report.events, fingerprint: report.fingerprint, simTime: report.now };
}
