/**
 * Counted resources: `Resource` (FIFO or priority queueing) and `PreemptiveResource` (a better
 * request takes a unit from the worst holder, who receives an Interrupt whose cause is
 * `Preempted`). Each grant is a `Request`; release checks that the releaser holds a unit.
 */
import { SimulationInputError } from "./errors.js";
import type { Process, Simulation } from "./simulation.js";
import { Wait, type WaitOwner } from "./sync.js";
import { PriorityWaitList, WaitList } from "./waitlist.js";

/** A request for one unit: an event that succeeds when the unit is granted. */
export class Request extends Wait<void> {
  /** When the unit was granted (NaN while queued). */
  grantedAt = NaN;
  /** @internal Granted and neither released nor preempted. */
  holding = false;
  /** Lost its unit to a better request of a PreemptiveResource. */
  preempted = false;

  constructor(
    sim: Simulation,
    readonly resource: Resource,
    priority: number,
    /** The process that asked (null when asked from a callback): preemption interrupts it. */
    readonly requester: Process<any> | null,
    /** May take a unit from a worse holder (PreemptiveResource only). */
    readonly preempt: boolean,
  ) {
    super(sim, `resource '${resource.name}' request`, priority, resource);
  }
}

/** `capacity` identical units; requests queue FIFO, or by priority (lower first, FIFO within). */
export class Resource implements WaitOwner {
  /** @internal Granted requests by requester, oldest first (release() without argument). */
  protected readonly holders = new Map<Process<any> | null, Request[]>();
  private inUse = 0;
  private readonly queue: WaitList<Request> | PriorityWaitList<Request>;

  constructor(
    protected readonly sim: Simulation,
    readonly name: string,
    readonly capacity = 1,
    readonly queueing: "fifo" | "priority" = "fifo",
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new SimulationInputError(`resource '${name}': capacity must be an integer ≥ 1, got ${capacity}`);
    }
    this.queue = queueing === "priority" ? new PriorityWaitList<Request>() : new WaitList<Request>();
  }

  /** Units held. */
  get busy(): number {
    return this.inUse;
  }

  /** Requests queued. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Succeeds when a unit is granted; pair every grant with one release(). Withdraw with cancel(). */
  request(priority = 0): Request {
    return this.enqueue(new Request(this.sim, this, this.queueing === "priority" ? priority : 0, this.sim.active, false));
  }

  /**
   * Returns a unit. Without an argument: a unit granted to the running process (its oldest).
   * Releasing a request that was preempted does nothing (its unit is already gone).
   */
  release(request?: Request): void {
    const req = request ?? this.heldByActive();
    if (req.resource !== this) {
      throw new SimulationInputError(`resource '${this.name}': release of a request of resource '${req.resource.name}'`);
    }
    if (!req.holding) {
      if (req.preempted) return;
      throw new SimulationInputError(
        `resource '${this.name}': release of a request that ${req.queued ? "is still queued (withdraw it with cancel())" : req.triggered ? "was already released" : "was withdrawn"}`,
      );
    }
    this.drop(req);
    const next = this.queue.shift();
    if (next !== undefined) this.grant(next);
  }

  /** The requests waiting, in service order. */
  queued(): Request[] {
    return this.queue.toArray();
  }

  /** @internal */
  withdraw(wait: Wait<any>): void {
    this.queue.withdraw(wait as Request);
  }

  protected enqueue(req: Request): Request {
    if (this.inUse < this.capacity && this.queue.length === 0) this.grant(req);
    else this.queue.push(req);
    return req;
  }

  /** The queued request that would be served next. */
  protected nextInLine(): Request | undefined {
    return this.queue.peek();
  }

  protected grant(req: Request): void {
    this.inUse++;
    req.holding = true;
    req.grantedAt = this.sim.now;
    const list = this.holders.get(req.requester);
    if (list === undefined) this.holders.set(req.requester, [req]);
    else list.push(req);
    req.succeed();
  }

  /** Takes the unit back from a holder. */
  protected drop(req: Request): void {
    this.inUse--;
    req.holding = false;
    const list = this.holders.get(req.requester)!;
    if (list.length === 1) this.holders.delete(req.requester);
    else list.splice(list.indexOf(req), 1);
  }

  private heldByActive(): Request {
    const active = this.sim.active;
    if (active === null) {
      throw new SimulationInputError(`resource '${this.name}': release() outside a process needs the request: release(request)`);
    }
    const req = this.holders.get(active)?.[0];
    if (req === undefined) {
      throw new SimulationInputError(`resource '${this.name}': process '${active.name}' released a unit it does not hold`);
    }
    return req;
  }
}

/** The cause of the Interrupt a preempted holder receives. */
export class Preempted {
  constructor(
    /** The process whose request took the unit (null if it asked from a callback). */
    readonly by: Process<any> | null,
    /** When the preempted holder was granted the unit. */
    readonly usageSince: number,
    readonly resource: PreemptiveResource,
  ) {}

  toString(): string {
    return `preempted on '${this.resource.name}' by '${this.by?.name ?? "a callback"}' (held since t=${this.usageSince})`;
  }
}

/**
 * Priority queueing where a request with `preempt` (the default) and a strictly lower priority
 * value than the worst holder takes that holder's unit at once (SimPy's PreemptiveResource).
 * The worst holder is the one with the highest priority value, the most recently granted among
 * equals. It receives `Interrupt` with a `Preempted` cause and must not release the unit.
 */
export class PreemptiveResource extends Resource {
  constructor(sim: Simulation, name: string, capacity = 1) {
    super(sim, name, capacity, "priority");
  }

  override request(priority = 0, preempt = true): Request {
    const req = new Request(this.sim, this, priority, this.sim.active, preempt);
    if (preempt && this.busy >= this.capacity) {
      const head = this.nextInLine();
      const victim = this.worstHolder();
      if ((head === undefined || priority < head.priority) && victim !== undefined && victim.priority > priority) {
        this.preemptHolder(victim, req);
        this.grant(req);
        return req;
      }
    }
    return this.enqueue(req);
  }

  private worstHolder(): Request | undefined {
    let worst: Request | undefined;
    for (const list of this.holders.values()) {
      for (const r of list) {
        if (worst === undefined || r.priority > worst.priority || (r.priority === worst.priority && r.grantedAt >= worst.grantedAt)) worst = r;
      }
    }
    return worst;
  }

  private preemptHolder(victim: Request, by: Request): void {
    const p = victim.requester;
    if (p === null) {
      throw new SimulationInputError(
        `resource '${this.name}': cannot preempt a holder that requested outside a process (nothing to interrupt)`,
      );
    }
    this.drop(victim);
    victim.preempted = true;
    if (p.alive) p.interrupt(new Preempted(by.requester, victim.grantedAt, this));
  }
}
