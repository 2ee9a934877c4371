/**
 * The Nautilus Aerokernel, paper-era design (nautilus.md; HExSA-Lab/nautilus b512503): ring 0
 * only, one address space, per-CPU FIFO run queues under spinlocks, a periodic APIC tick, wait
 * queues, glibc-style condition variables (condvar.ts) and Nemo events. No system calls, no mode
 * switches, no page faults, no CR3 writes. Idle CPUs poll their run queue (idle.ts): a remote
 * wake-up is an enqueue that the target's next poll finds; kick IPIs (KICK_SCHEDULE) and halting
 * (HALT_WHILE_IDLE) are Kconfig options, off by default as in the source (`config.*` entries).
 */
import x64Data from "./data/x64.json" with { type: "json" };
import phiData from "./data/phi.json" with { type: "json" };
import pathCounts from "./data/path-counts.json" with { type: "json" };
import type { InterruptStep } from "../hardware/cpu.js";
import type { Machine } from "../hardware/machine.js";
import { PeriodicNoise } from "../hardware/noise.js";
import type { NoiseSource } from "../hardware/cpu.js";
import type { CostTable } from "../hardware/params.js";
import { BaseKernel, type StepList } from "../kernel/base.js";
import { kernelCosts, kernelData } from "../kernel/costs.js";
import type { ParameterFile } from "../hardware/params.js";
import { SpinLock, Thread } from "../kernel/objects.js";
import type { CondVarRef, EventApi, Gen, HandlerBody, MutexRef, ThreadRef, ThreadSpec } from "../kernel/types.js";
import { NautilusCondVar, condBroadcast, condSignal, condWait } from "./condvar.js";
import { IDLE_PARAMETERS, IdleLoops, readConfig, tickPeriod, type NautilusConfig } from "./idle.js";

export const NAUTILUS_PARAMETERS = [
  "call", "irq.disableSave", "irq.restore", "malloc", "malloc.stack", "free", "thread.init", "thread.zero", "waitqueue.init",
  "list.op", "thread.stackSetup", "rq.op", "kick.handler", "sched.needResched", "switch.saveRegs", "switch.swap",
  "switch.restoreRegs", "thread.entry", "exit.bookkeeping", "fork.copyFrames", "condvar.bookkeeping",
  "nemo.lookup", "nemo.dispatch", "tick.handler", ...IDLE_PARAMETERS,
] as const;

export interface NautilusOptions {
  /** Kick remote CPUs with an IPI when a thread becomes ready there (default: config.kicks, off). */
  readonly kicks?: boolean;
  /** A complete parameter file to use instead of nautilusData(machine) (e.g. with overrides). */
  readonly parameters?: ParameterFile;
}

const NAUTILUS_FILES = { x64: x64Data, phi: phiData };
/** The built-in machines Nautilus has a parameter file for (not `host`: it is calibrated from Linux measurements). */
export const NAUTILUS_MACHINES = Object.keys(NAUTILUS_FILES) as readonly string[];

/** The complete parameter file for `machine` (the Phi's is derived from x64's and the path counts, see kernel/derive.ts). */
export function nautilusData(machine: string): ParameterFile {
  return kernelData("nautilus", machine, NAUTILUS_FILES, pathCounts);
}

/** The parameters nautilusNoise reads: the kernel's, and the machine's (the at-scale model varies only these). */
export const NAUTILUS_NOISE_PARAMETERS = {
  kernel: ["config.hz", "tick.handler", "sched.needResched"],
  hardware: ["irq.entry", "apic.eoi", "irq.exit"],
} as const;

/** A tick's steps in the order they are drawn: IRQ entry, timer bookkeeping, the reschedule check, EOI, exit. */
function tickSteps(machine: Machine, costs: CostTable): ReadonlyArray<readonly [CostTable, string]> {
  const hw = machine.costs;
  return [[hw, "irq.entry"], [costs, "tick.handler"], [costs, "sched.needResched"], [hw, "apic.eoi"], [hw, "irq.exit"]];
}

/** Per-CPU periodic APIC tick: entry, timer bookkeeping, EOI, exit; runs on idle CPUs too. Reads NAUTILUS_NOISE_PARAMETERS. */
function nautilusNoise(cpu: number, machine: Machine, costs: CostTable, phases: Map<number, number>): NoiseSource[] {
  const rng = machine.sim.streams.get(`nautilus/noise/cpu${cpu}`);
  const period = tickPeriod(machine, costs);
  const phase = rng.integer(0, period - 1);
  phases.set(cpu, phase);
  const steps = tickSteps(machine, costs);
  const duration = () => {
    let cycles = 0;
    for (const [table, name] of steps) cycles += table.draw(name, rng);
    return cycles;
  };
  return [new PeriodicNoise("timer tick", period, phase, machine.scale, duration, false)];
}

