/**
 * Generator-driven processes (resumed by the run loop, interruptible, joinable as events), the
 * process table that keeps their hot state by row, and allOf / anyOf conditions: the kernel's
 * event kinds that wait on other events.
 */
import { Interrupt, ProcessFailure, SimulationInputError, noteFailureOrigin } from "./errors.js";
import {
  DAEMON, FAILED, FINISHED, PROCESSED, STARTED, TRIGGERED, SimEvent,
  type EventHost, type EventWaiter, type ProcessGenerator, type Yieldable,
} from "./event.js";
import type { AuxToucher, LadderQueue } from "./ladder.js";
import { PRIORITY_NORMAL, PRIORITY_URGENT } from "./queue.js";
import { checkDelay, MAX_TIME } from "./time.js";
import { KIND_DELAY, KIND_INTERRUPT, KIND_RESUME } from "./types.js";

/**
 * The live processes' hot state as arrays indexed by row, so that the run loop's commonest
 * event, a process waking from a delay, touches the generator and one typed array but not the
 * Process object: with 10^5 pending processes each first touch of an object is a cache miss
 * (profiled: a fifth of the time per event). A finished process frees its row for reuse.
 */
export class ProcessTable implements AuxToucher {
  /** @internal */ readonly procs: Array<Process<any> | undefined> = [];
  /** @internal */ readonly gens: Array<ProcessGenerator<any> | undefined> = [];
  /** @internal Queue slot of the row's pending delay or resume, -1 if none (for interrupts). */
  waitSlot = new Int32Array(64);
  /** @internal Row of the process whose generator is running, -1 if none. */
  active = -1;
  private readonly freeRows: number[] = [];

  constructor(private readonly queue: LadderQueue) {}

  /** @internal */
  add(p: Process<any>, gen: ProcessGenerator<any>): number {
    let row = this.freeRows.pop();
    if (row === undefined) {
      row = this.procs.length;
      this.procs.push(p);
      this.gens.push(gen);
      if (row === this.waitSlot.length) {
        const grown = new Int32Array(2 * row);
        grown.set(this.waitSlot);
        this.waitSlot = grown;
      }
    } else {
      this.procs[row] = p;
      this.gens[row] = gen;
    }
    this.waitSlot[row] = -1;
    return row;
  }

  /** @internal A finished process lets go of its row (and so of its generator). */
  release(row: number): void {
    this.procs[row] = undefined;
    this.gens[row] = undefined;
    this.waitSlot[row] = -1;
    this.freeRows.push(row);
  }

  private touched: unknown = undefined;

  /**
   * @internal Called by the queue ahead of a wake-up (AuxToucher): reads the row's generator
   * slot and the generator's header (its map, through the prototype's `next`), so that at 10^5
   * pending processes these cache misses overlap in the queue's batch rather than stall the wake.
   */
  touch(row: number): void {
    const g = this.gens[row];
    if (g !== undefined) this.touched = g.next;
  }

  /**
   * @internal The hot path: the process in `row` (event id `id`) wakes from a delay at `now`.
   * A delay yielded back is queued here; anything else goes to the Process (yielded / threw).
   */
  wake(row: number, id: number, now: number): void {
    const gen = this.gens[row]!;
    let r: IteratorResult<Yieldable, unknown>;
    this.active = row;
    try {
      r = gen.next(undefined);
    } catch (e) {
      this.active = -1;
      this.procs[row]!.threw(e);
      return;
    }
    this.active = -1;
    const y = r.value;
    if (r.done !== true && typeof y === "number" && y >= 0 && y <= MAX_TIME - now && Number.isInteger(y)) {
      this.waitSlot[row] = this.queue.push(now + y, PRIORITY_NORMAL, KIND_DELAY, id, undefined, row);
    } else this.procs[row]!.yielded(r);
  }
}

