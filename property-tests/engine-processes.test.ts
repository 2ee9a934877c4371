/**
 * Process-level properties on random process programs: determinism, time monotonicity, FIFO at
 * equal times, interrupts exactly once, allOf/anyOf timing, rejected bad delays.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Interrupt, Simulation, SimulationInputError, type SimEvent, type TraceRecord, type Yieldable } from "../src/engine/index.js";
import { fcParams } from "./config.js";

/** One step of a random process program. */
type Op =
  | { op: "delay"; ticks: number }
  | { op: "draw"; stream: number; scale: number }
  | { op: "signal"; event: number }
  | { op: "wait"; event: number; timeout: number }
  | { op: "spawn"; ticks: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("delay" as const), ticks: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ op: fc.constant("draw" as const), stream: fc.integer({ min: 0, max: 3 }), scale: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constant("signal" as const), event: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ op: fc.constant("wait" as const), event: fc.integer({ min: 0, max: 4 }), timeout: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant("spawn" as const), ticks: fc.integer({ min: 0, max: 30 }) }),
);
const programArb = fc.array(fc.array(opArb, { maxLength: 25 }), { minLength: 1, maxLength: 8 });

interface Outcome {
  fingerprint: string;
  log: string[];
  trace: TraceRecord[];
}

/** Interprets a program; everything observable goes to the log. */
function runProgram(program: Op[][], seed: number): Outcome {
  const trace: TraceRecord[] = [];
  const sim = new Simulation({ seed, trace: (r) => trace.push(r) });
  const log: string[] = [];
  const events: SimEvent<number>[] = [];
  const eventFor = (i: number) => {
    let ev = events[i];
    if (ev === undefined || ev.triggered) ev = events[i] = sim.event<number>(`e${i}`);
    return ev;
  };
  function* child(name: string, ticks: number) {
    yield ticks;
    return `${name}@${sim.now}`;
  }
  function* worker(id: number, ops: Op[]): Generator<Yieldable, void, unknown> {
    for (const [k, o] of ops.entries()) {
      if (o.op === "delay") yield o.ticks;
      else if (o.op === "draw") log.push(`${id}:draw:${Math.floor(sim.streams.get(`s${o.stream}`).uniform() * o.scale)}`);
      else if (o.op === "signal") eventFor(o.event).succeed(id);
      else if (o.op === "wait") {
        const r = yield sim.anyOf([eventFor(o.event), sim.timeout(o.timeout, -1)]);
        log.push(`${id}:woke:${(r as SimEvent<number>).value}@${sim.now}`);
      } else {
        const value = yield sim.process(`c${id}.${k}`, child(`c${id}.${k}`, o.ticks));
        log.push(`${id}:joined:${value}@${sim.now}`);
      }
    }
    log.push(`${id}:done@${sim.now}`);
  }
  program.forEach((ops, i) => sim.process(`w${i}`, worker(i, ops)));
  const report = sim.run();
  assert.is(report.reason, "empty");
  return { fingerprint: report.fingerprint, log, trace };
}

test("same program and seed → same fingerprint and same results", () => {
  fc.assert(
    fc.property(programArb, fc.nat(), (program, seed) => {
      const a = runProgram(program, seed);
      const b = runProgram(program, seed);
      assert.is(a.fingerprint, b.fingerprint);
      assert.equal(a.log, b.log);
    }),
    fcParams(150),
  );
});

test("time never goes backwards; equal (time, priority) events keep scheduling order", () => {
  fc.assert(
    fc.property(programArb, fc.nat(), (program, seed) => {
      const { trace } = runProgram(program, seed);
      for (let i = 1; i < trace.length; i++) {
        const p = trace[i - 1]!, c = trace[i]!;
        assert.ok(c.time >= p.time, `time went from ${p.time} to ${c.time}`);
        if (c.time === p.time) assert.ok(c.priority >= p.priority, "priority order broken at equal time");
      }
    }),
    fcParams(150),
  );
});

