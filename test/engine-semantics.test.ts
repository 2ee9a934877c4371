/** Process semantics users of a DES library rely on (SimPy's rules), one mechanism per test. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  Container, Interrupt, PreemptiveResource, Preempted, ProcessFailure, Resource, Simulation, SimulationInputError, Store,
  type SimEvent,
} from "../src/engine/index.js";

const isInputError = (e: unknown) => e instanceof SimulationInputError;

test("an interrupt in the instant a process is created arrives at its first yield point", () => {
  const sim = new Simulation();
  const log: string[] = [];
  const p = sim.process("fresh", (function* () {
    log.push(`started at ${sim.now}`);
    try {
      yield 100;
      log.push("slept");
    } catch (e) {
      log.push(`${(e as Interrupt).cause} at ${sim.now}`);
    }
    yield 3;
    log.push(`done at ${sim.now}`);
  })());
  p.interrupt("early");
  const report = sim.run();
  assert.is(report.reason, "empty");
  assert.equal(log, ["started at 0", "early at 0", "done at 3"]);
});

test("an interrupt before the first step of a process that never yields is dropped", () => {
  const sim = new Simulation();
  let ran = false;
  const p = sim.process("instant", (function* () { ran = true; })());
  p.interrupt("too late");
  assert.is(sim.run().reason, "empty");
  assert.ok(ran);
});

test("a failing child throws its error into the joiner, which can catch it", () => {
  const sim = new Simulation();
  const boom = new Error("boom");
  let caught: unknown;
  sim.process("parent", (function* () {
    try {
      yield sim.process("child", (function* () { yield 4; throw boom; })());
    } catch (e) {
      caught = e;
    }
    yield 1;
  })());
  const report = sim.run();
  assert.is(caught, boom);
  assert.is(report.now, 5);
});

test("an uncaught failure travels up through joiners and stops the run naming the process, time and origin", () => {
  const sim = new Simulation();
  sim.process("parent", (function* () {
    yield 2;
    yield sim.process("child", (function* () { yield 4; throw new Error("disk full"); })());
  })());
  try {
    sim.run();
    assert.unreachable("the run should stop");
  } catch (e) {
    assert.instance(e, ProcessFailure);
    const f = e as ProcessFailure;
    assert.is(f.processName, "parent");
    assert.is(f.time, 6);
    assert.equal(f.origin, { processName: "child", time: 6 });
    assert.match(f.message, "disk full");
    assert.match(f.message, "'child'");
  }
});

test("a child that fails after losing an anyOf race is unhandled: nobody waits on it any more", () => {
  const sim = new Simulation();
  let winner = "";
  sim.process("parent", (function* () {
    const child = sim.process("slow child", (function* () { yield 10; throw new Error("late failure"); })());
    const timeout = sim.timeout(3, "timeout");
    const first = (yield sim.anyOf([child, timeout])) as SimEvent<string>;
    winner = String(first.value);
  })());
  assert.throws(() => sim.run(), (e: unknown) => e instanceof ProcessFailure && e.processName === "slow child" && e.time === 10);
  assert.is(winner, "timeout");
});

test("a failure reaching only plain callbacks is unhandled; through a condition it reaches the waiting process", () => {
  const onlyCallback = new Simulation();
  const child = onlyCallback.process("child", (function* () { yield 2; throw new Error("lost"); })());
  let called = false;
  child.onProcessed(() => { called = true; });
  assert.throws(() => onlyCallback.run(), (e: unknown) => e instanceof ProcessFailure && e.processName === "child");
  assert.not.ok(called);

  const viaCondition = new Simulation();
  let caught: unknown;
  viaCondition.process("parent", (function* () {
    const c = viaCondition.process("child", (function* () { yield 2; throw new Error("reported"); })());
    try { yield viaCondition.allOf([c, viaCondition.timeout(5)]); } catch (e) { caught = e; }
  })());
  assert.is(viaCondition.run().reason, "empty");
  assert.match(String(caught), "reported");
});

/** Customers with patience: each requests, reneges (cancel) when patience runs out first. */
function reneging(capacity: number, customers: ReadonlyArray<{ arrive: number; patience: number; service: number }>) {
  const sim = new Simulation();
  const res = new Resource(sim, "desk", capacity);
  const served: number[] = [];
  const reneged: number[] = [];
  customers.forEach((c, i) => sim.process(`c${i}`, (function* () {
    yield c.arrive;
    const req = res.request();
    yield sim.anyOf([req, sim.timeout(c.patience)]);
    if (req.cancel()) { // still queued: give up
      reneged.push(i);
      return;
    }
    served.push(i);
    yield c.service;
    res.release(req);
  })()));
  const report = sim.run();
  return { served, reneged, report, res };
}