/** A generator-driven process; as an event, it succeeds with the generator's return value. */
export class Process<R = unknown> extends SimEvent<R> implements EventWaiter {
  /** @internal */ waitingOn: SimEvent<any> | null = null;
  /** @internal Value to resume with; a ThrowIn when it must be thrown in (failed event). */
  pendingValue: unknown = undefined;
  /** @internal Row in the process table while alive (-1 once finished). */
  row: number;

  constructor(
    sim: EventHost,
    private readonly table: ProcessTable,
    name: string,
    gen: ProcessGenerator<R>,
  ) {
    super(sim, name);
    this.row = table.add(this, gen);
  }

  /** @internal Queue slot of the pending resume (delay, start, or an already-processed event), -1 if none. */
  get delaySlot(): number {
    return this.row < 0 ? -1 : this.table.waitSlot[this.row]!;
  }
  set delaySlot(slot: number) {
    this.table.waitSlot[this.row] = slot;
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

  /** @internal The event it waited on was processed: resume with its value or failure. */
  onEvent(event: SimEvent<any>): void {
    this.waitingOn = null;
    this.sim.blocked.delete(this);
    this.step(event.value, (event.flags & FAILED) !== 0);
  }

  /** @internal Resumes the generator with a value (or throws it in) and acts on what it yields. */
  step(value: unknown, isThrow: boolean): void {
    const table = this.table, gen = table.gens[this.row]!;
    let r: IteratorResult<Yieldable, R>;
    table.active = this.row;
    this.flags |= STARTED;
    try {
      r = isThrow ? gen.throw(value) : gen.next(value);
    } catch (e) {
      table.active = -1;
      this.threw(e);
      return;
    }
    table.active = -1;
    this.yielded(r);
  }

  /** @internal The generator threw: it is finished. */
  threw(e: unknown): void {
    this.finish();
    // Misuse of the engine API stops the run at once; any other error fails this process's
    // event: thrown into its joiners, fatal only if nobody waits on it.
    if (e instanceof SimulationInputError || e instanceof ProcessFailure) throw e;
    noteFailureOrigin(e, this.name, this.sim.now);
    this.fail(e);
  }

  /** @internal Acts on what the generator yielded or returned. */
  yielded(r: IteratorResult<Yieldable, R>): void {
    if (r.done === true) {
      this.finish();
      this.succeed(r.value);
      return;
    }
    const y = r.value;
    if (typeof y === "number") {
      const now = this.sim.now;
      if (!(y >= 0 && y <= MAX_TIME - now && Number.isInteger(y))) checkDelay(y, now, `process '${this.name}'`);
      this.delaySlot = this.sim.queue.push(now + y, PRIORITY_NORMAL, KIND_DELAY, this.id, undefined, this.row);
    } else if (y instanceof SimEvent) {
      this.delaySlot = -1;
      this.waitFor(y);
    } else {
      throw new SimulationInputError(
        `process '${this.name}' yielded ${typeof y} ${String(y)}: yield a delay (integer ticks), an event or a process`,
      );
    }
  }

  private finish(): void {
    this.flags |= FINISHED;
    this.table.release(this.row);
    this.row = -1;
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

  /** @internal Called by the run loop for a KIND_RESUME entry (a start, or an already-processed event). */
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
export class Condition extends SimEvent<unknown> implements EventWaiter {
  private remaining: number;

  constructor(
    sim: EventHost,
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
      if ((ev.flags & PROCESSED) !== 0) this.onEvent(ev);
      else (ev.waiters ??= []).push(this);
    }
  }

  /** @internal */
  onEvent(ev: SimEvent<any>): void {
    if ((this.flags & TRIGGERED) !== 0) return;
    this.remaining--;
    if ((ev.flags & FAILED) !== 0) this.fail(ev.value);
    else if (!this.all) this.succeed(ev);
    else if (this.remaining === 0) this.succeed(this.events.map((e) => e.value));
    if ((this.flags & TRIGGERED) !== 0) for (const e of this.events) if (e !== ev) e.removeWaiter(this);
  }
}
