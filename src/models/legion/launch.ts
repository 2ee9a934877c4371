/**
 * The runtime layer's own microbenchmark: event-triggered launch latency. A chain of empty
 * tasks alternates between the workers on CPU 1 and CPU cores−1; each depends on the previous
 * one, so every hop is: trigger on one worker → queue push + wake of the other → its pop and
 * dispatch. The hop's latency (next start − previous end) isolates the kernel primitives the
 * runtime uses to hand work over (Nautilus condvar + kick vs Linux futex), without analysis.
 */
import { failOn, failOnRunEnd, type RunLimits } from "../plugin.js";
import { Runtime, type KernelWorld, type RtEvent } from "../runtime/index.js";
import { coresProblem, launchProblem } from "./constraints.js";
import { coresOf, type LegionParams } from "./params.js";
import { legionDeadlockHint } from "./simulate.js";

export const LAUNCH_HOPS = 40;

/** Cycles of each hop of the chain (warm-up: the first two hops are dropped). */
export function launchLatencies(world: KernelWorld, p: LegionParams, limits: RunLimits): number[] {
  // Refused, not clamped: results are labelled with the cores asked for.
  failOn(coresProblem(p, world.machine.name, world.machine.cpuCount));
  failOn(launchProblem(p, world.machine.cpuCount));
  const far = coresOf(p, world.machine.cpuCount) - 1;
  const rt = new Runtime(world.kernel, {
    cores: [1, far], idle: p.runtime?.idle ?? "block", trace: true,
    ...(p.runtime?.costs === undefined ? {} : { costs: p.runtime.costs }),
  });
  world.kernel.boot({ name: "driver", cpu: 0, body: function* (self) {
    yield* rt.start(self);
    let prev: RtEvent | null = null;
    for (let k = 0; k < LAUNCH_HOPS + 3; k++) {
      prev = yield* rt.launch(self, { name: `hop ${k}`, worker: k % 2, after: prev === null ? [] : [prev], body: function* () {} });
    }
    yield* rt.wait(self, prev!);
    yield* rt.stop(self);
  } });
  const report = world.sim.run(limits);
  failOnRunEnd(report, { deadlockHint: legionDeadlockHint(world, p) });
  const t = rt.trace!;
  return t.slice(3).map((r, i) => r.start - t[i + 2]!.end);
}
