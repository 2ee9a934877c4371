/**
 * Linux's futex barrier rounds as callbacks (futex-rounds.ts) against the same rounds in the
 * thread's process (sync.ts's barrierWait), on random machines, thread counts, rounds, seeds,
 * work (equal — a contended lock — or random, including zero-cycle rounds), deep idle on or off,
 * and a thread started on a random worker's CPU at a random time: the same leave times, order
 * and draws, never more events.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertSameRun, runRounds, type Setup } from "../test/support/linux-barrier-rounds.js";
import { fcParams } from "./config.js";

test("random rounds: callback rounds = process rounds", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Setup["machine"]>("x64", "phi"), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 8 }),
      fc.string({ maxLength: 4 }), fc.boolean(), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200_000 })), fc.boolean(),
      fc.option(fc.record({ worker: fc.nat(), after: fc.integer({ min: 0, max: 400_000 }) }), { nil: undefined }),
      (machine, threads, rounds, seed, equalWork, work, deepIdle, intruder) => {
        const s: Setup = {
          machine, threads, rounds, seed, equalWork, deepIdle, work: equalWork ? work : Math.max(1, work),
          ...(intruder === undefined ? {} : { intruder: { cpu: 1 + (intruder.worker % threads), after: intruder.after } }),
        };
        const viaProcess = runRounds(s, false);
        const viaCallbacks = runRounds(s, true);
        assertSameRun(viaCallbacks, viaProcess);
        assert.ok(viaCallbacks.events <= viaProcess.events, `${viaCallbacks.events} events, more than ${viaProcess.events}`);
      },
    ),
    fcParams(30),
  );
});

test.run();
