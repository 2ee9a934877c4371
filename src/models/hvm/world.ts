/**
 * One simulated HVM: the x64 machine, the VMM and HVM, the HRT cores' idle loops (daemons),
 * and a harness process on ROS vcore 0. The HRT starts booted and idle unless the harness
 * reboots it. Costs: HVM data file, Nautilus' and Linux's own files, the machine profile.
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import { kernelCosts } from "../kernel/costs.js";
import type { Gen } from "../kernel/types.js";
import { linuxData } from "../linux/kernel.js";
import { nautilusData } from "../nautilus/kernel.js";
import { ModelRunError, failOnRunEnd, type RunLimits } from "../plugin.js";
import { resetCore } from "./boot.js";
import { HRT_BOOT_PARAMETERS, hvmCosts } from "./costs.js";
import { Hvm, type Upcall } from "./hvm.js";
import type { ResolvedParams } from "./params.js";
import type { VCore } from "./vmm.js";

export interface World {
  readonly sim: Simulation;
  readonly machine: Machine;
  readonly hvm: Hvm;
}

export function buildWorld(p: ResolvedParams, seed: string, options: { record?: boolean; logLock?: boolean } = {}): World {
  const sim = new Simulation({ seed });
  const machine = new Machine({ sim, machine: "x64", costScale: p.costScale, streamPrefix: "hvm", record: options.record ?? false, overrides: p.overrides });
  const hvm = new Hvm(
    machine,
    hvmCosts(machine, p.costs),
    kernelCosts("nautilus", machine, nautilusData(machine.name), ["call", ...HRT_BOOT_PARAMETERS]),
    kernelCosts("linux", machine, linuxData(machine.name), ["syscall.entry", "syscall.exit", "pagefault"]),
    { rosCores: p.rosCores, hrtCores: p.hrtCores, hrtFirstPcpu: p.hrtFirstPcpu, idle: p.hrtIdle, logLock: options.logLock ?? false },
  );
  const boot = { mappedGB: p.mappedGB, pageSize: p.pageSize };
  hvm.vmm.hooks = {
    onException: (core, payload) => hvm.upcall(core, payload as Upcall),
    afterEntry: (core) => hvm.afterEntry(core),
    onReset: (core) => resetCore(hvm, core, boot),
  };
  for (const h of hvm.hrt) sim.process(`${h.label} idle loop`, hvm.vmm.idle(h), { daemon: true });
  return { sim, machine, hvm };
}

/** Runs `body` on each given ROS vcore (default: vcore 0) to completion; throws ModelRunError otherwise. */
export function runHarness(w: World, limits: RunLimits, bodies: ReadonlyArray<(core: VCore) => Gen<void>>): { events: number; fingerprint: string; simTime: number } {
  bodies.forEach((body, i) => {
    const core = w.hvm.ros[i];
    if (core === undefined) throw new ModelRunError("model", `harness needs ROS vcore ${i} but rosCores=${w.hvm.ros.length}`);
    w.sim.process(`harness on ${core.label}`, body(core));
  });
  const report = w.sim.run(limits);
  failOnRunEnd(report);
  return { events: report.events, fingerprint: report.fingerprint, simTime: report.now };
}