/**
 * Why the Nautilus tick (with the machine's SMIs, `smiShare`) would leave threads no cycle, or
 * undefined: a tick's mean drawn path (nautilusNoise's steps) over the tick period, plus the SMIs'
 * share, must stay below 1. `validate` asks (kernel/registry.ts); a run would spin in its noise.
 */
export function nautilusNoiseProblem(machine: Machine, costs: CostTable, smiShare = 0): string | undefined {
  const tick = tickSteps(machine, costs).reduce((sum, [table, name]) => sum + table.meanDrawCycles(name), 0);
  const share = tick / machine.scale / tickPeriod(machine, costs) + smiShare;
  if (share < 1) return undefined;
  const smi = smiShare > 0;
  return `Nautilus noise would take ${Math.round(share * 100)}% of every CPU (the tick, config.hz a second: IRQ entry + tick.handler + sched.needResched + EOI + IRQ exit${smi ? "; SMIs: rate × duration" : ""}; mean drawn durations): no cycle would be left for threads; lower config.hz or those costs${smi ? ", or the machine's smi.rate or smi.duration" : ""}`;
}

export class NautilusKernel extends BaseKernel {
  readonly name = "nautilus" as const;
  readonly kicks: boolean;
  readonly events: EventApi;
  /** The Kconfig options in force (config.* entries, or the kicks option). */
  readonly config: NautilusConfig;
  /** Global thread list lock (nk_thread_start appends every thread under it). */
  private readonly threadListLock = new SpinLock("global thread list");
  get configuration(): Readonly<Record<string, number>> {
    const c = this.config;
    return { kicks: +c.kicks, haltWhileIdle: +c.haltWhileIdle, useIdleThreads: +c.useIdleThreads, idleDelay: c.idleDelay, hz: c.hz };
  }
  /** Idle loops and their wake-ups (idle.ts). */
  private readonly idle: IdleLoops;
  /** Set while a switch is made at interrupt return (registers already saved at IRQ entry). */
  private switchAtIrqReturn = false;

  constructor(machine: Machine, options: NautilusOptions = {}) {
    super(machine, kernelCosts("nautilus", machine, options.parameters ?? nautilusData(machine.name), NAUTILUS_PARAMETERS));
    this.config = readConfig(this.costs, options.kicks);
    this.kicks = this.config.kicks;
    const phases = new Map<number, number>();
    this.idle = new IdleLoops(this, this.config, phases);
    machine.attachNoise((cpu, m) => nautilusNoise(cpu, m, this.costs, phases));
    this.events = {
      sendIpi: (self, cpu, handler) => this.sendIpi(self as Thread, cpu, "ipi", [], handler),
      notify: (self, cpu, action) => this.sendIpi(self as Thread, cpu, "nemo 0xe8", [["nemo: look up event vector", this.k("nemo.lookup", self.cpu)]], action, true),
      broadcast: (self, action) => this.broadcast(self as Thread, action),
    };
  }

  // ---- threads -----------------------------------------------------------------------------

