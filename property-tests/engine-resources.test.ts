/**
 * Resources, stores and containers under random reneging and random amounts: invariants that
 * hold whatever the schedule (no unit granted to a withdrawn request, FIFO service, work
 * conservation, conserved container level).
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Container, Resource, Simulation, Store } from "../src/engine/index.js";
import { fcParams } from "./config.js";

const customerArb = fc.record({
  arrive: fc.integer({ min: 0, max: 40 }),
  patience: fc.integer({ min: 0, max: 30 }),
  service: fc.integer({ min: 0, max: 20 }),
});

test("reneging on a resource: withdrawn requests are never granted, service is FIFO and work-conserving", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.array(customerArb, { maxLength: 40 }), (capacity, customers) => {
      const sim = new Simulation();
      const res = new Resource(sim, "desk", capacity);
      const starts: Array<{ order: number; at: number }> = [];
      const reneged: Array<{ req: ReturnType<Resource["request"]> }> = [];
      let asked = 0;
      customers.forEach((c, i) => sim.process(`c${i}`, (function* () {
        yield c.arrive;
        const order = asked++;
        const req = res.request();
        yield sim.anyOf([req, sim.timeout(c.patience)]);
        if (req.cancel()) {
          // Gave up: only because every unit was busy.
          assert.is(res.busy, capacity);
          reneged.push({ req });
          return;
        }
        assert.ok(res.busy <= capacity);
        starts.push({ order, at: sim.now });
        yield c.service;
        res.release(req);
      })()));
      assert.is(sim.run().reason, "empty");
      assert.is(starts.length + reneged.length, customers.length);
      for (const r of reneged) assert.not.ok(r.req.triggered, "a withdrawn request was granted");
      const byOrder = [...starts].sort((a, b) => a.order - b.order);
      for (let i = 1; i < byOrder.length; i++) assert.ok(byOrder[i]!.at >= byOrder[i - 1]!.at, "served out of FIFO order");
      assert.equal([res.busy, res.waiting], [0, 0]);
    }),
    fcParams(150),
  );
});

test("store: withdrawn gets take nothing; every item put is got exactly once or left in the store", () => {
  fc.assert(
    fc.property(fc.array(customerArb, { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 30 }), (getters, puts) => {
      const sim = new Simulation();
      const store = new Store<number>(sim, "box");
      const got: number[] = [];
      getters.forEach((g, i) => sim.process(`g${i}`, (function* () {
        yield g.arrive;
        const ev = store.get();
        yield sim.anyOf([ev, sim.timeout(g.patience)]);
        if (!ev.cancel()) got.push(ev.value!);
      })()));
      puts.forEach((t, i) => sim.schedule(t, () => { store.put(i); }));
      sim.run();
      const all = [...got, ...Array.from({ length: store.length }, () => -1)];
      assert.is(all.length, puts.length);
      assert.is(new Set(got).size, got.length, "an item was got twice");
    }),
    fcParams(150),
  );
});

test("container: the level stays in [0, capacity] and equals init + served puts − served gets", () => {
  const opArb = fc.record({ at: fc.integer({ min: 0, max: 30 }), amount: fc.double({ min: 0.5, max: 10, noNaN: true }), put: fc.boolean(), patience: fc.integer({ min: 0, max: 20 }) });
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 40 }), fc.double({ min: 0, max: 10, noNaN: true }), (ops, init) => {
      const sim = new Simulation();
      const tank = new Container(sim, "tank", 10, init);
      let expected = init;
      ops.forEach((o, i) => sim.process(`op${i}`, (function* () {
        yield o.at;
        const w = o.put ? tank.put(o.amount) : tank.get(o.amount);
        yield sim.anyOf([w, sim.timeout(o.patience)]);
        if (!w.cancel()) expected += o.put ? o.amount : -o.amount;
        assert.ok(tank.level >= -1e-9 && tank.level <= 10 + 1e-9, `level ${tank.level}`);
      })()));
      sim.run();
      assert.ok(Math.abs(tank.level - expected) < 1e-9, `level ${tank.level}, expected ${expected}`);
    }),
    fcParams(150),
  );
});

test.run();
