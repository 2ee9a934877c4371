/**
 * The floor under a model's speed: the engine's events and the cost draws alone, with no model
 * logic. `cpus` chains of callAt events (one per simulated CPU, as the Cpu's work segments are),
 * each event drawing `normalsPerEvent` standard normals (on average) from its CPU's stream, as
 * sourced costs are drawn, and re-arming after the sum. A model that takes E events and that many
 * draws per event cannot run faster than this on the same machine.
 */
import { Simulation } from "../src/engine/index.js";

export interface FloorResult {
  readonly events: number;
  readonly normalsPerEvent: number;
  readonly wallSec: number;
  readonly cpuSec: number;
}

export function floorRun(events: number, cpus: number, normalsPerEvent: number): FloorResult {
  const sim = new Simulation({ seed: "floor" });
  const rngs = Array.from({ length: cpus }, (_, i) => sim.streams.get(`floor/cpu${i}`));
  let left = events - cpus;
  const chains: (() => void)[] = [];
  for (let c = 0; c < cpus; c++) {
    const rng = rngs[c]!;
    let credit = 0;
    chains.push(() => {
      if (left-- <= 0) return;
      // A cost like the model's: normal(600, 50) cycles, truncated at 300, in whole cycles.
      let delay = 1;
      for (credit += normalsPerEvent; credit >= 1; credit--) {
        let v: number;
        do v = 600 + 50 * rng.standardNormal();
        while (!(v >= 300));
        delay += Math.round(v);
      }
      sim.callAt(delay, chains[c]!, c);
    });
    sim.callAt(c, chains[c]!, c);
  }
  const c0 = process.cpuUsage(), t0 = performance.now();
  const report = sim.run({});
  const c = process.cpuUsage(c0);
  return { events: report.events, normalsPerEvent, wallSec: (performance.now() - t0) / 1e3, cpuSec: (c.user + c.system) / 1e6 };
}
