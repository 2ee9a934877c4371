/**
 * The simulation kernel (SimPy-like): events, generator processes, conditions, interrupts and
 * the run loop. Processes yield a delay (integer ticks), an event, a condition, or another
 * process (join). Everything that happens goes through one LadderQueue in (time, priority,
 * sequence) order and is folded into the run's fingerprint.
 */
import { Interrupt, ProcessFailure, SimulationInputError, failureOrigin, noteFailureOrigin } from "./errors.js";
import { Fingerprint } from "./fingerprint.js";
import { LadderQueue } from "./ladder.js";
import { PRIORITY_NORMAL, PRIORITY_URGENT } from "./queue.js";
import { Streams } from "./random.js";
import { checkDelay, checkPriority, MAX_TIME } from "./time.js";
import {
  KIND_CALL, KIND_CALLBACK, KIND_EVENT, KIND_INTERRUPT, KIND_NAMES, KIND_RESUME,
  type RunOptions, type RunReport, type SimulationOptions, type TraceRecord, type WaitingProcess,
} from "./types.js";

// SimEvent.flags bits.
const TRIGGERED = 1;
const PROCESSED = 2;
const FAILED = 4;
const DAEMON = 8;
const FINISHED = 16; // a process's generator has returned or thrown
const STARTED = 32; // a process's generator has been resumed at least once

/** What a process may yield. */
export type Yieldable = number | SimEvent<any>;
export type ProcessGenerator<R = unknown> = Generator<Yieldable, R, any>;
/** Processes and conditions handle a failure they receive (SimPy's rule); plain callbacks do not. */
type Waiter = Process<any> | Condition | ((event: SimEvent<any>) => void);

/** A one-shot occurrence with a value. Processes wait on it by yielding it. */
export class SimEvent<T = unknown> {
  readonly id: number;
  /** @internal */ flags = 0;
  /** @internal */ waiters: Waiter[] | null = null;
  value: T | undefined = undefined;

  constructor(
    readonly sim: Simulation,
    readonly name: string,
  ) {
    this.id = sim.newId();
  }

  /** Succeeded or failed (its waiters may not have run yet). */
  get triggered(): boolean {
    return (this.flags & TRIGGERED) !== 0;
  }

  /** Its waiters have run. */
  get processed(): boolean {
    return (this.flags & PROCESSED) !== 0;
  }

  /** Triggered by fail() (or, for a condition, by a failed event). */
  get failed(): boolean {
    return (this.flags & FAILED) !== 0;
  }

  succeed(value?: T, priority: number = PRIORITY_NORMAL): this {
    this.trigger(true, value, priority);
    return this;
  }

  /** Waiting processes receive `error` thrown at their yield point. */
  fail(error: unknown, priority: number = PRIORITY_NORMAL): this {
    this.trigger(false, error, priority);
    return this;
  }

  /** Runs `callback` when the event is processed (immediately scheduled if it already was). */
  onProcessed(callback: (event: SimEvent<T>) => void): void {
    if ((this.flags & PROCESSED) !== 0) this.sim.schedule(0, () => callback(this));
    else (this.waiters ??= []).push(callback as Waiter);
  }

  private trigger(ok: boolean, value: unknown, priority: number): void {
    if ((this.flags & TRIGGERED) !== 0) throw new SimulationInputError(`event '${this.name}' was already triggered`);
    if (priority !== PRIORITY_NORMAL) checkPriority(priority, `event '${this.name}'`);
    this.value = value as T;
    this.flags |= ok ? TRIGGERED : TRIGGERED | FAILED;
    this.sim.queue.push(this.sim.now, priority, KIND_EVENT, this.id, this);
  }

  /** @internal Runs the waiters. */
  process(): void {
    this.flags |= PROCESSED;
    const waiters = this.waiters;
    this.waiters = null;
    const failed = (this.flags & FAILED) !== 0;
    if (failed && !(waiters !== null && waiters.some((w) => typeof w !== "function"))) {
      // No process or condition receives the failure: SimPy's rule, the run stops.
      throw new ProcessFailure(this.name, this.sim.now, this.value, failureOrigin(this.value));
    }
    if (waiters === null) return;
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!;
      if (w instanceof Process) {
        w.waitingOn = null;
        this.sim.blocked.delete(w);
        w.step(this.value, failed);
      } else if (w instanceof Condition) w.check(this);
      else w(this);
    }
  }

  /** @internal */
  removeWaiter(w: Waiter): void {
    const ws = this.waiters;
    if (ws === null) return;
    const i = ws.indexOf(w);
    if (i >= 0) ws.splice(i, 1);
  }
}

