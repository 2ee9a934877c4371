/** Unit tests of the engine's API contracts. */
import { spawnSync } from "node:child_process";
import { quantile } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  Histogram, Interrupt, PRIORITY_LATE, PRIORITY_URGENT, ProcessFailure, Resource, SampleStore, Simulation,
  SimulationInputError, Store, Tally, TimeWeighted, deriveSeed, describeDeadlock,
} from "../src/engine/index.js";

test("equal times run in priority order, then first-scheduled-first", () => {
  const sim = new Simulation();
  const order: string[] = [];
  sim.schedule(5, () => order.push("late"), PRIORITY_LATE);
  sim.schedule(5, () => order.push("normal-1"));
  sim.schedule(5, () => order.push("urgent"), PRIORITY_URGENT);
  sim.schedule(5, () => order.push("normal-2"));
  sim.schedule(4, () => order.push("earlier"), PRIORITY_LATE);
  sim.run();
  assert.equal(order, ["earlier", "urgent", "normal-1", "normal-2", "late"]);
});

test("joining a process receives its return value at its finish time", () => {
  const sim = new Simulation();
  let got: unknown;
  let at = -1;
  sim.process("parent", (function* () {
    got = yield sim.process("child", (function* () { yield 7; return "result"; })());
    at = sim.now;
  })());
  sim.run();
  assert.is(got, "result");
  assert.is(at, 7);
});

test("joining a finished process resumes at once with its value", () => {
  const sim = new Simulation();
  const child = sim.process("child", (function* () { yield 1; return 42; })());
  let got: unknown;
  sim.process("late-parent", (function* () { yield 10; got = yield child; })());
  sim.run();
  assert.is(got, 42);
});

test("an interrupt raises at the yield point with its cause and cancels the pending delay", () => {
  const sim = new Simulation();
  const log: string[] = [];
  const sleeper = sim.process("sleeper", (function* () {
    try {
      yield 100;
      log.push("slept");
    } catch (e) {
      assert.instance(e, Interrupt);
      log.push(`interrupted by ${String((e as Interrupt).cause)} at ${sim.now}`);
    }
    yield 5;
    log.push(`done at ${sim.now}`);
  })());
  sim.schedule(30, () => sleeper.interrupt("ipi"));
  const report = sim.run();
  assert.equal(log, ["interrupted by ipi at 30", "done at 35"]);
  assert.is(report.now, 35);
});

test("a throwing process fails loudly with its name and the simulated time", () => {
  const sim = new Simulation();
  sim.process("faulty", (function* () { yield 12; throw new Error("boom"); })());
  try {
    sim.run();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ProcessFailure);
    assert.is((e as ProcessFailure).processName, "faulty");
    assert.is((e as ProcessFailure).time, 12);
    assert.match((e as Error).message, "boom");
  }
});

test("a failed event throws into its waiters", () => {
  const sim = new Simulation();
  const ev = sim.event("doomed");
  let caught: unknown;
  sim.process("waiter", (function* () {
    try { yield ev; } catch (e) { caught = e; }
  })());
  sim.schedule(3, () => ev.fail("bad news"));
  sim.run();
  assert.is(caught, "bad news");
});

test("deadlock: the report lists each waiting process and what it waits on; daemons are exempt", () => {
  const sim = new Simulation();
  const store = new Store<number>(sim, "requests");
  sim.process("server", (function* () { for (;;) yield store.get(); })(), { daemon: true });
  sim.process("stuck", (function* () { yield 3; yield sim.event("reply"); })());
  const report = sim.run();
  assert.is(report.reason, "deadlock");
  assert.equal(report.waiting, [{ process: "stuck", waitsOn: "event 'reply'" }]);
  assert.match(describeDeadlock(report), "'stuck' waits on event 'reply'");
});

test("run honours until and maxEvents, and can continue", () => {
  const sim = new Simulation();
  let ticks = 0;
  sim.process("clock", (function* () { for (;;) { yield 10; ticks++; } })(), { daemon: true });
  const a = sim.run({ until: 55 });
  assert.is(a.reason, "until");
  assert.is(a.now, 55);
  assert.is(ticks, 5);
  const b = sim.run({ maxEvents: 3 });
  assert.is(b.reason, "maxEvents");
  assert.is(b.events, 3);
  assert.is(sim.now, 80);
});

test("cancelled scheduled calls do not run", () => {
  const sim = new Simulation();
  const ran: number[] = [];
  const a = sim.schedule(1, () => ran.push(1));
  sim.schedule(2, () => ran.push(2));
  assert.ok(a.cancel());
  assert.not.ok(a.cancel());
  sim.run();
  assert.equal(ran, [2]);
});

