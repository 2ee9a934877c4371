/**
 * The Linux scheduler as the model's Linux kernel (kernel.ts) drives it: CFS-like per-CPU run
 * queues with wake-up preemption, try_to_wake_up and reschedule IPIs, idle-state exit latency,
 * fork balancing, and sched_setaffinity with its migration (queued move or the stopper).
 * The system calls, threads, processes and synchronisation on top of it are kernel.ts's.
 */
import type { InterruptStep } from "../hardware/cpu.js";
import { BaseKernel, type StepList } from "../kernel/base.js";
import type { Thread } from "../kernel/objects.js";
import type { Gen } from "../kernel/types.js";

export abstract class LinuxScheduler extends BaseKernel {
  /** Whether deep idle states (core C6) may be chosen; set by the kernel's options. */
  protected abstract readonly deepIdle: boolean;

  // ---- scheduler ---------------------------------------------------------------------------

  protected switchSteps(cpu: number, next: Thread): StepList {
    const list: [string, number][] = [
      ["__schedule: pick_next_task_fair", this.k("sched.schedule", cpu)],
      ["context_switch (same mm: no CR3)", this.k("switch.contextSwitch", cpu)],
      ["FPU state save + restore", this.hw("fpu.save", cpu) + this.hw("fpu.restore", cpu)],
    ];
    if (next.starts === 0) list.push(["ret_from_fork: schedule_tail", this.k("clone.retFromFork", cpu)]);
    return list;
  }

  /** try_to_wake_up from a thread: enqueue on the wakee's CPU, preempt or IPI it. */
  protected *ttwu(caller: Thread, w: Thread): Gen<void> {
    const c = caller.cpu;
    const target = w.cpu;
    yield* this.steps(caller, [[`try_to_wake_up ${w.name} (rq of cpu${target})`, this.k("sched.ttwu", c) + this.lineFrom(this.sched(target).rqLineOwner, c)]]);
    this.enqueue(w, c);
    if (target === c) {
      this.sched(c).needResched = true; // wake-up preemption of the waker, at its next preemption point
      return;
    }
    yield* this.steps(caller, [["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]]);
    this.reschedIpi(c, target, caller.lastStep);
  }

  protected enqueue(w: Thread, from: number): void {
    const cs = this.sched(w.cpu);
    cs.rqLineOwner = from;
    if (w.state === "blocked" || w.state === "new") {
      w.state = "ready";
      cs.queue.push(w);
    } else w.wakePending = true;
  }

  /** Reschedule IPI: the target leaves its idle state, runs scheduler_ipi, then schedules. */
  protected reschedIpi(from: number, to: number, sendStep: number): void {
    this.machine.deliverIpi(from, to, "reschedule", () => [
      ...this.idleExit(to),
      { step: "IRQ entry (reschedule)", cycles: this.hw("irq.entry", to) },
      { step: "scheduler_ipi", cycles: this.k("sched.ipiHandler", to) },
      { step: "EOI write", cycles: this.hw("apic.eoi", to) },
      { step: "IRQ exit", cycles: this.hw("irq.exit", to) },
    ], (_end, last) => this.afterInterrupt(to, last), sendStep);
  }

  /** Exit latency of the idle state the menu governor chose for the idle period so far. */
  protected idleExit(cpu: number): InterruptStep[] {
    const cs = this.sched(cpu);
    if (cs.current !== null || cs.switching) return [];
    const now = this.sim.now;
    const idleFor = now - Math.max(cs.idleSince, this.machine.cpu(cpu).lastActivityBefore(now));
    const deep = this.deepIdle && idleFor >= this.costs.meanCycles("idle.deepAfter");
    return [{ step: deep ? "leave deep C-state" : "leave C1 (hlt)", cycles: this.hw(deep ? "idle.deepExit" : "idle.haltExit", cpu) }];
  }

  /** Fork balancing on an idle machine: the first idle CPU of the parent's module, die, socket, machine. */
  protected placeNewTask(parent: number): number {
    const t = this.machine.profile.topology;
    const groups = t.kind === "ring"
      ? [t.threadsPerCore, this.machine.cpuCount]
      : [t.cpusPerModule, t.cpusPerModule * t.modulesPerDie, t.cpusPerModule * t.modulesPerDie * t.diesPerSocket, this.machine.cpuCount];
    for (const size of groups) {
      const base = Math.floor(parent / size) * size;
      for (let i = base; i < base + size; i++) {
        const cs = this.sched(i);
        if (i !== parent && cs.current === null && !cs.switching && cs.queue.length === 0) return i;
      }
    }
    return parent;
  }

  // ---- affinity and migration ---------------------------------------------------------------

  /** sched_setaffinity(child): move it if it is queued elsewhere, stop-migrate it if it runs. */
  protected *setAffinity(t: Thread, child: Thread, target: number): Gen<void> {
    const c = t.cpu;
    yield* this.steps(t, [["syscall entry (sched_setaffinity)", this.k("syscall.entry", c)], ["sched_setaffinity: cpumask, __set_cpus_allowed_ptr", this.k("sched.setaffinity", c)]]);
    const from = child.cpu;
    if (from !== target && child.state === "ready") {
      const q = this.sched(from).queue;
      q.splice(q.indexOf(child), 1);
      yield* this.steps(t, [[`move_queued_task cpu${from}→cpu${target}`, this.k("sched.moveQueuedTask", c) + this.lineFrom(this.sched(from).rqLineOwner, c) + this.lineFrom(this.sched(target).rqLineOwner, c)]]);
      child.state = "blocked";
      child.cpu = target;
      this.enqueue(child, c);
      yield* this.steps(t, [["smp_send_reschedule: write ICR", this.hw("apic.icrWrite", c)]]);
      this.reschedIpi(c, target, t.lastStep);
    } else if (from !== target && child.state === "running") {
      // Running elsewhere: the migration stopper on its CPU moves it; we wait for completion.
      child.local.set("migrateTo", target);
      child.local.set("migrationWaiter", t);
      yield* this.steps(t, [["stop_one_cpu: queue stopper work, write ICR", this.hw("apic.icrWrite", c)]]);
      yield* this.block(t);
    } else child.cpu = target; // sleeping or new: the next wake-up goes to the new CPU
    yield* this.steps(t, [["syscall exit (sched_setaffinity)", this.k("syscall.exit", c)]]);
  }

  protected override atPreemptionPoint(t: Thread): Gen<void> | null {
    return t.local.has("migrateTo") ? this.migrateSelf(t) : null;
  }

  /** The stopper preempts `t` on its CPU, moves it to the new CPU and completes the waiter. */
  private *migrateSelf(t: Thread): Gen<void> {
    const target = t.local.get("migrateTo") as number;
    const waiter = t.local.get("migrationWaiter") as Thread;
    t.local.delete("migrateTo");
    t.local.delete("migrationWaiter");
    const from = t.cpu;
    const ev = this.offCpu(t, "blocked", false);
    // The stopper is the highest-priority kernel thread: nothing else runs on `from` meanwhile.
    const stop = [{ step: "migration stopper: migration_cpu_stop", cycles: this.k("sched.migrationStop", from) }];
    let last = -1;
    last = this.machine.cpu(from).interrupt("migration stopper", stop, () => {
      t.cpu = target;
      this.enqueue(t, from);
      this.reschedIpi(from, target, last);
      // complete(): wake the thread waiting in sched_setaffinity.
      this.enqueue(waiter, from);
      if (waiter.cpu !== from) this.reschedIpi(from, waiter.cpu, last);
      else this.afterInterrupt(from, last);
    }, t.lastStep).lastStep;
    yield ev;
  }
}