/** A generator-driven process; as an event, it succeeds with the generator's return value. */
export class Process<R = unknown> extends SimEvent<R> {
  /** @internal */ waitingOn: SimEvent<any> | null = null;
  /** @internal Queue slot of the pending resume (delay, start, or an already-processed event). */
  delaySlot = -1;
  /** @internal Value to resume with; a ThrowIn when it must be thrown in (failed event). */
  pendingValue: unknown = undefined;

  constructor(
    sim: Simulation,
    name: string,
    private readonly gen: ProcessGenerator<R>,
  ) {
    super(sim, name);
  }

  /** Still running (not returned). */
  get alive(): boolean {
    return (this.flags & FINISHED) === 0;
  }

  /** Daemons (servers looping forever) are not reported as deadlocked. */
  get daemon(): boolean {
    return (this.flags & DAEMON) !== 0;
  }
  set daemon(on: boolean) {
    this.flags = on ? this.flags | DAEMON : this.flags & ~DAEMON;
  }

  /**
   * Raises an `Interrupt(cause)` at the process's current yield point, once. A process not yet
   * started first runs to its first yield point (SimPy's urgent Initialize).
   */
  interrupt(cause?: unknown): void {
    if ((this.flags & FINISHED) !== 0) throw new SimulationInputError(`cannot interrupt '${this.name}': it has already finished`);
    const sim = this.sim;
    sim.queue.push(sim.now, PRIORITY_URGENT, KIND_INTERRUPT, this.id, { process: this, cause });
  }

  /** @internal Resumes the generator with a value (or throws it in) and acts on what it yields. */
  step(value: unknown, isThrow: boolean): void {
    const sim = this.sim;
    let r: IteratorResult<Yieldable, R>;
    sim.active = this;
    this.flags |= STARTED;
    try {
      r = isThrow ? this.gen.throw(value) : this.gen.next(value);
    } catch (e) {
      sim.active = null;
      this.flags |= FINISHED;
      // Misuse of the engine API stops the run at once; any other error fails this process's
      // event: thrown into its joiners, fatal only if nobody waits on it.
      if (e instanceof SimulationInputError || e instanceof ProcessFailure) throw e;
      noteFailureOrigin(e, this.name, sim.now);
      this.fail(e);
      return;
    }
    sim.active = null;
    if (r.done === true) {
      this.flags |= FINISHED;
      this.succeed(r.value);
      return;
    }
    const y = r.value;
    if (typeof y === "number") {
      const now = sim.now;
      if (!(y >= 0 && y <= MAX_TIME - now && Number.isInteger(y))) checkDelay(y, now, `process '${this.name}'`);
      this.delaySlot = sim.queue.push(now + y, PRIORITY_NORMAL, KIND_RESUME, this.id, this);
    } else if (y instanceof SimEvent) {
      this.waitFor(y);
    } else {
      throw new SimulationInputError(
        `process '${this.name}' yielded ${typeof y} ${String(y)}: yield a delay (integer ticks), an event or a process`,
      );
    }
  }

  private waitFor(event: SimEvent<any>): void {
    const sim = this.sim;
    if (event.sim !== sim) {
      throw new SimulationInputError(`process '${this.name}' waited on event '${event.name}' of another simulation`);
    }
    if ((event.flags & PROCESSED) !== 0) {
      // Already happened: resume at once, through the queue, to keep one ordering rule.
      this.pendingValue = (event.flags & FAILED) !== 0 ? new ThrowIn(event.value) : event.value;
      this.delaySlot = sim.queue.push(sim.now, PRIORITY_NORMAL, KIND_RESUME, this.id, this);
      return;
    }
    this.waitingOn = event;
    sim.blocked.add(this);
    (event.waiters ??= []).push(this);
  }

  /** @internal Called by the run loop for a KIND_RESUME entry. */
  resume(): void {
    const v = this.pendingValue;
    this.delaySlot = -1;
    if (v === undefined) this.step(undefined, false);
    else {
      this.pendingValue = undefined;
      if (v instanceof ThrowIn) this.step(v.error, true);
      else this.step(v, false);
    }
  }

  /** @internal Delivers an interrupt: detach from the current wait, throw at the yield point. */
  deliverInterrupt(cause: unknown): void {
    if ((this.flags & FINISHED) !== 0) return; // finished in the meantime: nothing to interrupt
    if ((this.flags & STARTED) === 0) {
      // Interrupted in the instant it was created: start it (its pending start is dropped),
      // then throw the interrupt at its first yield point.
      this.sim.queue.cancelSlot(this.delaySlot);
      this.delaySlot = -1;
      this.step(undefined, false);
      if ((this.flags & FINISHED) !== 0) return;
    }
    if (this.delaySlot >= 0) {
      this.sim.queue.cancelSlot(this.delaySlot);
      this.delaySlot = -1;
      this.pendingValue = undefined;
    }
    if (this.waitingOn !== null) {
      this.waitingOn.removeWaiter(this);
      this.waitingOn = null;
      this.sim.blocked.delete(this);
    }
    this.step(new Interrupt(cause), true);
  }

