/**
 * The simulation kernel (SimPy-like): the Simulation owns the pending-event set, starts
 * processes, makes events, timeouts, conditions and callbacks, and runs the loop. Processes
 * yield a delay (integer ticks), an event, a condition, or another process (join); events and
 * processes live in event.ts and process.ts. Everything that happens goes through one
 * LadderQueue in (time, priority, sequence) order and is folded into the run's fingerprint.
 */
import { SimulationInputError } from "./errors.js";
import { SimEvent, TRIGGERED, type EventHost, type ProcessGenerator } from "./event.js";
import { Fingerprint } from "./fingerprint.js";
import { LadderQueue } from "./ladder.js";
import { Condition, Process, ProcessTable } from "./process.js";
import { KIND_MASK, PRIORITY_NORMAL } from "./queue.js";
import { Streams } from "./random.js";
import { checkDelay, checkPriority, MAX_TIME } from "./time.js";
import {
  KIND_CALL, KIND_CALLBACK, KIND_DELAY, KIND_EVENT, KIND_INTERRUPT, KIND_NAMES, KIND_RESUME,
  type RunOptions, type RunReport, type SimulationOptions, type TraceRecord, type WaitingProcess,
} from "./types.js";

export { SimEvent, Process };
export type { ProcessGenerator, Yieldable } from "./event.js";

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

export class Simulation implements EventHost {
  now = 0;
  readonly queue = new LadderQueue();
  /** @internal The live processes' hot state, by row. */
  readonly processes = new ProcessTable(this.queue);
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
    this.queue.toucher = this.processes;
  }

  /** The process whose generator is running, if any. */
  get active(): Process<any> | null {
    const row = this.processes.active;
    return row < 0 ? null : this.processes.procs[row]!;
  }

  /** @internal */
  newId(): number {
    return this.ids++;
  }

  /** Starts a process now (it runs when the queue reaches it, in scheduling order). */
  process<R>(name: string, generator: ProcessGenerator<R>, options: { daemon?: boolean } = {}): Process<R> {
    const p = new Process<R>(this, this.processes, name, generator);
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
   * `schedule` allocating nothing, for hot paths that re-time often (a CPU's work segment):
   * returns the entry's slot; `callSequence(slot)`, taken at once, and the slot cancel it with
   * `cancelCall`. Same event as `schedule` (kind, tag, order).
   */
  callAt(delay: number, fn: () => void, tag = 0): number {
    checkDelay(delay, this.now, "schedule");
    return this.queue.push(this.now + delay, PRIORITY_NORMAL, KIND_CALL, tag | 0, fn);
  }

  /** The sequence number of the pending entry in `slot` (see callAt). */
  callSequence(slot: number): number {
    return this.queue.seqOf(slot);
  }

  /** Cancels the entry callAt scheduled; false if it already ran or was cancelled. */
  cancelCall(slot: number, seq: number): boolean {
    return this.queue.cancel(slot, seq);
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
   * nothing: the pending event is one queue entry (about 55 bytes, bench). Not cancellable (use
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
    const processes = this.processes;
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
      const target = q.lastTarget;
      fp.add(t, q.lastPriority, kind & KIND_MASK, target);
      events++;
      if (trace !== undefined) this.emitTrace(trace, kind, payload);
      // The commonest event first: a process waking from a delay (its row is the entry's aux).
      if (kind === KIND_DELAY) processes.wake(q.lastAux, target, t);
      else if (kind === KIND_RESUME) (payload as Process<any>).resume();
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
    else if (kind === KIND_DELAY) name = this.processes.procs[q.lastAux]!.name;
    else if (kind === KIND_INTERRUPT) name = (payload as { process: Process<any> }).process.name;
    else if (kind === KIND_CALLBACK) name = this.handlerNames[q.lastTarget] ?? "";
    trace({ time: q.lastTime, priority: q.lastPriority, kind: KIND_NAMES[kind & KIND_MASK] ?? "event", target: q.lastTarget, name });
  }
}

