/**
 * Engine-level synchronisation built only on the public event API: a FIFO store and a counted
 * resource (FIFO or priority queueing). OS semantics (run queues, futexes) belong to the models.
 */
import { SimulationInputError } from "./errors.js";
import type { SimEvent, Simulation } from "./simulation.js";

/** Unbounded-or-bounded FIFO buffer: `yield store.get()` receives the oldest item. */
export class Store<T> {
  private readonly items: T[] = [];
  private readonly getters: SimEvent<T>[] = [];
  private readonly putters: Array<{ event: SimEvent<void>; item: T }> = [];

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    readonly capacity = Infinity,
  ) {
    if (!(capacity >= 1)) throw new SimulationInputError(`store '${name}': capacity must be ≥ 1, got ${capacity}`);
  }

  get length(): number {
    return this.items.length;
  }

  /** Succeeds once the item is in the store (at once unless full). */
  put(item: T): SimEvent<void> {
    const ev = this.sim.event<void>(`store '${this.name}' put`);
    if (this.getters.length > 0) {
      this.getters.shift()!.succeed(item);
      ev.succeed();
    } else if (this.items.length < this.capacity) {
      this.items.push(item);
      ev.succeed();
    } else this.putters.push({ event: ev, item });
    return ev;
  }

  /** Succeeds with the oldest item, waiting for one if empty. */
  get(): SimEvent<T> {
    const ev = this.sim.event<T>(`store '${this.name}' get`);
    if (this.items.length > 0) {
      ev.succeed(this.items.shift()!);
      const waiting = this.putters.shift();
      if (waiting !== undefined) {
        this.items.push(waiting.item);
        waiting.event.succeed();
      }
    } else this.getters.push(ev);
    return ev;
  }
}

interface Request {
  readonly event: SimEvent<void>;
  readonly priority: number;
  readonly order: number;
}

/** `capacity` identical units; requests queue FIFO, or by priority (lower first, FIFO within). */
export class Resource {
  private inUse = 0;
  private readonly queue: Request[] = [];
  private order = 0;

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    readonly capacity = 1,
    readonly queueing: "fifo" | "priority" = "fifo",
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new SimulationInputError(`resource '${name}': capacity must be an integer ≥ 1, got ${capacity}`);
    }
  }

  get busy(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Succeeds when a unit is granted; pair every grant with one release(). */
  request(priority = 0): SimEvent<void> {
    const ev = this.sim.event<void>(`resource '${this.name}' request`);
    if (this.inUse < this.capacity && this.queue.length === 0) {
      this.inUse++;
      ev.succeed();
      return ev;
    }
    const req = { event: ev, priority: this.queueing === "priority" ? priority : 0, order: this.order++ };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.priority > req.priority) i--;
    this.queue.splice(i, 0, req);
    return ev;
  }

  release(): void {
    if (this.inUse === 0) throw new SimulationInputError(`resource '${this.name}': release without a grant`);
    const next = this.queue.shift();
    if (next !== undefined) next.event.succeed();
    else this.inUse--;
  }
}
