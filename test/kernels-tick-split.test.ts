/**
 * Tsafrir's split of the tick (noise.tick.indirectShare): the handler's direct part is a
 * reservation on the CPU; the indirect part (refilling what the handler evicted) is extra work of
 * the segment the tick interrupts. Each test would fail on the pre-split model, where the whole
 * duration was the handler.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Cpu } from "../src/models/hardware/cpu.js";
import { Machine } from "../src/models/hardware/machine.js";
import { PeriodicNoise } from "../src/models/hardware/noise.js";
import { LinuxKernel } from "../src/models/linux/kernel.js";
import { TickGrid, linuxNoise } from "../src/models/linux/noise.js";

/** One CPU with a single tick at cycle 100 lasting 100 cycles, `share` of it indirect. */
function cpuWithTick(share: number): { sim: Simulation; cpu: Cpu } {
  const sim = new Simulation({ seed: 1 });
  const tick = new PeriodicNoise("tick", 1_000_000, 100, 1, () => 100, false, share);
  return { sim, cpu: new Cpu(0, sim, sim.streams.get("c"), [tick], null) };
}

function workDoneAt(share: number, interruptAt?: number): number {
  const { sim, cpu } = cpuWithTick(share);
  let doneAt = -1;
  cpu.exec(1000, "work", () => { doneAt = sim.now; });
  if (interruptAt !== undefined) sim.schedule(interruptAt, () => cpu.interrupt("irq", [{ step: "h", cycles: 50 }]));
  sim.run();
  return doneAt;
}

test("interrupted work pays the whole tick, direct and indirect alike: the split keeps its end time", () => {
  assert.is(workDoneAt(0), 1100);
  assert.is(workDoneAt(0.6), 1100);
  assert.is(workDoneAt(0.85), 1100);
});

test("the indirect refill is work: an interrupt during it pushes it back like any work", () => {
  // share 0.6: handler [100,140), refill is part of the work; an IRQ at 500 adds its 50 cycles.
  assert.is(workDoneAt(0.6, 500), 1150);
});

test("an IPI handler queues behind the tick's direct part only", () => {
  for (const [share, start] of [[0, 200], [0.6, 140]] as const) {
    const { sim, cpu } = cpuWithTick(share);
    let at = -1;
    sim.schedule(120, () => { at = cpu.interrupt("ipi", [{ step: "ipi", cycles: 10 }]).start; });
    sim.run();
    assert.is(at, start, `share ${share}`);
  }
});

test("a tick that interrupts no work costs the CPU its direct part only", () => {
  assert.is(cpuWithTick(0).cpu.freeAt(100), 200);
  assert.is(cpuWithTick(0.6).cpu.freeAt(100), 140);
});

test("Linux's tick carries noise.tick.indirectShare from its parameter file; other noise is all direct", () => {
  const m = new Machine({ sim: new Simulation({ seed: 3 }), machine: "x64", streamPrefix: "linux" });
  const k = new LinuxKernel(m);
  const sources = linuxNoise(1, m, k.costs, true, new TickGrid(m, k.costs));
  assert.is(sources[0]!.name, "timer tick");
  assert.is(sources[0]!.indirectShare, k.costs.setting("noise.tick.indirectShare"));
  assert.ok(sources[0]!.indirectShare! > 0);
  for (const s of sources.slice(1)) assert.not.ok(s.indirectShare);
});

test.run();
