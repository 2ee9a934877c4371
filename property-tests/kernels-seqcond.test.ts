/**
 * The toolkit's sequence-number condition variable (kernel/toolkit.ts), which both kernels'
 * condvars are: for any interleaving of waits, signals, broadcasts and wake-ups, every signal
 * lets at most one waiter leave, a broadcast lets every waiter registered before it leave, and
 * the counts stay ordered. Checked against a plain model of who may leave.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { SeqCond, type CondTicket } from "../src/models/kernel/toolkit.js";
import { fcParams } from "./config.js";

type Op = { kind: "wait" } | { kind: "signal" } | { kind: "broadcast" } | { kind: "wake"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: "wait" as const }),
  fc.constant({ kind: "signal" as const }),
  fc.constant({ kind: "broadcast" as const }),
  fc.nat(1000).map((pick) => ({ kind: "wake" as const, pick })),
);

test("signals release at most one waiter each; a broadcast releases everyone registered before it; counts stay ordered", () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
    const cv = new SeqCond("cv");
    // The reference: waiters still inside, each with whether a broadcast since registering covers it.
    const inside: { ticket: CondTicket; covered: boolean }[] = [];
    let pendingSignals = 0; // signals not yet taken, bounded by the waiters that were registered
    for (const o of ops) {
      if (o.kind === "wait") inside.push({ ticket: cv.register(), covered: false });
      else if (o.kind === "signal") {
        if (cv.unsignalled > 0) { cv.signal(); pendingSignals++; }
      } else if (o.kind === "broadcast") {
        if (cv.unsignalled > 0) { cv.broadcast(); pendingSignals = 0; for (const w of inside) w.covered = true; }
      } else if (inside.length > 0) {
        const i = o.pick % inside.length;
        const w = inside[i]!;
        const left = cv.leave(w.ticket);
        if (w.covered) assert.ok(left, "a waiter covered by a broadcast must leave");
        else if (left) {
          assert.ok(pendingSignals > 0, "left without a signal to take");
          pendingSignals--;
        }
        if (left) inside.splice(i, 1);
      }
      assert.ok(cv.totalSeq >= cv.wakeupSeq && cv.wakeupSeq >= cv.wokenSeq, `counts ${cv.totalSeq} ${cv.wakeupSeq} ${cv.wokenSeq}`);
      assert.is(cv.wakeupSeq - cv.wokenSeq, pendingSignals);
    }
  }), fcParams(300));
});

test.run();
