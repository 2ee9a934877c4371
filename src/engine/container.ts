/**
 * A continuous level (fuel, bytes, energy) between 0 and a capacity: `put(amount)` waits for
 * room, `get(amount)` waits for enough. Each side is served first-come first-served and blocks
 * behind its head (SimPy's Container); every operation is O(1) amortised.
 */
import { SimulationInputError } from "./errors.js";
import type { Simulation } from "./simulation.js";
import { Wait, type WaitOwner } from "./sync.js";
import { WaitList } from "./waitlist.js";

/** A put or get of `amount` on a Container. */
export class ContainerWait extends Wait<void> {
  constructor(sim: Simulation, name: string, owner: WaitOwner, readonly amount: number, readonly isPut: boolean) {
    super(sim, name, 0, owner);
  }
}

export class Container implements WaitOwner {
  private current: number;
  private readonly puts = new WaitList<ContainerWait>();
  private readonly gets = new WaitList<ContainerWait>();

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    readonly capacity = Infinity,
    init = 0,
  ) {
    if (!(capacity > 0)) throw new SimulationInputError(`container '${name}': capacity must be > 0, got ${capacity}`);
    if (!(init >= 0 && init <= capacity)) {
      throw new SimulationInputError(`container '${name}': init must be in [0, ${capacity}], got ${init}`);
    }
    this.current = init;
  }

  get level(): number {
    return this.current;
  }

  /** Puts waiting for room / gets waiting for enough. */
  get waitingPuts(): number {
    return this.puts.length;
  }
  get waitingGets(): number {
    return this.gets.length;
  }

  /** Succeeds once `amount` has been added (at once if there is room and no earlier put waits). */
  put(amount: number): ContainerWait {
    return this.submit(new ContainerWait(this.sim, `container '${this.name}' put`, this, this.check(amount, "put"), true));
  }

  /** Succeeds once `amount` has been taken (at once if enough is there and no earlier get waits). */
  get(amount: number): ContainerWait {
    return this.submit(new ContainerWait(this.sim, `container '${this.name}' get`, this, this.check(amount, "get"), false));
  }

  /** @internal A withdrawn head may unblock the waits behind it. */
  withdraw(wait: Wait<any>): void {
    const w = wait as ContainerWait;
    (w.isPut ? this.puts : this.gets).withdraw(w);
    this.serve();
  }

  private submit(w: ContainerWait): ContainerWait {
    (w.isPut ? this.puts : this.gets).push(w);
    this.serve();
    return w;
  }

  /** Serves both sides in arrival order until neither head fits. */
  private serve(): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (let w = this.puts.peek(); w !== undefined && this.capacity - this.current >= w.amount; w = this.puts.peek()) {
        this.puts.shift();
        this.current += w.amount;
        w.succeed();
        progress = true;
      }
      for (let w = this.gets.peek(); w !== undefined && this.current >= w.amount; w = this.gets.peek()) {
        this.gets.shift();
        this.current -= w.amount;
        w.succeed();
        progress = true;
      }
    }
  }

  private check(amount: number, op: string): number {
    if (!(typeof amount === "number" && amount > 0 && amount <= this.capacity)) {
      throw new SimulationInputError(`container '${this.name}': ${op} amount must be > 0 and ≤ capacity ${this.capacity}, got ${amount}`);
    }
    return amount;
  }
}
