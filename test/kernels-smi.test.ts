/**
 * Optional system-management interrupts (hardware `smi.rate`, default 0): an SMI stops every
 * CPU at once, so all CPUs see the same arrival times; with the default rate nothing is drawn.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import { Machine } from "../src/models/hardware/machine.js";
import { machineProfile, type MachineProfile } from "../src/models/hardware/profile.js";

function profileWithSmi(rate: number): MachineProfile {
  const p = machineProfile("x64");
  return { ...p, parameters: { ...p.parameters, "smi.rate": { ...p.parameters["smi.rate"]!, value: rate } } };
}

test("SMIs hit every CPU at the same times, for the same duration; rate 0 adds nothing", () => {
  const sim = new Simulation({ seed: "smi" });
  const m = new Machine({ sim, machine: profileWithSmi(50), streamPrefix: "t" });
  const a = m.cpu(3), b = m.cpu(40);
  const t = 2.1e9; // one simulated second: about 50 SMIs
  a.freeAt(t); b.freeAt(t); // noise is drawn lazily: ask about the second first
  assert.equal(a.reservationsIn(0, t), b.reservationsIn(0, t));
  const n = a.reservationsIn(0, t).length;
  assert.ok(n > 25 && n < 80, `${n} SMIs in one second at 50/s`);
  const quiet = new Machine({ sim: new Simulation({ seed: "smi" }), machine: "x64", streamPrefix: "t" });
  quiet.cpu(3).freeAt(t);
  assert.not.ok(quiet.cpu(3).reservationsIn(0, t).some((r) => r.startsWith("SMI")));
});

test.run();
