/**
 * Events of the simulation kernel: a one-shot occurrence with a value, the waiters it runs when
 * processed, and the failure rule. Processes and conditions (process.ts) are events too; the
 * Simulation (simulation.ts) owns the queue they are scheduled on.
 */
import { ProcessFailure, SimulationInputError, failureOrigin } from "./errors.js";
import type { LadderQueue } from "./ladder.js";
import { PRIORITY_NORMAL } from "./queue.js";
import { checkPriority } from "./time.js";
import { KIND_EVENT } from "./types.js";

// SimEvent.flags bits.
export const TRIGGERED = 1;
export const PROCESSED = 2;
export const FAILED = 4;
export const DAEMON = 8;
export const FINISHED = 16; // a process's generator has returned or thrown
export const STARTED = 32; // a process's generator has been resumed at least once

/** What a process may yield. */
export type Yieldable = number | SimEvent<any>;
export type ProcessGenerator<R = unknown> = Generator<Yieldable, R, any>;

/** What events, processes and conditions use of their Simulation. */
export interface EventHost {
  now: number;
  /** The process whose generator is running, if any. */
  readonly active: SimEvent<any> | null;
  readonly queue: LadderQueue;
  /** Processes waiting on an unprocessed event (the candidates for a deadlock). */
  readonly blocked: Set<SimEvent<any>>;
  newId(): number;
  schedule(delay: number, fn: () => void): unknown;
}

/** A process or condition waiting on an event: it handles a failure it receives (SimPy's rule). */
export interface EventWaiter {
  onEvent(event: SimEvent<any>): void;
}
/** Plain callbacks do not handle failures: a failure reaching only them stops the run. */
export type Waiter = EventWaiter | ((event: SimEvent<any>) => void);

/** A one-shot occurrence with a value. Processes wait on it by yielding it. */
export class SimEvent<T = unknown> {
  readonly id: number;
  /** @internal */ flags = 0;
  /** @internal */ waiters: Waiter[] | null = null;
  value: T | undefined = undefined;

  constructor(
    readonly sim: EventHost,
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
      if (typeof w === "function") w(this);
      else w.onEvent(this);
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
