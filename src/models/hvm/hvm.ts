/**
 * The Hybrid Virtual Machine (hvm.md): one VM split into ROS cores [0, R) and HRT cores
 * [R, N), the HVM hypercalls (under the VMM's one lock in the later Palacios) with the transaction state
 * machine that rejects requests in the wrong state, and the HRT side of upcalls: the
 * Nautilus #PF handler that recognises the magic error code and runs the request.
 * ROS-side operations (polling loops, sync calls) are in ros.ts; boot in boot.ts.
 */
import type { SimEvent } from "../../engine/index.js";
import type { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";
import { distanceClass } from "../hardware/profile.js";
import type { Gen } from "../kernel/types.js";
import { VCore, Vmm, type IdleMode } from "./vmm.js";

export const STATES = ["IDLE", "CALL", "PARCALL", "SYNCSETUP", "SYNC", "SYNCTEARDOWN", "MERGE"] as const;
export type HvmState = (typeof STATES)[number];

/** Hypercall commands (rcx) of the HVM hypercall (rax=0xf00d). */
export const HC = {
  NULL: 0x0, RESET_HRT: 0x2, GET_STATE: 0xf, EVENT_POST: 0x10, EVENT_ACK: 0x1e, EVENT_DONE: 0x1f,
  INVOKE: 0x20, INVOKE_PARALLEL: 0x21, SYNC_SETUP: 0x28, SYNC_TEARDOWN: 0x29, DONE: 0x2f,
  MERGE: 0x30, UNMERGE: 0x31, MERGE_DONE: 0x3f, SIGNAL_REGISTER: 0x40, SIGNAL_RAISE: 0x41,
} as const;
/** rax of a rejected request (the real handler returns -1). */
export const REJECTED = -1;

/** A function the ROS asks the HRT to run; it executes on the HRT core as guest code. */
export type HrtFunction = (hvm: Hvm, core: VCore) => Gen<void>;

export type Upcall =
  | { readonly kind: "invoke"; readonly id: number; readonly fn: HrtFunction }
  | { readonly kind: "merge" | "unmerge" | "sync" };

export type ForwardedEvent = { readonly kind: "pagefault" | "syscall" };

export interface HvmOptions {
  readonly rosCores: number;
  readonly hrtCores: number;
  /** Physical CPU of ROS vcore i is i; HRT vcore j runs on hrtFirstPcpu + j. */
  readonly hrtFirstPcpu: number;
  readonly idle: IdleMode;
  readonly logLock?: boolean;
}

/** A shared word one core writes and another spins on: seen one cache-line transfer later. */
export class SharedWord {
  value = 0;
  private waiter: { core: VCore; pred: (v: number) => boolean; event: SimEvent<number> } | null = null;

  constructor(
    private readonly hvm: Hvm,
    readonly name: string,
    /** Cycles until a spinner on `to` holds the line `from` wrote (default: the machine's line transfer). */
    private readonly transfer: (from: number, to: number) => number = (from, to) => hvm.machine.lineTransfer(from, to),
  ) {}

  /** `writer` (or the VMM on its CPU) stores `value`; a spinner elsewhere sees it after a line transfer. */
  publish(writer: VCore, value: number): void {
    this.value = value;
    const w = this.waiter;
    if (w === null || !w.pred(value)) return;
    this.waiter = null;
    const m = this.hvm.machine;
    const sentAt = m.sim.now;
    const sendStep = writer.lastStep;
    m.sim.schedule(this.transfer(writer.pcpu, w.core.pcpu), () => {
      const rec = m.recorder;
      const id = rec === null ? -1 : rec.record(w.core.pcpu, `see ${this.name} (line cpu${writer.pcpu}→cpu${w.core.pcpu})`, sentAt, m.sim.now, sendStep, 0);
      w.event.succeed(id);
    }, undefined, w.core.pcpu);
  }

  /** Spins on `core` until pred(value) holds (at once if it already does). */
  *spinUntil(core: VCore, pred: (v: number) => boolean): Gen<void> {
    if (pred(this.value)) return;
    const event = this.hvm.machine.sim.event<number>(`${core.label} spins on ${this.name}`);
    this.waiter = { core, pred, event };
    const seen: number = yield event;
    if (seen >= 0) core.lastStep = seen;
  }
}

export class Hvm {
  readonly vmm: Vmm;
  readonly ros: VCore[] = [];
  readonly hrt: VCore[] = [];
  state: HvmState = "IDLE";
  private transCount = 0;
  /** Requests rejected by the state machine or by the caller's side (ROS/HRT). */
  rejected = 0;
  /** Runs of each invoked function id on HRT cores (tests: exactly once per target). */
  readonly runs = new Map<number, number>();
  private nextInvokeId = 0;
  /** The event record the last 0xf poll copied into ROS memory (hvm-ros reads it). */
  delivered: ForwardedEvent | null = null;
  private pendingEvent: { event: ForwardedEvent; copied: boolean } | null = null;
  readonly eventDone: SharedWord;
  readonly sync = { issue: null as unknown as SharedWord, completion: null as unknown as SharedWord, teardown: null as unknown as SharedWord };
  signalRegistered = false;
  /** A raised signal waiting for the next ROS entry, with the time it was raised. */
  pendingSignal: { raisedAt: number } | null = null;
  /** Latencies measured by the HRT/ROS sides of forwarded events and signals (cycles). */
  readonly forwardLatencies: number[] = [];
  readonly signalLatencies: number[] = [];
  /** Boot stamps (VMM/HRT side): per-core set-up start, the early ping, fully booted. */
  readonly boot = { lastBootStart: 0, pingAt: -1, bootedAt: -1, booted: null as SimEvent<number> | null };

  constructor(
    readonly machine: Machine,
    readonly costs: CostTable,
    /** Nautilus costs (the HRT's own: call, ...). */
    readonly nautilus: CostTable,
    /** Linux costs (the ROS's own: syscall entry/exit, page fault). */
    readonly linux: CostTable,
    readonly options: HvmOptions,
  ) {
    this.vmm = new Vmm(machine, costs, options.idle, options.logLock ?? false);
    for (let i = 0; i < options.rosCores; i++) this.ros.push(new VCore(i, "ros", i));
    for (let j = 0; j < options.hrtCores; j++) this.hrt.push(new VCore(options.rosCores + j, "hrt", options.hrtFirstPcpu + j));
    const pcpus = new Set([...this.ros, ...this.hrt].map((c) => c.pcpu));
    if (pcpus.size !== this.ros.length + this.hrt.length) throw new RangeError(`HVM pinning puts two vcores on one physical CPU (hrtFirstPcpu=${options.hrtFirstPcpu} < rosCores=${options.rosCores}?)`);
    for (const c of [...this.ros, ...this.hrt]) machine.cpu(c.pcpu); // validates the CPU index
    this.eventDone = new SharedWord(this, "event completion word");
    // sync_proto[3] is one cache line: a spinner's read misses it wherever the other side wrote it.
    const miss = (from: number, to: number) => this.syncMiss(from, to);
    this.sync.issue = new SharedWord(this, "sync issue count", miss);
    this.sync.completion = new SharedWord(this, "sync completion count", miss);
    this.sync.teardown = new SharedWord(this, "sync teardown flag");
  }

  // ---- costs ---------------------------------------------------------------------------------

  c(name: string, core: VCore): number {
    return this.vmm.c(name, core);
  }
  hw(name: string, core: VCore): number {
    return this.vmm.hw(name, core);
  }
  nk(name: string, core: VCore): number {
    return this.nautilus.draw(name, this.machine.cpu(core.pcpu).rng);
  }
  /** A dimensionless Nautilus setting (counts of the HRT boot path). */
  nkSetting(name: string): number {
    return this.nautilus.setting(name);
  }
  lx(name: string, core: VCore): number {
    return this.linux.draw(name, this.machine.cpu(core.pcpu).rng);
  }
  /** A bulk loop of `n` items: n × the mean item cost (millions of draws average to the mean). */
  bulk(name: string, n: number): number {
    return Math.round(n * this.costs.meanCycles(name));
  }

  /**
   * A read miss on the sync line last written on `from`, from Bulldozer measurements converted
   * at the clock they were taken at: same module, sync.missSameModule; another module,
   * sync.missOtherModule plus what each further distance step (other die, HT hops) adds over
   * a same-die transfer in the machine profile (mctop's Magny-Cours steps, cycles at 2.1 GHz).
   */
  syncMiss(from: number, to: number): number {
    const rng = this.machine.cpu(to).rng;
    if (distanceClass(this.machine.profile.topology, from, to).cls === "sameModule") return this.costs.draw("sync.missSameModule", rng);
    const further = this.machine.lineTransfer(from, to) - this.machine.costs.meanCycles("cacheLine.sameDie");
    return this.costs.draw("sync.missOtherModule", rng) + Math.max(0, further);
  }

  /** A store by `core` to the sync line the other side (`other`) holds a copy of: invalidate it first. */
  syncUpgrade(core: VCore, other: VCore): number {
    const scale = this.costs.scale; // round in unscaled cycles, so that scaling every cost by k scales this by k
    return Math.round((this.costs.setting("sync.upgradeFraction") * this.syncMiss(other.pcpu, core.pcpu)) / scale) * scale;
  }

  get stateCode(): number {
    return STATES.indexOf(this.state);
  }

  // ---- hypercalls ----------------------------------------------------------------------------

  /** Issues HVM hypercall `cmd` from `core`; returns rax (REJECTED, 0, or the state code for 0xf). */
  *hcall(core: VCore, cmd: number, arg?: unknown): Gen<number> {
    return yield* this.vmm.hypercall(core, () => this.handle(core, cmd, arg));
  }

  private reject(): number {
    this.rejected++;
    return REJECTED;
  }

  private *handle(core: VCore, cmd: number, arg: unknown): Gen<number> {
    const ros = core.role === "ros";
    const v = this.vmm;
    switch (cmd) {
      case HC.NULL: {
        yield* v.step(core, "null hypercall: rdtsc", this.hw("rdtsc", core));
        if (!ros && core === this.hrt[0] && this.boot.pingAt < 0) this.boot.pingAt = this.machine.sim.now;
        yield* v.step(core, "null hypercall: V3_Print", this.c("hvm.handler.null", core));
        return 0;
      }
      case HC.RESET_HRT: {
        if (!ros) return this.reject();
        this.state = "IDLE";
        this.transCount = 0;
        this.boot.pingAt = -1;
        this.boot.bootedAt = -1;
        this.boot.booted = this.machine.sim.event<number>("HRT fully booted");
        for (const h of this.hrt) {
          h.resetPending = true;
          yield* v.hostIpi(core, h);
        }
        return 0;
      }
      case HC.GET_STATE: {
        yield* v.step(core, "0xf: read transaction state", this.c("hvm.handler.state", core));
        yield* v.step(core, "0xf: copy event record to ROS memory (guest page-table walk)", this.c("hvm.guestPtWalk", core));
        const p = this.pendingEvent;
        if (ros && p !== null && !p.copied) {
          p.copied = true;
          this.delivered = p.event;
        }
        return this.stateCode;
      }
      case HC.INVOKE:
      case HC.INVOKE_PARALLEL: {
        if (!ros || this.state !== "IDLE") return this.reject();
        yield* v.step(core, "invoke: write comm page, set CR2 magic", this.c("hvm.handler.invoke", core));
        const targets = cmd === HC.INVOKE ? [this.hrt[0]!] : this.hrt;
        const id = this.nextInvokeId++;
        const fn = arg as HrtFunction;
        this.runs.set(id, 0);
        this.transCount = targets.length;
        for (const h of targets) {
          h.pending = { kind: "invoke", id, fn } satisfies Upcall;
          yield* v.hostIpi(core, h);
        }
        this.state = cmd === HC.INVOKE ? "CALL" : "PARCALL";
        return 0;
      }
      case HC.DONE: {
        if (ros) return this.reject();
        yield* v.step(core, "0x2f: done (fetch-and-sub + state update)", this.hw("atomic", core) + this.c("hvm.handler.done", core));
        if (this.state === "CALL" || this.state === "PARCALL") {
          if (--this.transCount === 0) this.state = "IDLE";
        } else if (this.state === "SYNCSETUP") this.state = "SYNC";
        else if (this.state === "SYNCTEARDOWN") this.state = "IDLE";
        else return this.reject();
        return 0;
      }
      case HC.MERGE:
      case HC.UNMERGE:
      case HC.SYNC_SETUP: {
        if (!ros || this.state !== "IDLE") return this.reject();
        yield* v.step(core, `${cmd === HC.SYNC_SETUP ? "sync set-up" : cmd === HC.MERGE ? "merge" : "unmerge"}: write comm page (command, CR3), mark #PF`, this.c("hvm.handler.merge", core));
        const h = this.hrt[0]!;
        h.pending = { kind: cmd === HC.MERGE ? "merge" : cmd === HC.UNMERGE ? "unmerge" : "sync" } satisfies Upcall;
        yield* v.hostIpi(core, h);
        this.state = cmd === HC.SYNC_SETUP ? "SYNCSETUP" : "MERGE";
        return 0;
      }
      case HC.MERGE_DONE: {
        if (ros || this.state !== "MERGE") return this.reject();
        yield* v.step(core, "0x3f: merge done, state back to IDLE", this.c("hvm.handler.done", core));
        this.state = "IDLE";
        return 0;
      }
      case HC.SYNC_TEARDOWN: {
        if (!ros || this.state !== "SYNC") return this.reject();
        yield* v.step(core, "0x29: state SYNCTEARDOWN, write teardown flag into the channel", this.c("hvm.handler.done", core));
        this.state = "SYNCTEARDOWN";
        this.sync.teardown.publish(core, 1);
        return 0;
      }
      case HC.EVENT_POST: {
        if (ros || (this.state !== "CALL" && this.state !== "PARCALL") || this.pendingEvent !== null) return this.reject();
        yield* v.step(core, "0x10: record the HRT's event for the ROS", this.c("hvm.handler.event", core));
        this.pendingEvent = { event: arg as ForwardedEvent, copied: false };
        this.eventDone.value = 0;
        return 0;
      }
      case HC.EVENT_DONE: {
        if (!ros || this.pendingEvent === null || !this.pendingEvent.copied) return this.reject();
        yield* v.step(core, "0x1f: ROS completed the event: write completion to the comm page", this.c("hvm.handler.event", core));
        this.eventDone.publish(core, 1);
        return 0;
      }
      case HC.EVENT_ACK: {
        if (ros || this.pendingEvent === null || this.eventDone.value !== 1) return this.reject();
        yield* v.step(core, "0x1e: HRT acknowledges the completion", this.c("hvm.handler.event", core));
        this.pendingEvent = null;
        return 0;
      }
      case HC.SIGNAL_REGISTER: {
        if (!ros) return this.reject();
        yield* v.step(core, "0x40: record the ROS signal handler", this.c("hvm.handler.signal", core));
        this.signalRegistered = true;
        return 0;
      }
      case HC.SIGNAL_RAISE: {
        if (ros || !this.signalRegistered) return this.reject();
        yield* v.step(core, "0x41: record the signal (injected at the next ROS entry)", this.c("hvm.handler.signal", core));
        this.pendingSignal ??= { raisedAt: this.machine.sim.now };
        return 0;
      }
      default:
        return this.reject();
    }
  }

  // ---- the HRT side of an upcall -------------------------------------------------------------

  /** Nautilus' #PF handler on an HRT core, entered by the injected magic exception. */
  *upcall(core: VCore, req: Upcall): Gen<void> {
    const v = this.vmm;
    const from = this.ros[0]!.pcpu;
    yield* v.guest(core, "HRT: #PF vectoring through the IDT", this.hw("irq.entry", core));
    yield* v.guest(core, "Nautilus #PF handler: magic CR2/error code → upcall", this.c("hrt.upcall.magicCheck", core));
    yield* v.guest(core, `read request from the comm page (line cpu${from}→cpu${core.pcpu}) and dispatch`, this.machine.lineTransfer(from, core.pcpu) + this.c("hrt.upcall.dispatch", core));
    switch (req.kind) {
      case "invoke":
        this.runs.set(req.id, (this.runs.get(req.id) ?? 0) + 1);
        yield* req.fn(this, core);
        yield* this.hcall(core, HC.DONE);
        break;
      case "merge":
      case "unmerge": {
        const lines = Math.ceil(this.costs.setting("merge.copyBytes") / 64); // 64-byte cache lines
        if (req.kind === "merge") yield* v.guest(core, `copy the ROS process's lower 256 PML4 entries (${lines} lines)`, this.machine.lineTransfer(from, core.pcpu) + this.bulk("mem.copyPerLine", lines));
        else yield* v.guest(core, `zero the lower 256 PML4 entries (${lines} lines)`, this.bulk("mem.zeroPerLine", lines));
        yield* v.guest(core, "reload CR3 (TLB flush)", this.hw("tlb.flush", core));
        yield* this.hcall(core, HC.MERGE_DONE);
        break;
      }
      case "sync": {
        // b512503 hrt.c case 0x28: done_sync=0 before the DONE hypercall, and sync_count=1 after
        // it: the calls are counted from the set-up, so one the ROS issues (or a teardown it
        // flags) while DONE returns is served, not missed (a snapshot taken after DONE hung the ROS).
        this.sync.teardown.value = 0;
        const first = this.sync.issue.value + 1;
        yield* this.hcall(core, HC.DONE);
        yield* this.serveSync(core, first);
        yield* this.hcall(core, HC.DONE);
        break;
      }
    }
    yield* v.guest(core, "return from the upcall (iretq)", this.hw("irq.exit", core));
  }

  /** The HRT's first core spins in the upcall handler on the 3-word array until teardown, serving calls `first`, `first` + 1, … */
  private *serveSync(core: VCore, first: number): Gen<void> {
    const s = this.sync;
    for (let count = first; ; count++) {
      yield* this.anyOf(core, count);
      if (s.teardown.value !== 0) return;
      // b512503 hrt.c case 0x28: `while (!done_sync && sync_proto[0]!=sync_count) {}; sync_count++; sync_proto[1]++` — no call.
      yield* this.vmm.guest(core, "HRT: see the new issue count, sync_count++ (the loop calls no function)", this.c("hrt.syncLoop", core));
      yield* this.vmm.guest(core, `HRT: sync_proto[1]++ needs the line: upgrade, invalidating the ROS's copy (cpu${core.pcpu}↔cpu${this.ros[0]!.pcpu})`, this.syncUpgrade(core, this.ros[0]!) + this.hw("store", core));
      s.completion.publish(core, count);
    }
  }

  /** Waits for the issue count to reach `count` or for the teardown flag (both lines are watched). */
  private *anyOf(core: VCore, count: number): Gen<void> {
    const s = this.sync;
    if (s.issue.value === count || s.teardown.value !== 0) return;
    const sim = this.machine.sim;
    const done = sim.event<number>("sync wait");
    const a = sim.process("sync issue watch", s.issue.spinUntil(core, (x) => x === count));
    const b = sim.process("sync teardown watch", s.teardown.spinUntil(core, (x) => x !== 0));
    a.daemon = b.daemon = true;
    sim.anyOf([a, b]).onProcessed(() => done.succeed(core.lastStep));
    yield done;
  }

  /** After every ROS entry: a recorded signal is delivered to the process running there. */
  *afterEntry(core: VCore): Gen<void> {
    const sig = this.pendingSignal;
    if (core.role !== "ros" || sig === null || core !== this.ros[0]) return;
    this.pendingSignal = null;
    const v = this.vmm;
    yield* v.step(core, "Linux: deliver the signal (build the frame)", this.c("ros.signalDelivery", core));
    yield* v.step(core, "signal handler runs (call)", this.nk("call", core));
    this.signalLatencies.push(this.machine.sim.now - sig.raisedAt);
    yield* v.step(core, "sigreturn (system call)", this.lx("syscall.entry", core) + this.lx("syscall.exit", core));
  }
}
