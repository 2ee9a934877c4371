/**
 * A parallel task runtime on the kernel interface (README.md): one worker thread pinned per
 * core, a ready queue per worker, dependency events that launch a task when its last
 * precondition triggers, barriers and reductions. Every synchronisation is the kernel's own
 * primitive, reached only through `Kernel`: queue locks are the kernel's mutex (Nautilus: a
 * spinlock; Linux: a futex mutex), an idle worker sleeps on the kernel's condition variable
 * (Nautilus: nk condvar + wait queue; Linux: futex) or polls a shared word, barriers are the
 * kernel's barrier, reduction accumulators are kernel spinlocks. The runtime's own bookkeeping
 * costs (data/<machine>.json) run as "runtime:" steps, task bodies as "compute:" steps, so a
 * critical path splits into runtime, kernel and compute.
 */
import type { Simulation } from "../../engine/index.js";
import type { CostTable } from "../hardware/params.js";
import type { Thread } from "../kernel/objects.js";
import type { BarrierRef, BarrierRounds, CondVarRef, FlagRef, Gen, Kernel, MutexRef, SpinLockRef, ThreadRef } from "../kernel/types.js";
import { runtimeCosts, type RuntimeCostOverrides } from "./costs.js";

/** Who the paper-era Nautilus condvar race can strand when idle workers block (models' deadlock notes: condvarRaceHint). */
export const BLOCKED_WORKER = "a worker asleep on its queue's condvar";

/** How an idle worker (or a thread waiting for an event) waits. */
export const IDLE_POLICIES = ["block", "spin"] as const;
export type IdlePolicy = (typeof IDLE_POLICIES)[number];

export interface RuntimeConfig {
  /** One worker thread per listed CPU, pinned there; worker i runs on cores[i]. */
  readonly cores: readonly number[];
  /** block: sleep on the kernel's condvar under the queue mutex; spin: poll a shared word. */
  readonly idle: IdlePolicy;
  /** Scenario overrides of the runtime's data-file costs. */
  readonly costs?: RuntimeCostOverrides;
  /** Record every task's ready/start/end times (tests, explain). */
  readonly trace?: boolean;
}

/** A one-shot event (Realm-style): tasks and threads wait on it; triggering releases them. */
export class RtEvent {
  triggered = false;
  /** Time the event triggered (−1 before). */
  at = -1;
  /** Last recorded step of the triggering thread (breakdowns). */
  step = -1;
  readonly dependents: Dependent[] = [];
  waitSync: { readonly mutex: MutexRef; readonly cv: CondVarRef; readonly flag: FlagRef; sleepers: number } | null = null;
  constructor(readonly id: number, readonly name: string) {}
}

export interface TaskContext {
  readonly runtime: Runtime;
  /** Index of the worker running the task. */
  readonly worker: number;
  readonly kernel: Kernel;
}

export interface TaskSpec {
  readonly name: string;
  /** Worker index (0 ≤ worker < cores.length) the task is mapped to. */
  readonly worker: number;
  /** Events that must trigger before the task may start. */
  readonly after?: readonly RtEvent[];
  /** The task's work, run by the worker thread (use `runtime.compute` for computation). */
  readonly body: (self: ThreadRef, ctx: TaskContext) => Gen<void>;
}

/** Something waiting for events: fired by the thread that triggers the last of them. */
export interface Dependent {
  remaining: number;
  fire(self: ThreadRef): Gen<void>;
}

interface PendingTask extends Dependent {
  readonly spec: TaskSpec;
  readonly done: RtEvent;
}

/** One task's life, recorded when `trace` is on. */
export interface TaskRecord {
  readonly name: string;
  readonly worker: number;
  readonly inputs: readonly number[];
  readonly done: number;
  ready: number;
  start: number;
  end: number;
}