test("a reneging customer's withdrawn request is never granted later", () => {
  const { served, reneged, res, report } = reneging(1, [
    { arrive: 0, patience: 100, service: 50 },
    { arrive: 1, patience: 10, service: 5 }, // gives up at 11, long before the desk frees at 50
    { arrive: 2, patience: 100, service: 5 },
  ]);
  assert.equal(reneged, [1]);
  assert.equal(served, [0, 2]);
  assert.is(report.reason, "empty");
  assert.is(res.busy, 0);
  assert.is(res.waiting, 0);
});

test("cancel on a granted request returns false (the unit is held and must be released)", () => {
  const sim = new Simulation();
  const res = new Resource(sim, "r");
  sim.process("holder", (function* () {
    const req = res.request();
    yield req;
    assert.not.ok(req.cancel());
    assert.is(res.busy, 1);
    res.release(req);
  })());
  sim.run();
  assert.is(res.busy, 0);
});

test("release checks that the releaser holds a unit", () => {
  const sim = new Simulation();
  const res = new Resource(sim, "lock");
  const errors: string[] = [];
  const attempt = (f: () => void) => {
    try { f(); } catch (e) { assert.ok(isInputError(e)); errors.push((e as Error).message); }
  };
  sim.process("owner", (function* () {
    const req = res.request();
    yield req;
    yield 10;
    res.release();
    attempt(() => res.release(req)); // double release
  })());
  sim.process("thief", (function* () {
    yield 5;
    attempt(() => res.release()); // holds nothing
    const mine = res.request();
    attempt(() => res.release(mine)); // still queued
    yield mine;
    res.release(mine);
  })());
  sim.run();
  assert.is(errors.length, 3);
  assert.match(errors[0]!, "'thief' released a unit it does not hold");
  assert.match(errors[1]!, "still queued");
  assert.match(errors[2]!, "already released");
  assert.is(res.busy, 0);
});

test("preemption: the worst holder is interrupted with who preempted it and since when", () => {
  const sim = new Simulation();
  const cpu = new PreemptiveResource(sim, "cpu", 1);
  const log: string[] = [];
  sim.process("batch", (function* () {
    const req = cpu.request(5);
    yield req;
    log.push(`batch got cpu at ${sim.now}`);
    try {
      yield 100;
      cpu.release(req);
    } catch (e) {
      const why = (e as Interrupt).cause as Preempted;
      assert.instance(why, Preempted);
      log.push(`batch preempted at ${sim.now} by ${why.by?.name} (since ${why.usageSince})`);
      cpu.release(req); // a preempted request's release does nothing
    }
  })());
  sim.process("irq", (function* () {
    yield 30;
    yield cpu.request(1);
    log.push(`irq got cpu at ${sim.now}`);
    yield 5;
    cpu.release();
  })());
  sim.process("polite", (function* () {
    yield 31;
    yield cpu.request(0, false); // better priority but does not preempt: waits its turn
    log.push(`polite got cpu at ${sim.now}`);
    cpu.release();
  })());
  sim.run();
  assert.equal(log, [
    "batch got cpu at 0",
    "batch preempted at 30 by irq (since 0)", // interrupts are urgent: before irq's grant event
    "irq got cpu at 30",
    "polite got cpu at 35",
  ]);
  assert.is(cpu.busy, 0);
});

