/**
 * The HRT's boot console, regenerated from the paper-era Nautilus source (HExSA-Lab/nautilus
 * af4d4e3, Oct 2015: the HRT boot path of src/arch/hrt/init.c hrt_bsp_init with the Kconfig
 * defaults, DEBUG_PRINTS=n). Under NAUT_CONFIG_HVM_HRT printk → debug_puts/debug_putc →
 * outb(c, 0xc0c0) (src/nautilus/printk.c:48-50, src/dev/cga.c:231), and Palacios'
 * os_debug.c handle_gen_write (4e43946f) takes one character per I/O exit and prints a line
 * to the host log at every '\n'. So every character of the formatted text is one VM exit.
 *
 * This is the reproducible count behind `console.*` in data/x64-svm.json: each message is its
 * print site (file:line at af4d4e3) with the format string and the arguments the HRT would
 * pass, formatted by the rules of Nautilus' _doprnt (src/nautilus/doprnt.c). Only plain
 * printk sites count (every *_DEBUG print is compiled out with DEBUG_PRINTS=n).
 */

export interface ConsoleLayout {
  /** Guest-physical memory of the VM (the HRT's multiboot map covers all of it). */
  readonly vmBytes: number;
  /** First HRT address: memory below it is the ROS's, reserved by the HRT's boot allocator. */
  readonly hrtStart: number;
  readonly hrtCores: number;
}

export interface ConsoleMessage {
  /** Print site at af4d4e3. */
  readonly site: string;
  readonly text: string;
}

/** The boot console split at the early ping (hvm_hrt_init's null hypercall, src/arch/hrt/hrt.c:312). */
export interface BootConsole {
  readonly beforePing: readonly ConsoleMessage[];
  readonly afterPing: readonly ConsoleMessage[];
}

const PAGE = 4096;
const APIC_BASE = 0xfee00000; // palacios vmm_multiboot.c:331
const IOAPIC_BASE = 0xfec00000; // palacios vmm_multiboot.c:332

/** The subset of Nautilus' _doprnt the boot path uses: %[0][width][l|ll](u|d|x|p|s). */
export function doprnt(fmt: string, args: ReadonlyArray<number | string>): string {
  let i = 0;
  return fmt.replace(/%(0?)(\d*)(l{0,2})([udxps%])/g, (_m, zero: string, width: string, _l: string, conv: string) => {
    if (conv === "%") return "%";
    const a = args[i++];
    if (conv === "s") return String(a);
    const n = BigInt(a as number);
    // %p: "0x" then at least 8 hex digits, zero-padded (doprnt.c case 'p').
    if (conv === "p") return "0x" + n.toString(16).padStart(8, "0");
    const digits = n.toString(conv === "x" ? 16 : 10);
    return zero === "0" ? digits.padStart(Number(width || 0), "0") : digits.padStart(Number(width || 0), " ");
  });
}

/** Palacios' multiboot memory map from the HRT's view (vmm_multiboot.c v3_build_multiboot_table, 4e43946f). */
export function multibootMemoryMap(vmBytes: number): { base: number; length: number; type: 1 | 2 }[] {
  const m: { base: number; length: number; type: 1 | 2 }[] = [
    { base: 0, length: 640 * 1024, type: 1 },
    { base: 640 * 1024, length: 384 * 1024, type: 2 },
    { base: 1024 * 1024, length: Math.min(vmBytes, IOAPIC_BASE) - 1024 * 1024, type: 1 },
    { base: IOAPIC_BASE, length: PAGE, type: 2 },
  ];
  if (vmBytes > IOAPIC_BASE + PAGE) m.push({ base: IOAPIC_BASE + PAGE, length: Math.min(vmBytes, APIC_BASE) - (IOAPIC_BASE + PAGE), type: 1 });
  m.push({ base: APIC_BASE, length: PAGE, type: 2 });
  if (vmBytes > APIC_BASE + PAGE) m.push({ base: APIC_BASE + PAGE, length: vmBytes - (APIC_BASE + PAGE), type: 1 });
  return m;
}