interface WorkerQueue {
  readonly tasks: PendingTask[];
  readonly mutex: MutexRef;
  readonly cv: CondVarRef;
  readonly flag: FlagRef;
  sleepers: number;
  pushes: number;
}

/** A scalar reduction over `parties` contributions; `done` triggers with the result. */
export class Reduction {
  value: number;
  contributed = 0;
  constructor(
    readonly name: string,
    readonly parties: number,
    readonly lock: SpinLockRef,
    readonly done: RtEvent,
    readonly op: (a: number, b: number) => number,
    identity: number,
  ) {
    this.value = identity;
  }
}

export class Runtime {
  readonly costs: CostTable;
  readonly sim: Simulation;
  readonly trace: TaskRecord[] | null;
  readonly workers: ThreadRef[] = [];
  private readonly queues: WorkerQueue[];
  private readonly records = new Map<PendingTask, TaskRecord>();
  private nextEvent = 0;
  private stopping = false;

  constructor(readonly kernel: Kernel, readonly config: RuntimeConfig) {
    if (config.cores.length === 0) throw new RangeError("runtime: at least one worker core is needed");
    this.sim = kernel.machine.sim;
    this.costs = runtimeCosts(kernel.machine, config.costs);
    this.trace = config.trace ? [] : null;
    this.queues = config.cores.map((c, i) => ({
      tasks: [], sleepers: 0, pushes: 0,
      mutex: kernel.newMutex(`worker ${i} queue (cpu${c})`),
      cv: kernel.newCondVar(`worker ${i} queue not empty`),
      flag: kernel.newFlag(`worker ${i} queue pushes`),
    }));
  }

  get size(): number {
    return this.config.cores.length;
  }

  /** A runtime bookkeeping step: `times` draws of `name` (data-file cost) on the calling thread's CPU. */
  *charge(self: ThreadRef, name: string, what: string, times = 1): Gen<void> {
    const rng = this.sim.streams.get(`runtime/cpu${self.cpu}`);
    let cycles = 0;
    for (let i = 0; i < times; i++) cycles += this.costs.draw(name, rng);
    yield* this.kernel.compute(self, `runtime: ${what}`, cycles);
  }

  /** Application computation (a "compute:" step). */
  compute(self: ThreadRef, name: string, cycles: number): Gen<void> {
    return this.kernel.compute(self, `compute: ${name}`, cycles);
  }

  // ---- workers ------------------------------------------------------------------------------

  /** Creates the worker threads, one pinned per core (from the calling thread). */
  *start(self: ThreadRef): Gen<void> {
    for (let i = 0; i < this.size; i++) {
      const w = i;
      this.workers.push(yield* this.kernel.threadCreate(self, { name: `worker ${i}`, cpu: this.config.cores[i]!, body: (me) => this.workerLoop(me, w) }));
    }
  }

  /** Lets the workers finish their queues, wakes them and joins them. */
  *stop(self: ThreadRef): Gen<void> {
    this.stopping = true;
    for (let i = 0; i < this.size; i++) yield* this.wakeWorker(self, i);
    for (const w of this.workers) yield* this.kernel.threadJoin(self, w);
  }

  private *wakeWorker(self: ThreadRef, i: number): Gen<void> {
    const q = this.queues[i]!;
    yield* this.kernel.mutexLock(self, q.mutex);
    if (this.config.idle === "block" && q.sleepers > 0) yield* this.kernel.condSignal(self, q.cv);
    yield* this.kernel.mutexUnlock(self, q.mutex);
    if (this.config.idle === "spin") yield* this.kernel.write(self, q.flag, ++q.pushes);
  }