  /** @internal What the process waits on, for deadlock reports. */
  describeWait(): string {
    if (this.waitingOn !== null) return `event '${this.waitingOn.name}'`;
    if (this.delaySlot >= 0) return "a delay";
    return "nothing";
  }
}

/** Marks a pending resume value that must be thrown into the process (a failed event). */
class ThrowIn {
  constructor(readonly error: unknown) {}
}

/** allOf / anyOf over events. Once decided it stops listening, so a later failure of another event is not swallowed. */
class Condition extends SimEvent<unknown> {
  private remaining: number;

  constructor(
    sim: Simulation,
    name: string,
    private readonly events: readonly SimEvent<any>[],
    private readonly all: boolean,
  ) {
    super(sim, name);
    this.remaining = events.length;
    if (events.length === 0) {
      this.succeed(all ? [] : undefined);
      return;
    }
    for (const ev of events) {
      if (ev.sim !== sim) throw new SimulationInputError(`condition '${name}': event '${ev.name}' belongs to another simulation`);
      if ((this.flags & TRIGGERED) !== 0) continue; // decided by an already-processed event
      if ((ev.flags & PROCESSED) !== 0) this.check(ev);
      else (ev.waiters ??= []).push(this);
    }
  }

  /** @internal */
  check(ev: SimEvent<any>): void {
    if ((this.flags & TRIGGERED) !== 0) return;
    this.remaining--;
    if ((ev.flags & FAILED) !== 0) this.fail(ev.value);
    else if (!this.all) this.succeed(ev);
    else if (this.remaining === 0) this.succeed(this.events.map((e) => e.value));
    if ((this.flags & TRIGGERED) !== 0) for (const e of this.events) if (e !== ev) e.removeWaiter(this);
  }
}

/** A function registered with `Simulation.handler`, run by callback-only events (`post`). */
export interface Handler<T> {
  readonly id: number;
  readonly name: string;
  readonly sim: Simulation;
  /** @internal Type marker for the argument. */
  readonly _arg?: T;
}

/** A callback scheduled with `Simulation.schedule`. */
export interface ScheduledCall {
  /** False if it already ran or was cancelled. */
  cancel(): boolean;
}

export class Simulation {
  now = 0;
  /** The process whose generator is running, if any. */
  active: Process<any> | null = null;
  readonly queue = new LadderQueue();
  readonly streams: Streams;
  readonly fingerprint = new Fingerprint();
  private readonly trace: ((record: TraceRecord) => void) | undefined;
  /** @internal Processes waiting on an unprocessed event (the candidates for a deadlock). */
  readonly blocked = new Set<Process<any>>();
  private ids = 0;
  private readonly handlers: Array<(arg: any) => void> = [];
  private readonly handlerNames: string[] = [];

  constructor(options: SimulationOptions = {}) {
    this.streams = new Streams(options.seed ?? 0);
    this.trace = options.trace;
  }

  /** @internal */
  newId(): number {
    return this.ids++;
  }

  /** Starts a process now (it runs when the queue reaches it, in scheduling order). */
  process<R>(name: string, generator: ProcessGenerator<R>, options: { daemon?: boolean } = {}): Process<R> {
    const p = new Process<R>(this, name, generator);
    if (options.daemon === true) p.daemon = true;
    p.delaySlot = this.queue.push(this.now, PRIORITY_NORMAL, KIND_RESUME, p.id, p);
    return p;
  }

  event<T = unknown>(name = "event"): SimEvent<T> {
    return new SimEvent<T>(this, name);
  }

  /** An event that succeeds `delay` ticks from now. */
  timeout<T = undefined>(delay: number, value?: T, name = "timeout"): SimEvent<T> {
    checkDelay(delay, this.now, name);
    const ev = new SimEvent<T>(this, name);
    ev.value = value;
    ev.flags = TRIGGERED;
    this.queue.push(this.now + delay, PRIORITY_NORMAL, KIND_EVENT, ev.id, ev);
    return ev;
  }

  /** Succeeds when every event has (value: their values in order); fails if one fails. */
  allOf(events: readonly SimEvent<any>[], name = "allOf"): SimEvent<unknown[]> {
    return new Condition(this, name, events, true) as SimEvent<unknown[]>;
  }

