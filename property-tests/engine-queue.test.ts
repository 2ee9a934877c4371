/**
 * The pending-event sets (the calendar and ladder queues)
 * against a naive reference model, under random schedule/cancel/pop/popUntil sequences.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CalendarQueue, LadderQueue } from "../src/engine/index.js";
import { fcParams } from "./config.js";

interface RefEntry {
  time: number;
  priority: number;
  seq: number;
  target: number;
  slot: number;
  live: boolean;
}

interface Model {
  entries: RefEntry[];
  nextSeq: number;
}

interface Real {
  queue: CalendarQueue | LadderQueue;
}

const QUEUES = { calendar: (c: number) => new CalendarQueue(c), ladder: (c: number) => new LadderQueue(c) };

class Push implements fc.Command<Model, Real> {
  constructor(readonly time: number, readonly priority: number, readonly target: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const slot = r.queue.push(this.time, this.priority, 1 + (this.target % 4), this.target, { target: this.target });
    assert.is(r.queue.seqOf(slot), m.nextSeq);
    m.entries.push({ time: this.time, priority: this.priority, seq: m.nextSeq++, target: this.target, slot, live: true });
  }
  toString = () => `push(${this.time}, ${this.priority}, ${this.target})`;
}

class Cancel implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.entries.length > 0;
  run(m: Model, r: Real): void {
    const e = m.entries[this.pick % m.entries.length]!;
    const ok = r.queue.cancel(e.slot, e.seq);
    assert.is(ok, e.live, `cancel of seq ${e.seq} returned ${ok}`);
    e.live = false;
  }
  toString = () => `cancel(#${this.pick})`;
}

class Pop implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const live = m.entries.filter((e) => e.live);
    assert.is(r.queue.size, live.length);
    const popped = r.queue.pop();
    if (live.length === 0) {
      assert.not.ok(popped);
      return;
    }
    assert.ok(popped);
    live.sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq);
    const want = live[0]!;
    want.live = false;
    assert.equal(
      [r.queue.lastTime, r.queue.lastPriority, r.queue.lastSeq, r.queue.lastTarget],
      [want.time, want.priority, want.seq, want.target],
    );
    assert.equal(r.queue.lastPayload, { target: want.target });
    // Popped entries never come back; their slots may be reused, so drop them from the model.
    m.entries = m.entries.filter((e) => e.live);
  }
  toString = () => "pop";
}

/** popUntil(limit): pops only if the earliest live entry is due by `limit` (a run with `until`). */
class PopUntil implements fc.Command<Model, Real> {
  constructor(readonly limit: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const live = m.entries.filter((e) => e.live).sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq);
    const got = r.queue.popUntil(this.limit);
    const want = live[0];
    assert.is(got, want === undefined ? 0 : want.time <= this.limit ? 1 : -1);
    if (got !== 1) return;
    want!.live = false;
    assert.equal([r.queue.lastTime, r.queue.lastPriority, r.queue.lastSeq, r.queue.lastTarget], [want!.time, want!.priority, want!.seq, want!.target]);
    m.entries = m.entries.filter((e) => e.live);
  }
  toString = () => `popUntil(${this.limit})`;
}

/** An urgent push at the latest pending time: it must overtake the entries already there (ladder: Top vs rungs). */
class PushAtLatest implements fc.Command<Model, Real> {
  constructor(readonly target: number) {}
  check = (m: Readonly<Model>) => m.entries.some((e) => e.live);
  run(m: Model, r: Real): void {
    const time = Math.max(...m.entries.filter((e) => e.live).map((e) => e.time));
    new Push(time, 0, this.target).run(m, r);
  }
  toString = () => `pushAtLatest(${this.target})`;
}

// Few distinct times and priorities, so ties are common.
const commands = [
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.nat(1000)).map(([t, p, x]) => new Push(t, p, x)),
  fc.tuple(fc.constantFrom(0, 2 ** 40, 2 ** 53 - 1), fc.integer({ min: 0, max: 255 }), fc.nat(1000)).map(([t, p, x]) => new Push(t, p, x)),
  fc.nat().map((k) => new Cancel(k)),
  fc.nat(1000).map((x) => new PushAtLatest(x)),
  fc.constant(new Pop()),
  fc.constant(new Pop()),
  fc.integer({ min: 0, max: 6 }).map((l) => new PopUntil(l)),
  // Spread-out times, so the calendar resizes and re-estimates its day width.
  fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.nat(1000)).map(([t, x]) => new Push(t, 1, x)),
];

for (const [name, make] of Object.entries(QUEUES)) {
  test(`${name}: pops in (time, priority, sequence) order under random schedule/cancel/pop/popUntil`, () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 300 }), (cmds) => {
        fc.modelRun(() => ({ model: { entries: [], nextSeq: 0 }, real: { queue: make(4) } }), cmds);
      }),
      fcParams(200),
    );
  });
}

for (const [name, make] of Object.entries(QUEUES)) {
  test(`${name}: draining yields non-decreasing times and FIFO within equal (time, priority)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 })), { maxLength: 500 }), (items) => {
        const q = make(2);
        items.forEach(([t, p], i) => q.push(t, p, 1, i, null));
        let last: [number, number, number] = [-1, -1, -1];
        let n = 0;
        while (q.pop()) {
          const cur: [number, number, number] = [q.lastTime, q.lastPriority, q.lastTarget];
          assert.ok(cur[0] > last[0] || (cur[0] === last[0] && (cur[1] > last[1] || (cur[1] === last[1] && cur[2] > last[2]))));
          last = cur;
          n++;
        }
        assert.is(n, items.length);
      }),
      fcParams(200),
    );
  });

  // Hundreds to thousands of entries with spread and clustered increments, so the ladder splits
  // buckets into finer rungs and the calendar resizes: the pops must match a sorted reference.
  test(`${name}: the hold model (pop, push back later) pops what a sorted reference pops`, () => {
    const increment = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1e6, max: 1e6 + 50 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(increment, { minLength: 1, maxLength: 64 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 16 }), (n, incs, prios) => {
        const q = make(4);
        const ref: Array<[number, number, number]> = []; // [time, priority, seq], kept sorted
        const add = (t: number, p: number, seq: number) => {
          const e: [number, number, number] = [t, p, seq];
          let i = ref.length;
          while (i > 0 && (ref[i - 1]![0] > t || (ref[i - 1]![0] === t && (ref[i - 1]![1] > p || (ref[i - 1]![1] === p && ref[i - 1]![2] > seq))))) i--;
          ref.splice(i, 0, e);
        };
        let seq = 0;
        for (let i = 0; i < n; i++) {
          const t = incs[i % incs.length]! * (1 + (i % 7)), p = prios[i % prios.length]!;
          q.push(t, p, 1, seq, null);
          add(t, p, seq++);
        }
        for (let k = 0; k < 2 * n; k++) {
          assert.ok(q.pop());
          const want = ref.shift()!;
          assert.equal([q.lastTime, q.lastPriority, q.lastTarget], want);
          const t = q.lastTime + incs[k % incs.length]!, p = prios[k % prios.length]!;
          q.push(t, p, 1, seq, null);
          add(t, p, seq++);
        }
      }),
      fcParams(40),
    );
  });
}

test.run();