test("callAt is schedule without the handle: same order and fingerprint; cancelCall cancels once, and not a reused slot's entry", () => {
  const run = (keyed: boolean) => {
    const sim = new Simulation();
    const ran: string[] = [];
    const at = (delay: number, name: string, tag: number) => {
      const fn = () => void ran.push(`${name}@${sim.now}`);
      if (!keyed) return sim.schedule(delay, fn, undefined, tag).cancel;
      const slot = sim.callAt(delay, fn, tag);
      const seq = sim.callSequence(slot);
      return () => sim.cancelCall(slot, seq);
    };
    const cancelB = at(5, "b", 1);
    at(5, "a", 2);
    sim.schedule(3, () => {
      assert.ok(cancelB(), "pending: cancelled");
      assert.not.ok(cancelB(), "cancelled twice");
      at(2, "c", 3); // may reuse b's slot: b's old sequence number must not cancel it
      assert.not.ok(cancelB(), "a stale (slot, sequence) cancels nothing");
    });
    return { ran, report: sim.run() };
  };
  const viaSchedule = run(false), viaCallAt = run(true);
  assert.equal(viaCallAt.ran, ["a@5", "c@5"]);
  assert.equal(viaCallAt.ran, viaSchedule.ran);
  assert.is(viaCallAt.report.fingerprint, viaSchedule.report.fingerprint);
  assert.is(viaCallAt.report.events, viaSchedule.report.events);
});

test("store is FIFO and blocks getters until a put", () => {
  const sim = new Simulation();
  const store = new Store<string>(sim, "fifo");
  const got: string[] = [];
  sim.process("consumer", (function* () {
    for (let i = 0; i < 3; i++) got.push(`${yield store.get()}@${sim.now}`);
  })());
  sim.process("producer", (function* () {
    yield 5;
    store.put("a");
    store.put("b");
    yield 5;
    store.put("c");
  })());
  sim.run();
  assert.equal(got, ["a@5", "b@5", "c@10"]);
});

test("resource grants in FIFO order, or by priority when asked", () => {
  for (const queueing of ["fifo", "priority"] as const) {
    const sim = new Simulation();
    const cpu = new Resource(sim, "cpu", 1, queueing);
    const order: string[] = [];
    const user = (name: string, prio: number, arrive: number) =>
      sim.process(name, (function* () {
        yield arrive;
        yield cpu.request(prio);
        order.push(name);
        yield 10;
        cpu.release();
      })());
    user("first", 5, 0);
    user("low", 9, 1);
    user("high", 1, 2);
    sim.run();
    assert.equal(order, queueing === "fifo" ? ["first", "low", "high"] : ["first", "high", "low"], queueing);
  }
});

test("named streams: same seed and name → same draws; deriveSeed depends on every coordinate", () => {
  const draws = (seed: number, name: string) => {
    const s = new Simulation({ seed }).streams.get(name);
    return Array.from({ length: 5 }, () => s.uniform());
  };
  assert.equal(draws(7, "linux/noise/cpu3"), draws(7, "linux/noise/cpu3"));
  assert.not.equal(draws(7, "linux/noise/cpu3"), draws(7, "linux/noise/cpu4"));
  assert.is(deriveSeed(1, "a", 0), deriveSeed(1, "a", 0));
  assert.is.not(deriveSeed(1, "a", 0), deriveSeed(1, "a", 1));
  assert.is.not(deriveSeed(1, "a", 0), deriveSeed(2, "a", 0));
  assert.ok(Number.isSafeInteger(Number(deriveSeed("x", "y"))));
});

test("statistics agree with direct computation", () => {
  const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
  const t = new Tally();
  const s = new SampleStore();
  xs.forEach((x) => { t.add(x); s.add(x); });
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  assert.ok(Math.abs(t.mean - mean) < 1e-12);
  assert.ok(Math.abs(t.variance - variance) < 1e-12);
  assert.equal([t.min, t.max, t.count], [1, 9, 11]);
  for (const p of [0, 0.1, 0.5, 0.9, 0.99, 1]) assert.is(s.quantile(p), quantile(xs, p));
  const h = new Histogram(0, 10, 5);
  [-1, 0, 1.9, 2, 9.99, 10, 11].forEach((x) => h.add(x));
  assert.equal([h.underflow, ...h.counts, h.overflow], [1, 2, 1, 0, 0, 1, 2]);
  const tw = new TimeWeighted(0, 0);
  tw.set(10, 2); // 0 for [0,10), 2 for [10,30), 1 for [30,40]
  tw.set(30, 1);
  assert.is(tw.average(40), (0 * 10 + 2 * 20 + 1 * 10) / 40);
});

test("invalid engine arguments are rejected", () => {
  const sim = new Simulation();
  const isInputError = (e: unknown) => e instanceof SimulationInputError;
  assert.throws(() => sim.timeout(-1), isInputError);
  assert.throws(() => sim.schedule(1, () => {}, 300), isInputError);
  assert.throws(() => new Simulation({ seed: 0.5 }), isInputError);
  assert.throws(() => new Resource(sim, "r", 0), isInputError);
  const ev = sim.event("once").succeed(1);
  assert.throws(() => ev.succeed(2), /already triggered/);
});

test("the README example (an M/M/1 queue) runs and lands near theory", () => {
  const r = spawnSync(process.execPath, [new URL("../examples/mm1.js", import.meta.url).pathname], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const m = /mean wait ([\d.]+) ticks \(theory ρ\/\(μ−λ\) = ([\d.]+)\)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const [sim, theory] = [Number(m![1]), Number(m![2])];
  assert.ok(Math.abs(sim - theory) / theory < 0.15, `simulated ${sim} vs theory ${theory}`);
});

test.run();
