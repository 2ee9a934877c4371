/**
 * The runtime inside the Palacios HVM, composed here from the HVM model's public pieces (its
 * cost table and its ROS-side boot, merge and invoke paths); src/models/hvm is used as a
 * library, not changed.
 *  - In the guest, the APIC is emulated (no AVIC on the 6272): every ICR, EOI or timer-register
 *    write is a VM exit (nested page fault on the APIC page) and re-entry; every interrupt the
 *    guest takes (tick, IPI) arrives as a physical interrupt that exits, then is injected at
 *    re-entry; every entry flushes the TLB (refills after it). The virtualised machine profile
 *    adds those exit round trips (the HVM data file's means) to the x64 profile's APIC and
 *    IRQ-entry costs; the kernels then run unchanged on it.
 *  - Launch (HRT only): the ROS process reboots the HRT (0x2), merges its address space (0x30)
 *    and invokes the runtime on every HRT core (0x21), polling 0xf as hvm-ros does: simulated
 *    with the HVM model itself.
 */
import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import { machineProfile, type MachineProfile } from "../hardware/profile.js";
import { hvmCosts } from "../hvm/costs.js";
import { HC } from "../hvm/hvm.js";
import { resolveParams } from "../hvm/params.js";
import { invoke, merge, trivial } from "../hvm/ros.js";
import { buildWorld, runHarness } from "../hvm/world.js";
import type { DistributionSpec } from "../../engine/index.js";

/** Mean cycles of one guest exit round trip handled by `handler` (entry, dispatch, handler, re-entry, TLB refills). */
function exitRoundTrip(hvm: CostTable, hw: CostTable, handler: string): number {
  const refills = hvm.setting("tlb.pagesAfterEntry.hrt") * hvm.setting("npt.walkAccesses") * hw.meanCycles("tlb.refillPerPage");
  return ["svm.vmexit", "vmm.exitDispatch", handler, "vmm.entryPrep", "svm.vmrun"].reduce((s, n) => s + hvm.meanCycles(n), 0) + hw.meanCycles("tlb.flush") + refills;
}

const APIC_WRITES = ["apic.icrWrite", "apic.icrWriteBroadcast", "apic.eoi", "apic.timerProgram"] as const;

/** The x64 profile as a guest of the HVM sees it (same name, so the kernels' x64 files apply). */
export function virtualizedProfile(): MachineProfile {
  const base = machineProfile("x64");
  const probe = new Machine({ sim: new Simulation(), machine: base, streamPrefix: "hvm-profile" });
  const hvm = hvmCosts(probe);
  const apicExit = exitRoundTrip(hvm, probe.costs, "vmm.exit.apicAccess");
  const irqExit = exitRoundTrip(hvm, probe.costs, "vmm.exit.externalInterrupt") + hvm.meanCycles("vmm.injectException");
  const parameters = { ...base.parameters };
  const shift = (name: string, cycles: number, why: string) => {
    const e = parameters[name]!;
    parameters[name] = { ...e, value: { dist: "shifted", shift: Math.round(cycles), of: e.value as DistributionSpec } as never, source: `${why} (+${Math.round(cycles)} cycles: means of hvm/data/x64-svm.json's exit path) over the native entry: ${e.source}` };
  };
  for (const n of APIC_WRITES) shift(n, apicExit, "in the HVM guest an xAPIC write is a VM exit + re-entry + TLB refills");
  shift("irq.entry", irqExit, "in the HVM guest every interrupt is a physical interrupt exit, then injection at re-entry + TLB refills");
  return { ...base, subject: `${base.subject}, as an HVM guest (Palacios, AMD SVM, emulated xAPIC)`, parameters };
}


/** ROS-side cycles to reboot the HRT on `hrtCores` cores, merge, and invoke the runtime on every HRT core. */
export function hrtLaunchCycles(hrtCores: number, seed: string): number {
  const w = buildWorld(resolveParams({ hrtCores, rosCores: 1, trials: 1, loop: 1 }), `${seed}/hvm-launch`);
  let cycles = 0;
  runHarness(w, {}, [function* (core) {
    const start = w.sim.now;
    yield* w.hvm.hcall(core, HC.RESET_HRT);
    yield w.hvm.boot.booted!;
    yield* merge(w.hvm, core);
    yield* invoke(w.hvm, core, trivial, true);
    cycles = w.sim.now - start;
  }]);
  return cycles;
}
