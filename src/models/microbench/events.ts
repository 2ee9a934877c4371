/**
 * IPI and Nemo experiments (Nautilus src/test/ipi.c and the Nemo tests). They need kernel-mode
 * IPIs: the Linux user-space build has no counterpart, so on Linux they emit nothing.
 */
import type { InterruptStep } from "../hardware/cpu.js";
import type { EventApi, FlagRef, HandlerBody } from "../kernel/types.js";
import type { Harness } from "./harness.js";

/** A handler body that stamps (rdtsc) then stores `value` to `done`, as the test handlers do. */
function stampAndSignal(h: Harness, cpu: number, done: FlagRef, value: number, onStamp: (t: number, step: number) => void): HandlerBody {
  const steps: InterruptStep[] = [
    { step: "handler: rdtsc", cycles: h.machine.draw("rdtsc", cpu), at: onStamp },
    { step: `handler: store ${done.name}`, cycles: h.machine.draw("store", cpu), at: (end, step) => h.kernel.storeFromHandler(cpu, done, value, end, step) },
  ];
  return { steps };
}

function eventsOf(h: Harness): EventApi | undefined {
  return h.kernel.events;
}

/** Send-side cost only: stamps around the ICR write. */
export function ipiSend(h: Harness): void {
  const ev = eventsOf(h);
  if (ev === undefined) return;
  const k = h.kernel;
  h.main(function* (self) {
    for (let i = 0; i < h.trials(100); i++) {
      const s = yield* k.stamp(self);
      yield* ev.sendIpi(self, 1, () => ({ steps: [] }));
      const e = yield* k.stamp(self);
      h.emit({ core: 0, start: s, end: e, endStep: h.lastStep(self) });
      yield* k.delay(self, h.us(10)); // the test harness's 10 µs pause between trials (not a cost)
    }
  });
}

/** Per remote CPU: warm-up rounds then trials; start stamp after the send returns. */
function ipiLatency(h: Harness, roundTrip: boolean): void {
  const ev = eventsOf(h);
  if (ev === undefined) return;
  const k = h.kernel;
  const n = h.trials(100);
  h.main(function* (self) {
    for (const j of h.remoteCpus()) {
      const done = k.newFlag(`done${j}`);
      for (let i = 1; i <= h.warmup + n; i++) {
        let remote = { at: 0, step: -1 };
        yield* ev.sendIpi(self, j, (cpu) => stampAndSignal(h, cpu, done, i, (at, step) => { remote = { at, step }; }));
        const s = yield* k.stamp(self);
        yield* k.spinUntil(self, done, (v) => v === i);
        const e = yield* k.stamp(self);
        if (i > h.warmup) {
          h.emit(roundTrip ? { core: j, start: s, end: e, endStep: h.lastStep(self) } : { core: j, start: s, end: remote.at, endStep: remote.step });
        }
      }
    }
  });
}

export const ipiOneway = (h: Harness) => ipiLatency(h, false);
export const ipiRoundtrip = (h: Harness) => ipiLatency(h, true);

/** Nemo notify per remote CPU 1..63 (benchmark.c): stamp before notify, end = the action's stamp in the handler. */
export function nemoNotify(h: Harness): void {
  const ev = eventsOf(h);
  if (ev === undefined) return;
  const k = h.kernel;
  const n = h.trials(100);
  h.main(function* (self) {
    for (const j of h.benchmarkCpus()) {
      const done = k.newFlag(`done${j}`);
      for (let i = 1; i <= n; i++) {
        let remote = { at: 0, step: -1 };
        const s = yield* k.stamp(self);
        yield* ev.notify(self, j, (cpu) => stampAndSignal(h, cpu, done, i, (at, step) => { remote = { at, step }; }));
        yield* k.spinUntil(self, done, (v) => v === i);
        h.emit({ core: j, start: s, end: remote.at, endStep: remote.step });
        yield* k.delay(self, h.us(1)); // benchmark.c's 1 µs pause between trials (not a cost)
      }
    }
  });
}

/** Nemo broadcast: one all-but-self IPI; value per receiving CPU 1..63 (benchmark.c) = its action's stamp − start. */
export function nemoBroadcast(h: Harness): void {
  const ev = eventsOf(h);
  if (ev === undefined) return;
  const k = h.kernel;
  const cpus = new Set(h.benchmarkCpus());
  const done = new Map([...cpus].map((c) => [c, k.newFlag(`done${c}`)]));
  h.main(function* (self) {
    for (let i = 1; i <= h.trials(100); i++) {
      const at = new Map<number, { at: number; step: number }>();
      const s = yield* k.stamp(self);
      yield* ev.broadcast(self, (cpu) => {
        const flag = done.get(cpu);
        if (flag === undefined) return { steps: [] }; // CPUs outside the measured set take the IPI too
        return stampAndSignal(h, cpu, flag, i, (t, step) => at.set(cpu, { at: t, step }));
      });
      for (const [cpu, flag] of done) {
        yield* k.spinUntil(self, flag, (v) => v === i);
        const r = at.get(cpu)!;
        h.emit({ core: cpu, start: s, end: r.at, endStep: r.step });
      }
      yield* k.delay(self, h.us(10)); // the test harness's 10 µs pause between trials (not a cost)
    }
  });
}