  *threadCreate(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef> {
    const t = self as Thread;
    const c = t.cpu;
    yield* this.steps(t, [
      ["malloc thread struct (buddy)", this.k("malloc", c)],
      ["memset thread struct (~2.7 KB: TLS slots + FXSAVE area)", this.k("thread.zero", c)],
      ["malloc stack (buddy, 2 MB block)", this.k("malloc.stack", c)],
      ["initialise thread fields", this.k("thread.init", c)],
      ["allocate + zero wait queue", this.k("waitqueue.init", c)],
    ]);
    yield* this.acquire(t, this.threadListLock, "lock", []);
    yield* this.steps(t, [["append to global thread list", this.k("list.op", c)]]);
    yield* this.release(t, this.threadListLock, "unlock", []);
    // nk_thread_start builds the frame; it does not fxsave the creator (b512503 thread.c).
    yield* this.steps(t, [["build initial stack frame", this.k("thread.stackSetup", c)]]);
    const child = this.spawn(spec);
    yield* this.makeReady(t, child);
    return child;
  }

  /**
   * Enqueue on the thread's CPU under that run queue's lock; the target's idle loop (or CPU 0's
   * nk_schedule loop) finds it at its next poll. With KICK_SCHEDULE a remote target also gets a
   * kick IPI, which usually arrives after the poll has found the thread (a spurious interrupt).
   */
  protected *makeReady(caller: Thread, w: Thread, kick = this.kicks): Gen<void> {
    const c = caller.cpu;
    const target = w.cpu;
    const rq = this.sched(target);
    yield* this.steps(caller, [
      ["irq_disable_save (pushf; cli)", this.k("irq.disableSave", c)],
      [`lock run queue of cpu${target}`, this.hw("atomic", c) + this.lineFrom(rq.rqLineOwner, c)],
    ]);
    this.readyOrPend(w, rq);
    rq.rqLineOwner = c;
    yield* this.steps(caller, [
      ["enqueue + unlock", this.k("rq.op", c) + this.hw("store", c)],
      ["irq_enable_restore (sti)", this.k("irq.restore", c)],
    ]);
    // The run-queue line now lives on the caller; the target's poll pulls it back.
    if (target === c) return;
    if (kick) {
      yield* this.steps(caller, [["write ICR: kick IPI 0xfc", this.hw("apic.icrWrite", c)]]);
      this.machine.deliverIpi(c, target, "kick 0xfc", () => this.kickHandler(target), (_end, last) => this.afterInterrupt(target, last), caller.lastStep);
    }
    this.idle.enqueued(target, caller.lastStep);
  }

  private kickHandler(cpu: number): InterruptStep[] {
    return [
      ...this.idle.haltExit(cpu),
      ...this.irqSteps(cpu, "kick 0xfc", () => [{ step: "kick handler (empty)", cycles: this.k("kick.handler", cpu) }],
        () => [{ step: "reschedule check at IRQ return", cycles: this.k("sched.needResched", cpu) }]),
    ];
  }

  /** At interrupt return the switch enters at nk_thread_switch_intr_entry: registers are already saved. */
  protected override afterInterrupt(cpu: number, lastStep: number): void {
    this.switchAtIrqReturn = true;
    try {
      super.afterInterrupt(cpu, lastStep);
    } finally {
      this.switchAtIrqReturn = false;
    }
  }

  protected switchSteps(cpu: number, next: Thread): StepList {
    const list: [string, number][] = [
      ...this.idle.pickupSteps(cpu),
      ...(this.switchAtIrqReturn ? [] : [["switch: push frame + 15 GPRs", this.k("switch.saveRegs", cpu)] as [string, number]]),
      ["fxsave", this.hw("fpu.save", cpu)],
      ["switch: swap thread + stack pointer", this.k("switch.swap", cpu) + this.k("rq.op", cpu)],
      ["fxrstor", this.hw("fpu.restore", cpu)],
      ["switch: pop 15 GPRs", this.k("switch.restoreRegs", cpu)],
      ["iretq", this.hw("irq.exit", cpu)],
    ];
    if (next.starts === 0) list.push(["nk_thread_entry: sti; ret", this.k("thread.entry", cpu)]);
    return list;
  }

  protected *exitSteps(t: Thread): Gen<void> {
    yield* this.steps(t, [["nk_thread_exit bookkeeping", this.k("exit.bookkeeping", t.cpu)]]);
    for (const j of this.takeJoiners(t)) yield* this.makeReady(t, j);
  }

  *threadJoin(self: ThreadRef, target: ThreadRef): Gen<void> {
    const t = self as Thread;
    const other = target as Thread;
    if (!other.exitSignalled) {
      other.joiners.push(t);
      yield* this.block(t);
    }
    const c = t.cpu;
    yield* this.steps(t, [
      ["reap: unlink from thread list", this.k("list.op", c)],
      ["free stack, wait queue, thread struct", 3 * this.k("free", c)] /* three frees */,
    ]);
  }

  *yield(self: ThreadRef): Gen<void> {
    const t = self as Thread;
    const c = t.cpu;
    const cs = this.sched(c);
    yield* this.steps(t, [
      ["irq_disable_save (pushf; cli)", this.k("irq.disableSave", c)],
      ["lock local run queue", this.hw("atomic", c) + this.lineFrom(cs.rqLineOwner, c)],
    ]);
    cs.rqLineOwner = c;
    // On a CPU with an idle thread it sits in the run queue: get_runnable_thread skips it
    // (dequeue + requeue) when something else is ready, or puts it back when it is alone.
    const idleThread = this.idle.hasIdleThread(c) ? 2 * this.k("rq.op", c) : 0;
    if (cs.queue.length === 0) {
      yield* this.steps(t, [["unlock; nothing else to run", idleThread + this.hw("store", c) + this.k("irq.restore", c)]]);
      return;
    }
    yield* this.steps(t, [["take head, requeue self at tail, unlock", idleThread + 2 * this.k("rq.op", c) + this.hw("store", c)]]);
    yield this.offCpu(t, "ready", true);
  }

  *fork(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef> {
    const t = self as Thread;
    const c = t.cpu;
    yield* this.steps(t, [
      ["malloc thread struct + stack", this.k("malloc", c) + this.k("malloc.stack", c)],
      ["initialise thread fields", this.k("thread.init", c) + this.k("waitqueue.init", c)],
      ["copy caller's stack frames, patch return", this.k("fork.copyFrames", c)],
    ]);
    const child = this.spawn(spec);
    // Fork sends no kick (nautilus.md): a remote child waits for its CPU's idle loop.
    yield* this.makeReady(t, child, false);
    return child;
  }

  /** Sleep until the first tick after the deadline (periodic timer, paper-era). */
  *sleep(self: ThreadRef, cycles: number): Gen<void> {
    const t = self as Thread;
    const c = t.cpu;
    const period = tickPeriod(this.machine, this.costs) * this.machine.scale;
    const wakeAt = Math.ceil((this.sim.now + cycles) / period) * period;
    this.sim.schedule(wakeAt - this.sim.now, () => {
      this.readyOrPend(t, this.sched(c));
      this.afterInterrupt(c, -1);
    }, undefined, c);
    yield* this.block(t);
  }

  *syscall(self: ThreadRef, name: string, body: number): Gen<void> {
    yield* this.steps(self as Thread, [[`${name} (function call: no mode switch)`, this.k("call", self.cpu) + body]]);
  }

  // ---- mutexes (spinlocks in the authors' harness) and condition variables ----------------------

  newMutex(name: string): MutexRef {
    return new SpinLock(name);
  }

  *mutexLock(self: ThreadRef, m: MutexRef): Gen<void> {
    yield* this.acquire(self as Thread, m as SpinLock, "spin_lock", []);
  }

  *mutexUnlock(self: ThreadRef, m: MutexRef): Gen<void> {
    yield* this.release(self as Thread, m as SpinLock, "spin_unlock", []);
  }

  newCondVar(name: string): CondVarRef {
    const cv = new NautilusCondVar(name);
    this.condVars.push(cv);
    return cv;
  }

  private readonly condVars: NautilusCondVar[] = [];

  override get lostWakeups(): number {
    return this.condVars.reduce((n, cv) => n + cv.lostWakeups, 0);
  }

  condWait(self: ThreadRef, cv: CondVarRef, m: MutexRef): Gen<void> {
    return condWait(this.condOps(), self as Thread, cv as NautilusCondVar, m as SpinLock);
  }

  condSignal(self: ThreadRef, cv: CondVarRef): Gen<void> {
    return condSignal(this.condOps(), self as Thread, cv as NautilusCondVar);
  }

  condBroadcast(self: ThreadRef, cv: CondVarRef): Gen<void> {
    return condBroadcast(this.condOps(), self as Thread, cv as NautilusCondVar);
  }

  private condOps() {
    return {
      ...this.kernelOps(),
      // NK_LOCK is a plain spin_lock (b512503 spinlock.h, USE_TICKETLOCKS default n): no IRQ save.
      acquire: (t: Thread, l: SpinLock, label: string) => this.acquire(t, l, label, []),
      release: (t: Thread, l: SpinLock, label: string) => this.release(t, l, label, []),
    };
  }

  // ---- IPIs and Nemo events ------------------------------------------------------------------

  private *sendIpi(t: Thread, cpu: number, vector: string, before: StepList, handler: (cpu: number) => HandlerBody, nemo = false): Gen<void> {
    const c = t.cpu;
    yield* this.steps(t, [...before, [`write ICR: IPI ${vector} → cpu${cpu}`, this.hw("apic.icrWrite", c)]]);
    this.machine.deliverIpi(c, cpu, vector, () => this.handlerSteps(cpu, vector, handler(cpu), nemo), (_e, last) => this.afterInterrupt(cpu, last), t.lastStep);
  }

  private *broadcast(t: Thread, action: (cpu: number) => HandlerBody): Gen<void> {
    const c = t.cpu;
    yield* this.steps(t, [
      ["nemo: look up event vector", this.k("nemo.lookup", c)],
      ["write ICR: all-but-self IPI 0xe8", this.hw("apic.icrWriteBroadcast", c)],
    ]);
    for (let cpu = 0; cpu < this.machine.cpuCount; cpu++) {
      if (cpu === c) continue;
      this.machine.deliverIpi(c, cpu, "nemo 0xe8 (broadcast)", () => this.handlerSteps(cpu, "nemo 0xe8", action(cpu), true), (_e, last) => this.afterInterrupt(cpu, last), t.lastStep);
    }
  }

  private handlerSteps(cpu: number, vector: string, body: HandlerBody, nemo: boolean): InterruptStep[] {
    return this.irqSteps(cpu, vector, () => [
      ...(nemo ? [{ step: "nemo: dispatch registered action", cycles: this.k("nemo.dispatch", cpu) }] : []),
      ...body.steps,
    ], () => [{ step: "reschedule check + iretq", cycles: this.k("sched.needResched", cpu) + this.hw("irq.exit", cpu) }]);
  }
}