test("container: gets wait for enough, puts for room, each side first-come first-served", () => {
  const sim = new Simulation();
  const tank = new Container(sim, "tank", 10, 2);
  const log: string[] = [];
  sim.process("big", (function* () { yield tank.get(6); log.push(`big got 6 at ${sim.now}`); })());
  sim.process("small", (function* () { yield 1; yield tank.get(1); log.push(`small got 1 at ${sim.now}`); })());
  sim.process("filler", (function* () {
    yield 5;
    yield tank.put(2.5);
    yield 5;
    yield tank.put(2.5);
    yield tank.put(9.5); // fits at once: big and small emptied the tank
    log.push(`filled at ${sim.now}`);
  })());
  sim.process("drain", (function* () { yield 20; yield tank.get(4); log.push(`drain got 4 at ${sim.now}`); })());
  sim.run();
  // small (1 ≤ level from t=1) waits behind big until 2 + 2.5 + 2.5 = 7 ≥ 6 at t=10.
  assert.equal(log, ["big got 6 at 10", "small got 1 at 10", "filled at 10", "drain got 4 at 20"]);
  assert.is(tank.level, 5.5);
});

test("container: withdrawing the blocking head lets the gets behind it through", () => {
  const sim = new Simulation();
  const tank = new Container(sim, "tank", 100, 3);
  let got = -1;
  const head = tank.get(50);
  sim.process("behind", (function* () { yield tank.get(2); got = sim.now; })());
  sim.schedule(7, () => assert.ok(head.cancel()));
  sim.run();
  assert.is(got, 7);
  assert.is(tank.level, 1);
  assert.throws(() => tank.get(0), isInputError);
  assert.throws(() => tank.put(101), isInputError);
});

test("a store get that loses a race and is withdrawn never takes an item", () => {
  const sim = new Simulation();
  const box = new Store<string>(sim, "box");
  const got: string[] = [];
  sim.process("impatient", (function* () {
    const g = box.get();
    const first = yield sim.anyOf([g, sim.timeout(5)]);
    if (first !== g) assert.ok(g.cancel());
  })());
  sim.process("patient", (function* () { yield 1; got.push(`${yield box.get()}@${sim.now}`); })());
  sim.schedule(10, () => { box.put("parcel"); box.put("letter"); });
  sim.run();
  assert.equal(got, ["parcel@10"]);
  assert.is(box.length, 1);
});

test("callback-only events run their handler with the argument, in (time, priority, order) with other events", () => {
  const sim = new Simulation({ seed: 3 });
  const order: string[] = [];
  const tick = sim.handler<{ name: string; left: number }>("tick", (e) => {
    order.push(`${e.name}@${sim.now}`);
    if (--e.left > 0) sim.post(tick, 10, e);
  });
  sim.post(tick, 5, { name: "a", left: 2 });
  sim.schedule(5, () => order.push("call@5"));
  sim.post(tick, 5, { name: "b", left: 1 });
  sim.process("p", (function* () { yield 15; order.push("process@15"); })());
  const trace: string[] = [];
  const report = sim.run();
  assert.equal(order, ["a@5", "call@5", "b@5", "process@15", "a@15"]); // the resume at 15 was queued at t=0
  assert.is(report.events, 3 + 1 + 3); // 3 callbacks, 1 call, the process's start, resume and finish event
  assert.throws(() => sim.post(tick, -1, { name: "x", left: 1 }), isInputError);
  assert.throws(() => new Simulation().post(tick, 1, { name: "x", left: 1 }), isInputError);
  // Traced as "callback" with the handler's name.
  const traced = new Simulation({ trace: (r) => trace.push(`${r.kind}:${r.name}`) });
  traced.post(traced.handler("h", () => {}), 1, null);
  traced.run();
  assert.equal(trace, ["callback:h"]);
});

test.run();