  /** Succeeds when the first event does (value: that event). */
  anyOf(events: readonly SimEvent<any>[], name = "anyOf"): SimEvent<SimEvent<any>> {
    return new Condition(this, name, events, false) as SimEvent<SimEvent<any>>;
  }

  /** Runs `fn` after `delay` ticks; `tag` identifies it in the fingerprint (e.g. a core number). */
  schedule(delay: number, fn: () => void, priority: number = PRIORITY_NORMAL, tag = 0): ScheduledCall {
    checkDelay(delay, this.now, "schedule");
    checkPriority(priority, "schedule");
    const q = this.queue;
    const slot = q.push(this.now + delay, priority, KIND_CALL, tag | 0, fn);
    const seq = q.seqOf(slot);
    return { cancel: () => q.cancel(slot, seq) };
  }

  /**
   * Registers `fn` for callback-only events: models with millions of pending entities post
   * `(handler, delay, entity)` instead of keeping a generator per entity.
   */
  handler<T>(name: string, fn: (arg: T) => void): Handler<T> {
    this.handlers.push(fn);
    this.handlerNames.push(name);
    return { id: this.handlers.length - 1, name, sim: this };
  }

  /**
   * A callback-only event: runs `handler`'s function with `arg` after `delay` ticks. Allocates
   * nothing: the pending event is one queue entry (about 48 bytes). Not cancellable (use
   * `schedule`, or let `arg` carry a version the function checks).
   */
  post<T>(handler: Handler<T>, delay: number, arg: T, priority: number = PRIORITY_NORMAL): void {
    const now = this.now;
    if (!(delay >= 0 && delay <= MAX_TIME - now && Number.isInteger(delay))) checkDelay(delay, now, `post '${handler.name}'`);
    if (priority !== PRIORITY_NORMAL) checkPriority(priority, `post '${handler.name}'`);
    if (handler.sim !== this) throw new SimulationInputError(`post: handler '${handler.name}' belongs to another simulation`);
    this.queue.push(now + delay, priority, KIND_CALLBACK, handler.id, arg);
  }

  run(options: RunOptions = {}): RunReport {
    const until = options.until ?? MAX_TIME;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(until >= this.now)) throw new SimulationInputError(`run: until=${until} is before now=${this.now}`);
    const q = this.queue;
    const fp = this.fingerprint;
    const trace = this.trace;
    const handlers = this.handlers;
    let events = 0;
    let reason: RunReport["reason"] = "empty";
    for (;;) {
      if (events >= maxEvents) {
        reason = "maxEvents";
        break;
      }
      const popped = q.popUntil(until);
      if (popped !== 1) {
        if (popped === -1) {
          this.now = until;
          reason = "until";
        }
        break;
      }
      const t = q.lastTime;
      const kind = q.lastKind;
      this.now = t;
      const payload = q.lastPayload;
      // A resume's target is its process's id: read it from the process (touched anyway)
      // rather than from the queue's cold slot metadata.
      const target = kind === KIND_RESUME ? (payload as Process<any>).id : q.lastTarget;
      fp.add(t, q.lastPriority, kind, target);
      events++;
      if (trace !== undefined) this.emitTrace(trace, kind, payload);
      if (kind === KIND_RESUME) (payload as Process<any>).resume();
      else if (kind === KIND_EVENT) (payload as SimEvent<any>).process();
      else if (kind === KIND_CALLBACK) handlers[target]!(payload);
      else if (kind === KIND_CALL) (payload as () => void)();
      else {
        const { process, cause } = payload as { process: Process<any>; cause: unknown };
        process.deliverInterrupt(cause);
      }
    }
    let waiting: WaitingProcess[] = [];
    if (reason === "empty") {
      waiting = [...this.blocked]
        .filter((p) => !p.daemon)
        .map((p) => ({ process: p.name, waitsOn: p.describeWait() }));
      if (waiting.length > 0) reason = "deadlock";
    }
    return { reason, now: this.now, events, fingerprint: fp.toString(), waiting };
  }

  private emitTrace(trace: (r: TraceRecord) => void, kind: number, payload: unknown): void {
    const q = this.queue;
    let name = "";
    if (payload instanceof SimEvent) name = payload.name;
    else if (kind === KIND_INTERRUPT) name = (payload as { process: Process<any> }).process.name;
    else if (kind === KIND_CALLBACK) name = this.handlerNames[q.lastTarget] ?? "";
    trace({ time: q.lastTime, priority: q.lastPriority, kind: KIND_NAMES[kind] ?? "event", target: q.lastTarget, name });
  }
}
