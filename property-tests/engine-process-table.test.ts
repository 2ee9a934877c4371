/**
 * The process table (process.ts) and the queue's touch-ahead (ladder.ts) are performance
 * mechanisms: they must not change what a run does. Random hold models with interrupts, joins
 * and short-lived processes whose rows are reused, above the pending count at which the queue
 * starts touching ahead.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Interrupt, Simulation, type Process, type Yieldable } from "../src/engine/index.js";
import { fcParams } from "./config.js";

interface Plan {
  readonly holders: number;
  readonly seed: number;
  readonly maxDelay: number;
  /** Interrupts issued by the controller, one per round, at holders picked by the draws. */
  readonly rounds: number;
  /** Short-lived processes spawned per round (their rows are freed and reused). */
  readonly spawns: number;
}

interface Outcome {
  readonly fingerprint: string;
  readonly events: number;
  readonly log: readonly string[];
  readonly misrouted: number;
  readonly wrongActive: number;
  /** Live holders without a pending delay of their own (a wake-up lost or shared). */
  readonly lost: number;
}

function runPlan(plan: Plan, touchAhead: boolean): Outcome {
  const sim = new Simulation({ seed: plan.seed });
  if (!touchAhead) sim.queue.toucher = null;
  const rng = sim.streams.get("delays");
  const log: string[] = [];
  let misrouted = 0, wrongActive = 0;
  const procs: Process<any>[] = [];
  const selfOf = new Map<string, () => Process<any>>();

  function* holder(name: string, steps: number): Generator<Yieldable, number, unknown> {
    let interrupts = 0;
    for (let k = 0; k < steps; k++) {
      try {
        yield Math.floor(rng.uniform() * plan.maxDelay);
        if (sim.active !== selfOf.get(name)!()) wrongActive++;
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e;
        if (e.cause !== name) misrouted++;
        interrupts++;
        log.push(`${name}!${sim.now}`);
      }
    }
    return interrupts;
  }
  const start = (name: string, steps: number) => {
    const p = sim.process(name, holder(name, steps), { daemon: true });
    selfOf.set(name, () => p);
    return p;
  };
  for (let i = 0; i < plan.holders; i++) procs.push(start(`h${i}`, 1_000_000));
  sim.process("controller", (function* () {
    for (let r = 0; r < plan.rounds; r++) {
      yield Math.floor(rng.uniform() * plan.maxDelay / 4);
      const target = procs[Math.floor(rng.uniform() * procs.length)]!;
      if (target.alive) target.interrupt(target.name);
      const children = [];
      for (let c = 0; c < plan.spawns; c++) children.push(start(`r${r}.${c}`, 1 + (c % 3)));
      if (children.length > 0) {
        const joined = yield sim.allOf(children);
        log.push(`r${r} joined ${(joined as number[]).join(",")} @${sim.now}`);
      }
    }
  })());
  const report = sim.run({ maxEvents: 40 * plan.holders });
  // Between events every live holder waits on exactly one delay, in a slot of its own.
  const slots = procs.filter((p) => p.alive).map((p) => (p as unknown as { delaySlot: number }).delaySlot);
  const lost = slots.filter((s) => s < 0).length + (slots.length - new Set(slots).size);
  return { fingerprint: report.fingerprint, events: report.events, log, misrouted, wrongActive, lost };
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  holders: fc.integer({ min: 9_000, max: 12_000 }),
  seed: fc.nat(1_000_000),
  maxDelay: fc.constantFrom(1, 50, 100_000, 1e9),
  rounds: fc.integer({ min: 1, max: 60 }),
  spawns: fc.integer({ min: 0, max: 5 }),
});

test("touching ahead changes nothing: same events, fingerprint and log with and without it", () => {
  fc.assert(
    fc.property(planArb, (plan) => {
      const on = runPlan(plan, true), off = runPlan(plan, false);
      assert.equal(on, off);
    }),
    fcParams(6),
  );
});

test("interrupts reach the process they name and `active` is the running process, while rows are reused", () => {
  fc.assert(
    fc.property(planArb, (plan) => {
      const r = runPlan(plan, true);
      assert.is(r.misrouted, 0);
      assert.is(r.wrongActive, 0);
      assert.is(r.lost, 0);
      assert.ok(r.events > plan.holders, `only ${r.events} events for ${plan.holders} holders`);
    }),
    fcParams(6),
  );
});

test.run();