  private *workerLoop(self: ThreadRef, index: number): Gen<void> {
    const q = this.queues[index]!;
    const k = this.kernel;
    for (;;) {
      yield* k.mutexLock(self, q.mutex);
      while (q.tasks.length === 0 && !this.stopping) {
        if (this.config.idle === "block") {
          q.sleepers++;
          yield* k.condWait(self, q.cv, q.mutex);
          q.sleepers--;
        } else {
          const seen = q.pushes;
          yield* k.mutexUnlock(self, q.mutex);
          yield* k.spinUntil(self, q.flag, (v) => v !== seen);
          yield* k.mutexLock(self, q.mutex);
        }
      }
      if (q.tasks.length === 0) {
        yield* k.mutexUnlock(self, q.mutex);
        return;
      }
      yield* this.charge(self, "queue.pop", "pop the ready queue");
      const task = q.tasks.shift()!;
      yield* k.mutexUnlock(self, q.mutex);
      yield* this.charge(self, "task.dispatch", `dispatch ${task.spec.name}`);
      const rec = this.records.get(task);
      if (rec !== undefined) rec.start = this.sim.now;
      yield* task.spec.body(self, { runtime: this, worker: index, kernel: k });
      if (rec !== undefined) rec.end = this.sim.now;
      yield* this.trigger(self, task.done);
    }
  }

  // ---- events and task launch ---------------------------------------------------------------

  newEvent(name: string): RtEvent {
    return new RtEvent(this.nextEvent++, name);
  }

  /**
   * Launches a task: it is queued on its worker as soon as every precondition has triggered
   * (at once if they all have; otherwise by the thread that triggers the last one).
   * Returns the event that triggers when the task has finished.
   */
  *launch(self: ThreadRef, spec: TaskSpec): Gen<RtEvent> {
    if (!(Number.isInteger(spec.worker) && spec.worker >= 0 && spec.worker < this.size)) {
      throw new RangeError(`runtime: task ${spec.name} mapped to worker ${spec.worker}, but workers are 0..${this.size - 1}`);
    }
    const after = spec.after ?? [];
    if (after.length > 0) yield* this.charge(self, "event.perWaiter", `register ${spec.name} on its ${after.length} preconditions`, after.length);
    const task: PendingTask = { spec, done: this.newEvent(`${spec.name} done`), remaining: 0, fire: (me) => this.enqueue(me, task) };
    if (this.trace !== null) {
      const rec: TaskRecord = { name: spec.name, worker: spec.worker, inputs: after.map((e) => e.id), done: task.done.id, ready: -1, start: -1, end: -1 };
      this.trace.push(rec);
      this.records.set(task, rec);
    }
    for (const e of after) {
      if (!e.triggered) {
        task.remaining++;
        e.dependents.push(task);
      }
    }
    if (task.remaining === 0) yield* this.enqueue(self, task);
    return task.done;
  }

  private *enqueue(self: ThreadRef, task: PendingTask): Gen<void> {
    const q = this.queues[task.spec.worker]!;
    yield* this.kernel.mutexLock(self, q.mutex);
    yield* this.charge(self, "queue.push", `push ${task.spec.name} to worker ${task.spec.worker}`);
    q.tasks.push(task);
    q.pushes++;
    const rec = this.records.get(task);
    if (rec !== undefined) rec.ready = this.sim.now;
    if (this.config.idle === "block" && q.sleepers > 0) yield* this.kernel.condSignal(self, q.cv);
    yield* this.kernel.mutexUnlock(self, q.mutex);
    if (this.config.idle === "spin") yield* this.kernel.write(self, q.flag, q.pushes);
  }

  /** Triggers `ev`: launches the tasks it was the last precondition of, wakes waiting threads. */
  *trigger(self: ThreadRef, ev: RtEvent): Gen<void> {
    if (ev.triggered) throw new Error(`runtime: event ${ev.name} triggered twice`);
    yield* this.charge(self, "event.trigger", `trigger ${ev.name}`);
    ev.triggered = true;
    ev.at = this.sim.now;
    ev.step = (self as Thread).lastStep;
    const ready: Dependent[] = [];
    for (const d of ev.dependents.splice(0)) if (--d.remaining === 0) ready.push(d);
    for (const d of ready) {
      yield* this.charge(self, "event.perWaiter", "release a dependent");
      yield* d.fire(self);
    }
    const w = ev.waitSync;
    if (w !== null) {
      yield* this.kernel.mutexLock(self, w.mutex);
      if (this.config.idle === "block" && w.sleepers > 0) yield* this.kernel.condBroadcast(self, w.cv);
      yield* this.kernel.mutexUnlock(self, w.mutex);
      if (this.config.idle === "spin") yield* this.kernel.write(self, w.flag, 1);
    }
  }

