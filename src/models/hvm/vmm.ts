/**
 * The Palacios VMM on AMD SVM, as the HVM uses it: virtual cores pinned to physical CPUs,
 * VM exits and entries with costs per exit reason, a full TLB flush at every entry and the
 * refills it causes, exception injection at entry, host IPIs that force a core to exit, the
 * VM-wide hypercall lock of the later Palacios (config.hypercallLock; the paper-era code has
 * none), console output one I/O exit per character, and the timed yield of a halted core's
 * host thread.
 *
 * Every vcore is driven by generator code (the guest's, or the host's on its behalf); each
 * step is a delay on that vcore's timeline, recorded (when recording) on its physical CPU
 * with its causal predecessor, so any operation can be broken down step by step.
 */
import { Resource, type SimEvent, type Simulation } from "../../engine/index.js";
import type { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import type { Gen } from "../kernel/types.js";

export type Role = "ros" | "hrt";
const EXIT_REASONS = ["hypercall", "external interrupt", "APIC access", "HLT", "CR8", "I/O port"] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
export type IdleMode = "poll" | "halt";

const EXIT_HANDLER_COST: Record<ExitReason, string> = {
  "hypercall": "vmm.exit.hypercall",
  "external interrupt": "vmm.exit.externalInterrupt",
  "APIC access": "vmm.exit.apicAccess",
  "HLT": "vmm.exit.hlt",
  "CR8": "vmm.exit.cr8",
  "I/O port": "vmm.exit.io",
};

export class VCore {
  /** guest: executing guest code; host: the VMM handles an exit; halted: host thread in timed yield. */
  mode: "guest" | "host" | "halted" = "guest";
  lastStep = -1;
  exits = 0;
  /** Cycles this core spent waiting for the hypercall lock. */
  lockWait = 0;
  /** Exception to inject at the next entry (the HVM's upcall request). */
  pending: unknown = undefined;
  /** A host IPI arrived while the guest was busy: exit at the next step boundary. */
  exitPending = false;
  /** A host IPI arrived while in the VMM: the host takes it before the next entry. */
  hostIrqPending = false;
  /** The HRT's host thread must run the reset path before its next entry. */
  resetPending = false;
  /** The idle loop (or the halted host thread) waits here for a host IPI; value = arrival step. */
  idleWait: SimEvent<number> | null = null;
  haltedSince = 0;
  wakeScheduled = false;
  /** Host IPIs whose handler is running or queued on the CPU of a halted core. */
  haltedIrqs = 0;
  /** A timed-yield wake that came during such a handler: it takes effect at the handler's end. */
  heldWake: SimEvent<number> | null = null;

  constructor(
    readonly id: number,
    readonly role: Role,
    readonly pcpu: number,
  ) {}

  get label(): string {
    return `${this.role.toUpperCase()} vcore${this.id} (cpu${this.pcpu})`;
  }
}

export interface LockHold {
  readonly core: number;
  readonly start: number;
  readonly end: number;
}

export interface VmmHooks {
  /** Runs in the guest right after an entry that injected `payload` (the upcall handler). */
  onException(core: VCore, payload: unknown): Gen<void>;
  /** Runs in the guest right after every entry (signal injection into the ROS process). */
  afterEntry(core: VCore): Gen<void>;
  /** Host-side HRT reset path, run instead of a normal entry when resetPending is set. */
  onReset(core: VCore): Gen<void>;
}

export class Vmm {
  readonly sim: Simulation;
  readonly lock: Resource;
  private lockOwnerPcpu = -1;
  /** Lock hold intervals (for the no-overlap property); kept only when asked. */
  readonly lockLog: LockHold[] | null;
  readonly exitCounts = new Map<ExitReason, number>(EXIT_REASONS.map((r) => [r, 0]));
  hooks: VmmHooks | null = null;

  constructor(
    readonly machine: Machine,
    readonly costs: CostTable,
    readonly idleMode: IdleMode,
    logLock = false,
  ) {
    this.sim = machine.sim;
    this.lock = new Resource(this.sim, "HVM hypercall lock", 1, "fifo");
    this.lockLog = logLock ? [] : null;
  }

  // ---- costs and steps -----------------------------------------------------------------------

  /** An HVM cost drawn on the core's physical CPU stream. */
  c(name: string, core: VCore): number {
    return this.costs.draw(name, this.machine.cpu(core.pcpu).rng);
  }

  /** A hardware cost (machine profile) drawn on the core's physical CPU stream. */
  hw(name: string, core: VCore): number {
    return this.machine.draw(name, core.pcpu);
  }

  /** A count parameter (dimensionless). */
  count(name: string): number {
    return this.costs.setting(name);
  }

  /** One step on the core's timeline; `prev` is its causal predecessor (default: the core's last step). */
  *step(core: VCore, name: string, cycles: number, prev = core.lastStep, note?: string): Gen<void> {
    const start = this.sim.now;
    if (cycles > 0) yield cycles;
    const rec = this.machine.recorder;
    if (rec !== null && (cycles > 0 || prev !== core.lastStep)) core.lastStep = rec.record(core.pcpu, name, start, this.sim.now, prev, 0, note);
  }

  /** Guest work; a host IPI that arrived meanwhile forces the exit at the step's end. */
  *guest(core: VCore, name: string, cycles: number, prev = core.lastStep): Gen<void> {
    yield* this.step(core, name, cycles, prev);
    yield* this.takePendingExit(core);
  }

  /** The exit a host IPI forced while the guest ran a step (and any that arrive during it). */
  private *takePendingExit(core: VCore): Gen<void> {
    while (core.exitPending) {
      core.exitPending = false;
      yield* this.exit(core, "external interrupt", () => this.hostIrq(core));
    }
  }

  /** TLB refill after an entry flushed everything: pages touched × nested-walk accesses × a load. */
  refill(core: VCore, pages = this.count(core.role === "ros" ? "tlb.pagesAfterEntry.ros" : "tlb.pagesAfterEntry.hrt")): number {
    const accesses = this.count("npt.walkAccesses");
    let sum = 0;
    for (let i = 0; i < pages * accesses; i++) sum += this.hw("tlb.refillPerPage", core);
    return sum;
  }

  // ---- exits and entries ---------------------------------------------------------------------

  /** The cycles of one exit for `reason` and the entry back (TLB flush and refills), drawn but not recorded. */
  private exitRoundTrip(core: VCore, reason: ExitReason, pagesAfter: number): number {
    core.exits++;
    this.exitCounts.set(reason, this.exitCounts.get(reason)! + 1);
    return this.c("svm.vmexit", core) + this.c("vmm.exitDispatch", core) + this.c(EXIT_HANDLER_COST[reason], core)
      + this.c("vmm.entryPrep", core) + this.c("svm.vmrun", core) + this.hw("tlb.flush", core) + this.refill(core, pagesAfter);
  }

  /**
   * Guest console output on the VMM's debug port: `outb(c, 0xc0c0)` per character, each an
   * I/O exit (os_debug.c handle_gen_write stores one character) and the entry back; at every
   * newline the VMM prints the buffered line to the host log. One recorded step for the lot.
   */
  *consoleOutput(core: VCore, what: string, chars: number, lines: number): Gen<void> {
    const pages = this.count("console.pagesAfterEntry");
    let cycles = 0;
    for (let i = 0; i < chars; i++) cycles += this.exitRoundTrip(core, "I/O port", pages);
    for (let i = 0; i < lines; i++) cycles += this.c("hvm.console.linePrint", core);
    yield* this.guest(core, `console: ${what}: ${chars} chars to port 0xc0c0 = ${chars} VM exits, ${lines} host log lines`, cycles);
  }

  /** A VM exit for `reason`, the handler `body` in the VMM, then the entry back. */
  *exit<T>(core: VCore, reason: ExitReason, body?: () => Gen<T>): Gen<T | undefined> {
    core.exits++;
    this.exitCounts.set(reason, this.exitCounts.get(reason)! + 1);
    core.mode = "host";
    yield* this.step(core, `#VMEXIT (${reason}): hardware state save`, this.c("svm.vmexit", core));
    yield* this.step(core, "VMM: save guest state, dispatch on exit code", this.c("vmm.exitDispatch", core));
    yield* this.step(core, `VMM: ${reason} exit handler`, this.c(EXIT_HANDLER_COST[reason], core));
    const r = body === undefined ? undefined : yield* body();
    yield* this.entry(core);
    return r;
  }

  /** The host's handling of the IPI that forced an exit (host IRQ entry, handler, EOI, iretq). */
  *hostIrq(core: VCore): Gen<void> {
    yield* this.step(core, "host: IRQ entry (forcing IPI)", this.hw("irq.entry", core));
    yield* this.step(core, "host: IPI handler", this.c("vmm.hostIpiHandler", core));
    yield* this.step(core, "host: EOI + iretq", this.hw("apic.eoi", core) + this.hw("irq.exit", core));
  }

  /** Back into the guest: pending host IRQ, entry preparation, injection, VMRUN + TLB flush, refills. */
  *entry(core: VCore): Gen<void> {
    if (core.hostIrqPending) {
      core.hostIrqPending = false;
      yield* this.hostIrq(core);
    }
    if (core.resetPending) {
      core.resetPending = false;
      yield* this.hooks!.onReset(core);
      return;
    }
    yield* this.step(core, "VMM: entry preparation (time, pending interrupts/exceptions)", this.c("vmm.entryPrep", core));
    const payload = core.pending;
    core.pending = undefined;
    if (payload !== undefined) yield* this.step(core, "VMM: inject #PF (magic error code) via EVENTINJ", this.c("vmm.injectException", core));
    yield* this.step(core, "VMRUN + full TLB flush (SVM TLB control)", this.c("svm.vmrun", core) + this.hw("tlb.flush", core));
    core.mode = "guest";
    // A host IPI that arrived during this entry (after its check above) is a physical interrupt
    // pending at VMRUN: it forces an exit as soon as the guest runs (it was lost until the next exit).
    if (core.hostIrqPending) {
      core.hostIrqPending = false;
      core.exitPending = true;
    }
    yield* this.step(core, "guest: TLB refills after the flush (nested walks)", this.refill(core));
    yield* this.hooks!.afterEntry(core);
    if (payload !== undefined) yield* this.hooks!.onException(core, payload);
  }

  // ---- hypercalls and the lock -----------------------------------------------------------------

  /** Whether hypercalls take the VM-wide lock: the later Palacios (d85300ed) does, the paper-era one (4e43946f) does not. */
  get hypercallLock(): boolean {
    return this.count("config.hypercallLock") !== 0;
  }

  /** vmmcall: exit, take the VM-wide lock if this era has one (queueing FIFO), run `body`, release, enter. */
  *hypercall<T>(core: VCore, body: () => Gen<T>): Gen<T> {
    const self = this;
    if (!this.hypercallLock) return (yield* this.exit(core, "hypercall", body)) as T;
    const r = yield* this.exit(core, "hypercall", function* () {
      const asked = self.sim.now;
      const before = core.lastStep;
      yield self.lock.request();
      const waited = self.sim.now - asked;
      if (waited > 0) {
        core.lockWait += waited;
        const rec = self.machine.recorder;
        if (rec !== null) core.lastStep = rec.record(core.pcpu, "wait for the VM-wide HVM lock", asked, self.sim.now, before, 0);
      }
      const line = self.lockOwnerPcpu < 0 || self.lockOwnerPcpu === core.pcpu ? 0 : self.machine.lineTransfer(self.lockOwnerPcpu, core.pcpu);
      yield* self.step(core, "take HVM lock (locked xchg + lock line)", self.hw("atomic", core) + line);
      const start = self.sim.now;
      const out = yield* body();
      yield* self.step(core, "release HVM lock", self.hw("store", core));
      self.lockLog?.push({ core: core.id, start, end: self.sim.now });
      self.lockOwnerPcpu = core.pcpu;
      self.lock.release();
      return out;
    });
    return r as T;
  }

  // ---- host IPIs, idle and halt ------------------------------------------------------------------

  /** The VMM on `from` forces `to` to exit: ICR write here, delivery one IPI latency later. */
  *hostIpi(from: VCore, to: VCore): Gen<void> {
    yield* this.step(from, `host IPI to cpu${to.pcpu}: write ICR`, this.hw("apic.icrWrite", from));
    const sentAt = this.sim.now;
    const sendStep = from.lastStep;
    this.sim.schedule(this.machine.ipiLatency(from.pcpu, to.pcpu), () => this.ipiArrives(to, sentAt, sendStep), undefined, to.pcpu);
  }

  private ipiArrives(core: VCore, sentAt: number, sendStep: number): void {
    const rec = this.machine.recorder;
    const arrival = rec === null ? -1 : rec.record(core.pcpu, `host IPI in flight to cpu${core.pcpu}`, sentAt, this.sim.now, sendStep, 0);
    if (core.mode === "halted" && (core.idleWait !== null || core.haltedIrqs > 0)) {
      this.wakeAtNextYield(core, arrival);
      this.haltedIrq(core, arrival);
    } else if (core.mode === "host" || core.mode === "halted") {
      // (halted: its thread woke this instant and is about to run in host mode)
      core.hostIrqPending = true;
    } else if (core.idleWait !== null) {
      const ev = core.idleWait;
      core.idleWait = null;
      ev.succeed(arrival);
    } else {
      core.exitPending = true;
    }
  }

  /**
   * The CPU of a halted core takes a host IPI at once (IRQ entry, handler, EOI + iretq) while its
   * host thread sleeps on; a timed-yield wake that falls inside the handler waits for its end.
   */
  private haltedIrq(core: VCore, arrival: number): void {
    if (core.haltedIrqs++ > 0) return; // the handler running takes this one next
    const self = this;
    this.sim.process(`${core.label} host IPI while halted`, (function* (): Gen<void> {
      if (arrival >= 0) core.lastStep = arrival;
      for (; core.haltedIrqs > 0; core.haltedIrqs--) yield* self.hostIrq(core);
      const held = core.heldWake;
      core.heldWake = null;
      held?.succeed(core.lastStep);
    })());
  }

  /** The sleeping host thread does not notice an IPI: it looks again when its timed yield ends. */
  private wakeAtNextYield(core: VCore, arrival: number): void {
    if (core.idleWait === null || core.wakeScheduled) return;
    // Whole cycles, at least one: a what-if period of 0 (or under a cycle) notices at the next cycle.
    const period = Math.max(1, Math.round(this.costs.meanCycles("host.yieldPeriod")));
    const k = Math.max(1, Math.ceil((this.sim.now - core.haltedSince) / period));
    const wakeAt = core.haltedSince + k * period;
    core.wakeScheduled = true;
    const ev = core.idleWait;
    this.sim.schedule(wakeAt - this.sim.now, () => {
      core.idleWait = null;
      core.wakeScheduled = false;
      if (core.haltedIrqs > 0) core.heldWake = ev;
      else ev.succeed(arrival);
    }, undefined, core.pcpu);
  }

  /** An HRT core's idle loop, forever: polling (exit on IPI) or hlt + timed yield. */
  *idle(core: VCore): Gen<void> {
    for (;;) {
      // A host IPI that arrived in a guest step outside guest() (the TLB refills after the last
      // entry) forces its exit now: waiting first lost it, and the upcall it carried never ran.
      yield* this.takePendingExit(core);
      if (this.idleMode === "poll") {
        core.mode = "guest";
        const ev = (core.idleWait = this.sim.event<number>(`${core.label} idle`));
        const arrival: number = yield ev;
        if (arrival >= 0) core.lastStep = arrival;
        yield* this.exit(core, "external interrupt", () => this.hostIrq(core));
        continue;
      }
      const self = this;
      yield* this.exit(core, "HLT", function* () {
        // An IPI that came during the HLT exit found the thread running in host mode: its host
        // handler runs first (as at an entry), and the thread sees it at its first timed-yield wake.
        let noticed = false;
        while (core.hostIrqPending) {
          core.hostIrqPending = false;
          noticed = true;
          yield* self.hostIrq(core);
        }
        core.mode = "halted";
        core.haltedSince = self.sim.now;
        const before = core.lastStep;
        const ev = (core.idleWait = self.sim.event<number>(`${core.label} timed yield`));
        if (noticed) self.wakeAtNextYield(core, -1);
        const arrival: number = yield ev;
        const rec = self.machine.recorder;
        if (rec !== null) core.lastStep = rec.record(core.pcpu, "host thread asleep in timed yield (IPI noticed at the next wake)", core.haltedSince, self.sim.now, arrival >= 0 ? arrival : before, 0);
        core.mode = "host";
        yield* self.step(core, "host thread wakes from the timed yield", self.c("host.threadWake", core));
      });
    }
  }
}
