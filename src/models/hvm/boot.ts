/**
 * HRT boot and reboot (hypercall 0x2, hvm.md): the HRT cores meet at a reset barrier, the
 * first one has the VMM write the HRT's boot state into HRT memory (image, stub IDT/GDT/TSS,
 * identity page tables for the mapped range, multiboot info), each core's state is set up
 * directly in long mode (the VMM stamps last_boot_start here), and the cores enter the
 * Nautilus HRT boot path: early init, memory, the splash and memory map on the console (one
 * VM exit per character, console.ts), the "I am up" null hypercall (early ping), then
 * CPU info, NUMA, allocator, IOAPIC, timer, APIC (every APIC access a VM exit), FPU,
 * scheduler, the later boot messages (again one exit per character), and the runtime on core
 * 0 ("fully booted"). The VMM's steps cost what the HVM
 * file says; the Nautilus boot steps (hrt.boot.*) are Nautilus's own parameters.
 */
import type { SimEvent } from "../../engine/index.js";
import type { Gen } from "../kernel/types.js";
import { HC, type Hvm } from "./hvm.js";
import type { VCore } from "./vmm.js";

export const PAGE_SIZES = { "4KB": 4096, "2MB": 2 ** 21, "1GB": 2 ** 30 } as const;
export type PageSize = keyof typeof PAGE_SIZES;
const GB = 2 ** 30;

export interface BootConfig {
  readonly mappedGB: number;
  readonly pageSize: PageSize;
}

/**
 * Page-table pages the VMM zeroes and entries it writes for an identity map of `bytes`
 * (vmm_hvm.c compute_pts_4KB/write_pts: one PML4, then PDPT, PD and PT levels as needed;
 * the VMM maps at least 4 GB).
 */
export function pageTableShape(mappedGB: number, pageSize: PageSize): { tablePages: number; entries: number; bytes: number } {
  const bytes = Math.max(mappedGB * GB, 4 * GB);
  const ceil = (a: number, b: number) => Math.ceil(a / b);
  const l2 = ceil(ceil(bytes, 512 * 512 * 4096), 512);
  const l3 = ceil(ceil(bytes, 512 * 4096), 512);
  const l4 = ceil(ceil(bytes, 4096), 512);
  const pdptEntries = ceil(bytes, GB);
  const pdEntries = ceil(bytes, 2 ** 21);
  const ptEntries = ceil(bytes, 4096);
  if (pageSize === "1GB") return { tablePages: 1 + l2, entries: l2 + pdptEntries, bytes };
  if (pageSize === "2MB") return { tablePages: 1 + l2 + l3, entries: l2 + pdptEntries + pdEntries, bytes };
  return { tablePages: 1 + l2 + l3 + l4, entries: l2 + pdptEntries + pdEntries + ptEntries, bytes };
}

interface Gates {
  arrived: number;
  readonly all: SimEvent<void>;
  readonly setupDone: SimEvent<void>;
  readonly kernelUp: SimEvent<number>;
  checkedIn: number;
  readonly allCheckedIn: SimEvent<number>;
}

const gatesByBoot = new WeakMap<SimEvent<number>, Gates>();

function gatesFor(hvm: Hvm): Gates {
  const key = hvm.boot.booted!;
  let g = gatesByBoot.get(key);
  if (g === undefined) {
    const sim = hvm.machine.sim;
    g = { arrived: 0, all: sim.event("reset barrier"), setupDone: sim.event("HRT memory set up"), kernelUp: sim.event("HRT kernel up"), checkedIn: 0, allCheckedIn: sim.event("HRT cores checked in") };
    gatesByBoot.set(key, g);
  }
  return g;
}