/** NAUT_WELCOME, include/nautilus/printk.h:59-68 at af4d4e3 (printed by show_splash, printk.c:193). */
const SPLASH = [
  "Welcome to                                         \n",
  "    _   __               __   _  __                \n",
  "   / | / /____ _ __  __ / /_ (_)/ /__  __ _____    \n",
  "  /  |/ // __ `// / / // __// // // / / // ___/    \n",
  " / /|  // /_/ // /_/ // /_ / // // /_/ /(__  )     \n",
  "/_/ |_/ \\__,_/ \\__,_/ \\__//_//_/ \\__,_//____/  \n",
  "+===============================================+  \n",
  " Kyle C. Hale (c) 2014 | Northwestern University   \n",
  "+===============================================+  \n\n",
].join("");

const TYPE_NAME = { 1: "usable RAM", 2: "reserved" } as const; // boot_mm.c:43 mem_region_types

export function bootConsole(l: ConsoleLayout): BootConsole {
  const msg = (site: string, fmt: string, ...args: Array<number | string>): ConsoleMessage => ({ site, text: doprnt(fmt, args) });
  const map = multibootMemoryMap(l.vmBytes);
  const usable = map.filter((e) => e.type === 1);
  const usableBytes = usable.reduce((s, e) => s + e.length, 0);
  const mb = (bytes: number) => [Math.floor(bytes / 1e6), bytes % 1e6] as const;

  const beforePing: ConsoleMessage[] = [
    { site: "src/nautilus/printk.c:193 show_splash (NAUT_WELCOME, include/nautilus/printk.h:59-68)", text: SPLASH },
    msg("src/nautilus/cpuid.c:99 detect_cpu", "Detected %s Processor\n", "AuthenticAMD"),
    msg("src/nautilus/mm/boot_mm.c:160 mm_boot_init", "BOOTMEM: Setting up boot memory allocator\n"),
    ...map.map((e, n) => msg("src/arch/hrt/early_mem.c:91 arch_detect_mem_map (one per multiboot entry)", "BOOTMEM: Memory map[%u] - [%p - %p] <%s>\n", n, e.base, e.base + e.length, TYPE_NAME[e.type])),
    msg("src/nautilus/mm/boot_mm.c:166 mm_boot_init", "BOOTMEM: Detected %llu.%llu MB of usable System RAM\n", ...mb(usableBytes)),
  ];

  // One NUMA domain (arch_numa_init of the HRT is empty, no SLIT): every usable region, no coalescing
  // (the regions are separated by the reserved pages), an empty adjacency list and no distance matrix.
  const regionLines = usable.flatMap((r, i) => [
    msg("src/nautilus/numa.c:266 dump_mem_regions", "\tMemory Region %u:\n", i),
    msg("src/nautilus/numa.c:267", "\t\tRange:         %p - %p\n", r.base, r.base + r.length),
    msg("src/nautilus/numa.c:268", "\t\tSize:          %lu.%lu MB\n", ...mb(r.length)),
    msg("src/nautilus/numa.c:269", "\t\tEnabled:       %s\n", "Yes"),
    msg("src/nautilus/numa.c:270", "\t\tHot Pluggable: %s\n", "No"),
    msg("src/nautilus/numa.c:271", "\t\tNon-volatile:  %s\n", "No"),
  ]);
  const cpuAffinity = Array.from({ length: l.hrtCores }, (_, c) => [
    msg("src/nautilus/mm/kmem.c:266 nk_kmem_init (per CPU)", "KMEM: CPU %u region affinity list:\n", c),
    ...usable.map((r) => msg("src/nautilus/mm/kmem.c:268 (per CPU and region)", "KMEM:     [Domain=%u, %p-%p]\n", 0, r.base, r.base + r.length)),
  ]).flat();
  // add_free_pages: the pages of a region above the ROS's part (the boot allocator reserved the rest).
  const added = usable.map((r) => Math.max(0, r.base + r.length - Math.max(r.base, l.hrtStart)));
  const totalAdded = added.reduce((s, x) => s + x, 0);
  const npages = l.vmBytes / PAGE + 1; // boot_mm.c:168-169: last_pfn + 1, then pm_len in C integer arithmetic
  const bitmapBytes = Math.floor((Math.floor(npages / 64) + 7) / 8) * 8;
  const reclaimed = bitmapBytes + PAGE * 3 + 2 ** 21; // boot_mm.c:500-511

  const afterPing: ConsoleMessage[] = [
    msg("src/arch/hrt/hrt.c:314 hvm_hrt_init", "HRT: Registering HRT upcall handler\n"),
    msg("src/arch/hrt/hrt.c:221 hrt_init_cpus", "HRT: HRT detected %u CPUs\n", l.hrtCores),
    msg("src/nautilus/numa.c:511-513 nk_dump_numa_info", "===================\n     NUMA INFO:\n===================\n"),
    msg("src/nautilus/numa.c:299-300 dump_numa_domains", "%u NUMA Domains:\n----------------\n", 1),
    msg("src/nautilus/numa.c:306", "Domain %u (Total Size = %lu.%lu MB)\n", 0, ...mb(usableBytes)),
    msg("src/nautilus/numa.c:311,283 (empty adjacency list)", "Adjacency List (ordered by distance): [no entries in adjacency list]\n"),
    msg("src/nautilus/numa.c:314", "%u constituent region%s:\n", usable.length, usable.length > 1 ? "s" : ""),
    ...regionLines,
    msg("src/nautilus/numa.c:317", "\n"),
    msg("src/nautilus/numa.c:519-522", "\n======================\n     END NUMA INFO:\n======================\n"),
    ...cpuAffinity,
    msg("src/nautilus/mm/boot_mm.c:467 mm_boot_kmem_init", "BOOTMEM: Adding boot memory regions to the kernel memory pool:\n"),
    ...added.map((a, j) => msg("src/nautilus/mm/boot_mm.c:473 (per region)", "BOOTMEM:     [Domain %02u : Region %02u] (%0lu.%02lu MB)\n", 0, j, ...mb(a))),
    msg("src/nautilus/mm/boot_mm.c:488-489", "BOOTMEM:     =======\nBOOTMEM:     [TOTAL] (%lu.%lu MB)\n", ...mb(totalAdded)),
    msg("src/nautilus/thread.c:1416 nk_sched_init", "SCHED: Initializing scheduler\n"),
    msg("src/nautilus/mm/boot_mm.c:497-499 mm_boot_kmem_cleanup", "BOOTMEM: Reclaiming boot sections and data:\nBOOTMEM:     [Boot alloc. page map] (%0lu.%02lu MB)\n", ...mb(bitmapBytes)),
    msg("src/nautilus/mm/boot_mm.c:506", "BOOTMEM:     [Boot page tables and stack]     (%0lu.%02u MB)\n", 0, PAGE % 1e6),
    msg("src/nautilus/mm/boot_mm.c:513-514", "BOOTMEM:     =======\nBOOTMEM:     [TOTAL] (%lu.%lu MB)\n", ...mb(reclaimed)),
    msg("src/nautilus/smp.c:269 smp_setup_xcall_bsp", "SMP: Setting up cross-core IPI event queue\n"),
  ];
  return { beforePing, afterPing };
}

/** Characters (= VM exits) and lines (= host log prints at '\n') of some messages. */
export function consoleSize(ms: readonly ConsoleMessage[]): { chars: number; lines: number } {
  const text = ms.map((m) => m.text).join("");
  return { chars: text.length, lines: text.split("\n").length - 1 };
}