test("processes started at the same instant run first-scheduled-first", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), (delays) => {
      const sim = new Simulation();
      const order: number[] = [];
      delays.forEach((d, i) => sim.process(`p${i}`, (function* () { yield d; order.push(i); })()));
      sim.run();
      const expected = delays.map((d, i) => [d, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
      assert.equal(order, expected);
    }),
    fcParams(200),
  );
});

test("a different seed changes the draws", () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.string(), (s1, s2, name) => {
      fc.pre(s1 !== s2);
      const draw = (seed: number) => {
        const r = new Simulation({ seed }).streams.get(name);
        return [r.uniform(), r.uniform(), r.uniform()];
      };
      assert.not.equal(draw(s1), draw(s2));
    }),
    fcParams(300),
  );
});

test("streams do not depend on creation order", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 8 }), fc.nat(), (names, seed) => {
      const draws = (order: string[]) => {
        const sim = new Simulation({ seed });
        const streams = order.map((n) => sim.streams.get(n));
        const out = new Map<string, number[]>();
        streams.forEach((s) => out.set(s.name, [s.uniform(), s.uniform()]));
        return names.map((n) => out.get(n));
      };
      assert.equal(draws(names), draws([...names].reverse()));
    }),
    fcParams(200),
  );
});

test("each interrupt is raised exactly once at the target's yield point", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 10 }),
      (waits, interruptTimes) => {
        const sim = new Simulation();
        const caught: unknown[] = [];
        const target = sim.process("target", (function* () {
          for (const w of waits) {
            try {
              yield w % 3 === 0 ? sim.event("never") : w;
            } catch (e) {
              assert.instance(e, Interrupt);
              caught.push((e as Interrupt).cause);
            }
          }
          return "done";
        })());
        const sent: number[] = [];
        interruptTimes.forEach((t, i) =>
          sim.process(`interrupter${i}`, (function* () {
            yield t;
            if (target.alive) {
              target.interrupt(i);
              sent.push(i);
            }
          })()),
        );
        const report = sim.run();
        // Interrupts sent after the target's last yield point find nothing to interrupt.
        assert.equal(caught, sent.slice(0, caught.length));
        if (caught.length < sent.length) assert.not.ok(target.alive, "an interrupt was lost while the target lived");
        // Waiting on an event nobody triggers is a deadlock only for the target.
        if (report.reason === "deadlock") assert.equal(report.waiting.map((w) => w.process), ["target"]);
        else assert.is(report.reason, "empty");
      },
    ),
    fcParams(200),
  );
});

test("allOf fires at the latest of its events, anyOf at the earliest", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }), (delays) => {
      const sim = new Simulation();
      let allAt = -1, anyAt = -1;
      let allValue: unknown;
      sim.process("all", (function* () {
        allValue = yield sim.allOf(delays.map((d, i) => sim.timeout(d, i)));
        allAt = sim.now;
      })());
      sim.process("any", (function* () {
        yield sim.anyOf(delays.map((d) => sim.timeout(d)));
        anyAt = sim.now;
      })());
      sim.run();
      assert.is(allAt, Math.max(...delays));
      assert.is(anyAt, Math.min(...delays));
      assert.equal(allValue, delays.map((_, i) => i));
    }),
    fcParams(200),
  );
});

test("bad delays are rejected with the process name and the value", () => {
  const bad = fc.oneof(
    fc.integer({ max: -1 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 53, 1.5),
  );
  fc.assert(
    fc.property(bad, (delay) => {
      const sim = new Simulation();
      sim.process("bad-delayer", (function* () { yield delay; })());
      try {
        sim.run();
        assert.unreachable("accepted a bad delay");
      } catch (e) {
        assert.instance(e, SimulationInputError);
        assert.match((e as Error).message, "bad-delayer");
        assert.match((e as Error).message, String(delay));
      }
    }),
    fcParams(200),
  );
});

test.run();