/** The reset path of one HRT core's host thread, then its Nautilus boot (ends in the idle loop). */
export function* resetCore(hvm: Hvm, core: VCore, cfg: BootConfig): Gen<void> {
  const v = hvm.vmm;
  const g = gatesFor(hvm);
  const leader = core === hvm.hrt[0];
  yield* v.step(core, "reset: counting barrier of the HRT cores", hvm.c("boot.resetBarrier", core));
  if (++g.arrived === hvm.hrt.length) g.all.succeed();
  else yield g.all;
  if (leader) {
    yield* vmSetup(hvm, core, cfg);
    g.setupDone.succeed();
  } else yield g.setupDone;
  if (leader) hvm.boot.lastBootStart = hvm.machine.sim.now;
  yield* v.step(core, "VMM: set up core state directly in long mode (regs, CR0/3/4, EFER, IDT/GDT/TSS, stack)", hvm.c("boot.perCoreState", core));
  yield* v.step(core, "VMM: entry preparation", hvm.c("vmm.entryPrep", core));
  yield* v.step(core, "VMRUN at the HRT entry point + full TLB flush", hvm.c("svm.vmrun", core) + hvm.hw("tlb.flush", core));
  core.mode = "guest";
  yield* v.step(core, "guest: TLB refills after the flush (nested walks)", v.refill(core));
  if (leader) yield* bootLeader(hvm, core, cfg, g);
  else yield* bootSecondary(hvm, core, g);
}

/** v3_setup_hvm_vm_for_boot: what the VMM writes into HRT memory before the cores start. */
function* vmSetup(hvm: Hvm, core: VCore, cfg: BootConfig): Gen<void> {
  const v = hvm.vmm;
  const shape = pageTableShape(cfg.mappedGB, cfg.pageSize);
  // 64-byte cache lines, 64 lines per 4 KiB page; 258 writes = null handler + 256 IDT entries + GDT (counts, not costs).
  const imageLines = Math.ceil(hvm.costs.setting("boot.imageBytes") / 64);
  yield* v.step(core, "VMM: find the multiboot2 header, parse the HRT tag", hvm.c("boot.elfParse", core));
  yield* v.step(core, `VMM: copy the HRT image into HRT memory (${imageLines} lines)`, hvm.bulk("mem.copyPerLine", imageLines));
  yield* v.step(core, "VMM: write null handler, 256 IDT entries, GDT, zero TSS", hvm.bulk("vmm.gpaWrite", 258) + hvm.bulk("mem.zeroPerLine", 64));
  yield* v.step(core, `VMM: zero ${shape.tablePages} page-table pages`, hvm.bulk("mem.zeroPerLine", 64 * shape.tablePages));
  yield* v.step(core, `VMM: write ${shape.entries} page-table entries (${cfg.pageSize} pages, ${shape.bytes / GB} GB)`, hvm.bulk("boot.pteWrite", shape.entries));
  yield* v.step(core, "VMM: write multiboot info", hvm.c("vmm.gpaWrite", core));
}

/** The HRT's boot console before the early ping (counts in the data file, from console.ts). */
export function consoleBeforePing(hvm: Hvm): { chars: number; lines: number } {
  return { chars: hvm.costs.setting("console.charsBeforePing"), lines: hvm.costs.setting("console.linesBeforePing") };
}

/** After the ping, up to full boot: the reference count for one HRT core plus the per-CPU kmem lines of the others. */
export function consoleAfterPing(hvm: Hvm): { chars: number; lines: number } {
  const extra = hvm.hrt.length - 1;
  const s = (name: string) => hvm.costs.setting(name);
  return {
    chars: s("console.charsAfterPing") + extra * s("console.charsPerExtraHrtCore"),
    lines: s("console.linesAfterPing") + extra * s("console.linesPerExtraHrtCore"),
  };
}

/** `n` guest accesses to emulated APIC/IOAPIC registers: one VM exit each. */
function* apicAccesses(hvm: Hvm, core: VCore, n: number): Gen<void> {
  for (let i = 0; i < n; i++) yield* hvm.vmm.exit(core, "APIC access");
}