  /** Blocks (or polls, per the idle policy) the calling thread until `ev` has triggered. */
  *wait(self: ThreadRef, ev: RtEvent): Gen<void> {
    if (ev.triggered) return;
    const w = (ev.waitSync ??= {
      mutex: this.kernel.newMutex(`${ev.name} waiters`), cv: this.kernel.newCondVar(`${ev.name} triggered`),
      flag: this.kernel.newFlag(`${ev.name} triggered`), sleepers: 0,
    });
    yield* this.kernel.mutexLock(self, w.mutex);
    while (!ev.triggered) {
      if (this.config.idle === "block") {
        w.sleepers++;
        yield* this.kernel.condWait(self, w.cv, w.mutex);
        w.sleepers--;
      } else {
        yield* this.kernel.mutexUnlock(self, w.mutex);
        yield* this.kernel.spinUntil(self, w.flag, (v) => v === 1);
        yield* this.kernel.mutexLock(self, w.mutex);
      }
    }
    yield* this.kernel.mutexUnlock(self, w.mutex);
  }

  /** An event that triggers once all of `events` have (Realm's merged event): no task, no queue. */
  *merge(self: ThreadRef, name: string, events: readonly RtEvent[]): Gen<RtEvent> {
    const merged = this.newEvent(name);
    const dep: Dependent = { remaining: 0, fire: (me) => this.trigger(me, merged) };
    for (const e of events) {
      if (!e.triggered) {
        dep.remaining++;
        e.dependents.push(dep);
      }
    }
    if (dep.remaining === 0) yield* this.trigger(self, merged);
    return merged;
  }

  // ---- collective operations ----------------------------------------------------------------

  /** A barrier among the workers (the kernel's own barrier primitive). */
  newBarrier(name: string, parties = this.size): BarrierRef {
    return this.kernel.newBarrier(name, parties);
  }

  barrier(self: ThreadRef, b: BarrierRef): Gen<void> {
    return this.kernel.barrierWait(self, b);
  }

  /** Rounds of application computation, each followed by a workers' barrier (step name "compute: <name>"). */
  barrierRounds(self: ThreadRef, rounds: BarrierRounds): Gen<void> {
    return this.kernel.computeBarrierRounds(self, { ...rounds, name: `compute: ${rounds.name}` });
  }

  newReduction(name: string, parties: number, op: (a: number, b: number) => number = (a, b) => a + b, identity = 0): Reduction {
    return new Reduction(name, parties, this.kernel.newSpinLock(`${name} accumulator`), this.newEvent(`${name} reduced`), op, identity);
  }

  /** Folds `x` into `r` under its spinlock; the last contribution triggers `r.done`. */
  *contribute(self: ThreadRef, r: Reduction, x: number): Gen<void> {
    yield* this.kernel.spinLock(self, r.lock);
    yield* this.charge(self, "reduce.combine", `combine into ${r.name}`);
    r.value = r.op(r.value, x);
    const last = ++r.contributed === r.parties;
    yield* this.kernel.spinUnlock(self, r.lock);
    if (last) yield* this.trigger(self, r.done);
  }

  /** Contribute, then wait for the result (an all-reduce among the contributors). */
  *allReduce(self: ThreadRef, r: Reduction, x: number): Gen<number> {
    yield* this.contribute(self, r, x);
    yield* this.wait(self, r.done);
    return r.value;
  }
}
