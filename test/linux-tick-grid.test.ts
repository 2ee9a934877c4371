/**
 * Linux's ticks lie on one jiffy grid for the whole machine (noise.ts TickGrid: no skew_tick,
 * every CPU aligned to the last jiffy update), and a highres=off timer expires on that same grid.
 * The model before this change drew a tick phase per CPU, and put timer expiries on a grid at
 * phase 0 with an unrounded period: the first test and the last fail on it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import type { MachineName } from "../src/models/hardware/profile.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { TickGrid, linuxNoise } from "../src/models/linux/noise.js";

function linuxOn(machine: MachineName, seed: string) {
  const m = new Machine({ sim: new Simulation({ seed }), machine, streamPrefix: "linux" });
  const k = new LinuxKernel(m);
  return { m, k, grid: new TickGrid(m, k.costs) };
}

/** The first `n` arrivals of CPU `cpu`'s tick source. */
function tickArrivals(machine: MachineName, seed: string, cpu: number, n: number): number[] {
  const { m, k, grid } = linuxOn(machine, seed);
  const tick = linuxNoise(cpu, m, k.costs, true, grid).find((s) => s.name === "timer tick")!;
  return Array.from({ length: n }, () => tick.nextArrival());
}

test("every CPU's tick arrives at the same instants, one period apart", () => {
  for (const machine of ["x64", "phi"] as const) {
    const cpus = machine === "x64" ? [0, 1, 17, 63] : [0, 1, 100, 227];
    const first = tickArrivals(machine, "grid", cpus[0]!, 4);
    for (const cpu of cpus.slice(1)) assert.equal(tickArrivals(machine, "grid", cpu, 4), first, `${machine} cpu${cpu}`);
    const { grid } = linuxOn(machine, "grid");
    for (let i = 1; i < first.length; i++) assert.is(first[i]! - first[i - 1]!, grid.period);
  }
});

test("where the grid lies is drawn per run (stream linux/tick), within one period", () => {
  const phases = ["a", "b", "c", "d", "e"].map((seed) => linuxOn("phi", seed).grid);
  for (const g of phases) assert.ok(Number.isInteger(g.phase) && g.phase >= 0 && g.phase < g.period, `phase ${g.phase}`);
  assert.ok(new Set(phases.map((g) => g.phase)).size > 1, "the phase is not fixed");
});

test("a timer's tick (firstTickFrom) is a tick of the noise: the first one at or after the expiry", () => {
  for (const machine of ["x64", "phi"] as const) {
    const ticks = tickArrivals(machine, "expiry", 5, 40);
    const { grid } = linuxOn(machine, "expiry");
    for (const at of [0, 1, ticks[3]! - 1, ticks[3]!, ticks[3]! + 1, ticks[10]! + grid.period / 3, ticks[30]! - 7]) {
      const fired = grid.firstTickFrom(at);
      assert.ok(ticks.includes(fired), `${machine}: ${fired} (for ${at}) is not a tick`);
      assert.ok(fired >= at && fired - at < grid.period, `${machine}: ${fired} for ${at}`);
    }
  }
});

test.run();