function* bootLeader(hvm: Hvm, core: VCore, cfg: BootConfig, g: Gates): Gen<void> {
  const v = hvm.vmm;
  const shape = pageTableShape(cfg.mappedGB, cfg.pageSize);
  const bitmapLines = Math.ceil((shape.bytes / 4096) * hvm.nkSetting("hrt.boot.bitmapBitsPerPage") / 8 / 64);
  yield* v.guest(core, "Nautilus: early init (GDT/IDT, per-CPU area, boot info)", hvm.nk("hrt.boot.earlyInit", core));
  yield* v.guest(core, `Nautilus: boot memory set-up (frame bitmap ${bitmapLines} lines)`, hvm.nk("hrt.boot.memInitBase", core) + hvm.bulk("mem.zeroPerLine", bitmapLines));
  const early = consoleBeforePing(hvm);
  yield* v.consoleOutput(core, "splash, CPU vendor, boot memory map", early.chars, early.lines);
  yield* hvm.hcall(core, HC.NULL); // "I am up": the VMM stamps it
  yield* v.guest(core, "Nautilus: CPU info from the HRT boot tag", hvm.nk("hrt.boot.cpuInfo", core));
  yield* v.guest(core, "Nautilus: NUMA discovery", hvm.nk("hrt.boot.numa", core));
  yield* v.guest(core, `Nautilus: buddy allocator over ${shape.bytes / GB} GB`, Math.round((shape.bytes / GB) * hvm.nk("hrt.boot.buddyPerGB", core)));
  yield* apicAccesses(hvm, core, hvm.nkSetting("hrt.boot.ioapicAccesses"));
  yield* v.guest(core, "Nautilus: timer set-up (TSC rate from the boot tag)", hvm.nk("hrt.boot.timer", core));
  yield* apicAccesses(hvm, core, hvm.nkSetting("hrt.boot.apicAccesses"));
  yield* v.guest(core, "Nautilus: FPU/SSE enable", hvm.nk("hrt.boot.fpu", core));
  yield* v.guest(core, "Nautilus: scheduler and idle thread", hvm.nk("hrt.boot.sched", core));
  yield* v.guest(core, "Nautilus: release the other HRT cores (store)", hvm.hw("store", core));
  g.kernelUp.succeed(core.lastStep);
  if (hvm.hrt.length > 1) {
    const last: number = yield g.allCheckedIn;
    yield* v.guest(core, "Nautilus: all HRT cores checked in (see counter line)", 0, last);
  }
  const late = consoleAfterPing(hvm);
  yield* v.consoleOutput(core, "boot messages after the ping (upcall handler, CPUs, NUMA dump, kmem affinity, boot-memory accounting, scheduler, xcall)", late.chars, late.lines);
  yield* v.guest(core, "runtime initialisation", hvm.nk("hrt.boot.runtime", core));
  hvm.boot.bootedAt = hvm.machine.sim.now;
  hvm.boot.booted!.succeed(core.lastStep);
}

function* bootSecondary(hvm: Hvm, core: VCore, g: Gates): Gen<void> {
  const v = hvm.vmm;
  const leader = hvm.hrt[0]!;
  const up: number = yield g.kernelUp;
  yield* v.guest(core, `see the release flag (line cpu${leader.pcpu}→cpu${core.pcpu})`, hvm.machine.lineTransfer(leader.pcpu, core.pcpu), Math.max(up, core.lastStep));
  yield* apicAccesses(hvm, core, hvm.nkSetting("hrt.boot.apicAccesses"));
  yield* v.guest(core, "Nautilus: FPU/SSE enable", hvm.nk("hrt.boot.fpu", core));
  yield* v.guest(core, "Nautilus: per-core scheduler and idle thread", hvm.nk("hrt.boot.sched", core));
  yield* v.guest(core, "check in with HRT core 0 (locked increment)", hvm.nk("hrt.boot.barrierPerCore", core) + hvm.hw("atomic", core) + hvm.machine.lineTransfer(core.pcpu, leader.pcpu));
  if (++g.checkedIn === hvm.hrt.length - 1) g.allCheckedIn.succeed(core.lastStep);
}
