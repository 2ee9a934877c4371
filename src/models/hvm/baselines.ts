/**
 * The Linux baselines set beside the HVM operations (experiments.md), run on the hrtsim Linux
 * model (native Linux on the same x64 machine, its own noise): a system call, thread creation
 * (creator side, as the authors' harness stamps it) and process start-up (fork + execve +
 * dynamic loading + libc initialisation of a small program, then exit and wait4), all with the
 * Linux model's own mechanisms and parameters.
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { Thread } from "../kernel/objects.js";
import { LinuxKernel } from "../linux/kernel.js";
import { failOnRunEnd, type Breakdown, type RunLimits } from "../plugin.js";
import type { ParameterOverrides } from "../hardware/overrides.js";
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
  readonly overrides?: ParameterOverrides;
  readonly limits: RunLimits;
}

/** The Linux baselines `hrtsim explain` can break down, as the harness labels them. */
export const LINUX_BASELINE_OPS = ["linux-syscall", "linux-thread-create", "linux-process-start"] as const;

/** One recorded execution of a Linux baseline on a quiet machine: its critical path. */
export function explainLinuxBaseline(op: string, seed: string, costScale: number, overrides?: ParameterOverrides): Breakdown {
  const sim = new Simulation({ seed: `${seed}/explain ${op}` });
  const machine = new Machine({ sim, machine: "x64", costScale, streamPrefix: "linux", record: true, ...(overrides ? { overrides } : {}) });
  const k = new LinuxKernel(machine);
  const costs = hvmCosts(machine);
  let window = { from: 0, to: 0, last: -1 };
  k.boot({
    name: "harness", cpu: 0, body: function* (self) {
      const from = yield* k.stamp(self);
      if (op === "linux-syscall") yield* k.syscall(self, "getppid", costs.draw("baseline.getppidBody", machine.cpu(0).rng));
      else if (op === "linux-thread-create") yield* k.threadCreate(self, { name: "thread", cpu: 1, body: function* () {} });
      else yield* k.waitProcess(self, yield* k.fork(self, { name: "process", cpu: 1, body: (me) => k.execProgram(me) }));
      const to = yield* k.stamp(self);
      window = { from, to, last: (self as Thread).lastStep };
    },
  });
  const report = sim.run({});
  failOnRunEnd(report, { what: `Linux baseline ${op}` });
  return machine.recorder!.criticalPath(`${op} on the Linux model (x64), one execution`, window.last, window.from, window.to);
}

export function runBaselines(o: BaselineOptions): BaselineSamples {
  const sim = new Simulation({ seed: `${o.seed}/linux-baselines` });
  const machine = new Machine({ sim, machine: "x64", costScale: o.costScale, streamPrefix: "linux", ...(o.overrides ? { overrides: o.overrides } : {}) });
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
        const proc = yield* k.fork(self, { name: `process ${t}`, cpu: 1, body: (me) => k.execProgram(me) });
        yield* k.waitProcess(self, proc);
        out.processStart.push((yield* k.stamp(self)) - p0);
      }
    },
  });
  const report = sim.run(o.limits);
  failOnRunEnd(report, { what: "Linux baselines" });
  return { ...out, events: report.events, fingerprint: report.fingerprint, simTime: report.now };
}
