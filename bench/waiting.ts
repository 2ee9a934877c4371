/**
 * Long waiting lists: every wait/serve must be O(1) amortised. Two cases:
 * - an overloaded M/M/1 (λ = 10, μ = 1): the queue grows to ~0.9 × customers;
 * - 10^6 processes queued at once on a Resource, PreemptiveResource, Store or Container,
 *   then served one per tick. Time per waiter at 10^5 and 10^6 should be about the same.
 */
import { Container, PreemptiveResource, Resource, Simulation, Store, distribution, type SimEvent } from "../src/engine/index.js";

export interface WaitingResult {
  readonly name: "waiting";
  readonly case: string;
  readonly waiters: number;
  readonly seconds: number;
  readonly nsPerWaiter: number;
  readonly fingerprint: string;
}

const SCALE = 1000; // ticks per time unit

/** Overloaded M/M/1: `customers` arrivals at rate 10, one server at rate 1. */
export function overloadedMM1(customers: number): WaitingResult {
  const sim = new Simulation({ seed: 1 });
  const gap = distribution({ dist: "exponential", mean: SCALE / 10 });
  const service = distribution({ dist: "exponential", mean: SCALE });
  const arrivals = sim.streams.get("arrivals"), services = sim.streams.get("service");
  const server = new Resource(sim, "server");
  function* customer() {
    yield server.request();
    yield Math.round(service.sample(services));
    server.release();
  }
  sim.process("arrivals", (function* () {
    for (let i = 0; i < customers; i++) {
      yield Math.round(gap.sample(arrivals));
      sim.process("customer", customer());
    }
  })());
  return timed("mm1-overloaded", customers, sim);
}

type Kind = "resource" | "preemptive" | "store" | "container";

/** `waiters` processes queue at t=0 on one `kind`; a server frees one unit per tick. */
export function queuedAtOnce(kind: Kind, waiters: number): WaitingResult {
  const sim = new Simulation({ seed: 1 });
  let wait: () => SimEvent<any>;
  let serve: () => void;
  if (kind === "resource" || kind === "preemptive") {
    const r = kind === "resource" ? new Resource(sim, "r") : new PreemptiveResource(sim, "r");
    sim.process("holder", (function* () { yield r.request(); yield waiters; r.release(); })());
    wait = () => r.request(1);
    serve = () => {};
    // Each waiter releases after one tick, which grants the next.
    const body = function* () { yield wait(); yield 1; r.release(); };
    for (let i = 0; i < waiters; i++) sim.process("waiter", body());
  } else {
    if (kind === "store") {
      const s = new Store<number>(sim, "s");
      wait = () => s.get();
      serve = () => { s.put(1); };
    } else {
      const c = new Container(sim, "c", Infinity, 0);
      wait = () => c.get(1);
      serve = () => { c.put(1); };
    }
    const body = function* () { yield wait(); };
    for (let i = 0; i < waiters; i++) sim.process("waiter", body());
    sim.process("server", (function* () { for (let i = 0; i < waiters; i++) { yield 1; serve(); } })());
  }
  return timed(kind, waiters, sim);
}

function timed(name: string, waiters: number, sim: Simulation): WaitingResult {
  const t0 = process.hrtime.bigint();
  const report = sim.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (report.reason !== "empty") throw new Error(`waiting bench '${name}' ended with ${report.reason}`);
  return { name: "waiting", case: name, waiters, seconds, nsPerWaiter: (seconds * 1e9) / waiters, fingerprint: report.fingerprint };
}
