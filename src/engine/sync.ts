/**
 * Engine-level synchronisation built only on the public event API: a FIFO store and the base of
 * every withdrawable wait (Resource, PreemptiveResource and Container are in resource.ts and
 * container.ts). OS semantics (run queues, futexes) belong to the models.
 */
import { SimulationInputError } from "./errors.js";
import { SimEvent, type Simulation } from "./simulation.js";
import { WaitList, type Queued } from "./waitlist.js";
import Denque from "denque";

/** Who keeps a waiting list: told when one of its waits is withdrawn. */
export interface WaitOwner {
  /** @internal */ withdraw(wait: Wait<any>): void;
}

/**
 * A wait on a Resource, Store or Container: an event that succeeds when served, and that can be
 * withdrawn while it waits (reneging, or losing an `anyOf` race against a timeout).
 */
export class Wait<T> extends SimEvent<T> implements Queued {
  /** @internal True while in its owner's waiting list. */
  queued = false;

  constructor(
    sim: Simulation,
    name: string,
    readonly priority: number,
    private readonly owner: WaitOwner,
  ) {
    super(sim, name);
  }

  /**
   * Withdraws the wait if it is still queued: it will never be served. Returns false if it was
   * already served (a granted unit is then held and must be released; a got item is in `value`).
   */
  cancel(): boolean {
    if (!this.queued) return false;
    this.owner.withdraw(this);
    return true;
  }
}

/** Unbounded-or-bounded FIFO buffer: `yield store.get()` receives the oldest item. */
export class Store<T> implements WaitOwner {
  private readonly items = new Denque<T>();
  private readonly getters = new WaitList<Wait<T>>();
  private readonly putters = new WaitList<StorePut<T>>();

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
  put(item: T): Wait<void> {
    const ev = new StorePut<T>(this.sim, `store '${this.name}' put`, this, item);
    const getter = this.getters.shift();
    if (getter !== undefined) {
      getter.succeed(item);
      ev.succeed();
    } else if (this.items.length < this.capacity) {
      this.items.push(item);
      ev.succeed();
    } else this.putters.push(ev);
    return ev;
  }

  /** Succeeds with the oldest item, waiting for one if empty. */
  get(): Wait<T> {
    const ev = new Wait<T>(this.sim, `store '${this.name}' get`, 0, this);
    if (this.items.length > 0) {
      ev.succeed(this.items.shift()!);
      const waiting = this.putters.shift();
      if (waiting !== undefined) {
        this.items.push(waiting.item);
        waiting.succeed();
      }
    } else this.getters.push(ev);
    return ev;
  }

  /** @internal */
  withdraw(wait: Wait<any>): void {
    if (wait instanceof StorePut) this.putters.withdraw(wait);
    else this.getters.withdraw(wait);
  }
}

class StorePut<T> extends Wait<void> {
  constructor(sim: Simulation, name: string, owner: WaitOwner, readonly item: T) {
    super(sim, name, 0, owner);
  }
}
