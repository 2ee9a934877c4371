/**
 * NAUTILUS_NOISE_PARAMETERS (nautilus/kernel.ts) is written by hand: the entries the Nautilus
 * noise reads, which the at-scale model lets users override and vary. Checked here against what
 * the noise the kernel attaches actually reads from the cost tables while its sources are made
 * and drawn, on every machine Nautilus has a file for: an entry read but not listed, or listed
 * but never read, fails.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Simulation } from "../src/engine/index.js";
import type { NoiseSource } from "../src/models/hardware/cpu.js";
import { Machine } from "../src/models/hardware/machine.js";
import { CostTable } from "../src/models/hardware/params.js";
import type { MachineName } from "../src/models/hardware/profile.js";
import { NAUTILUS_MACHINES, NAUTILUS_NOISE_PARAMETERS, NautilusKernel } from "../src/models/nautilus/kernel.js";

type NoiseFor = (cpu: number, machine: Machine) => NoiseSource[];

/** A machine that keeps the noise its kernel attaches, to make and draw it outside a run. */
class NoiseKeeper extends Machine {
  attached: NoiseFor | undefined;

  override attachNoise(noiseFor: NoiseFor): void {
    super.attachNoise(noiseFor);
    this.attached = noiseFor;
  }
}

/**
 * The entries of each cost table that `f` reads: every CostTable method is watched (looking an
 * entry up, drawing it, binding it, reading a setting or its mean), and a string argument naming
 * an entry of the table counts as a read of it.
 */
function entriesRead(f: () => void): Map<CostTable, Set<string>> {
  const proto = CostTable.prototype as unknown as Record<string, unknown>;
  const has = CostTable.prototype.has;
  const originals = Object.getOwnPropertyNames(CostTable.prototype)
    .filter((k) => k !== "constructor" && typeof proto[k] === "function")
    .map((k) => [k, proto[k] as (...args: unknown[]) => unknown] as const);
  assert.ok(originals.some(([k]) => k === "draw") && originals.some(([k]) => k === "setting"), "CostTable's methods are watched");
  const read = new Map<CostTable, Set<string>>();
  for (const [k, original] of originals) {
    proto[k] = function (this: CostTable, ...args: unknown[]) {
      const name = args[0];
      if (typeof name === "string" && has.call(this, name)) {
        const names = read.get(this) ?? new Set<string>();
        names.add(name);
        read.set(this, names);
      }
      return original.apply(this, args);
    };
  }
  try {
    f();
  } finally {
    for (const [k, original] of originals) proto[k] = original;
  }
  return read;
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

for (const machineName of NAUTILUS_MACHINES as readonly MachineName[]) {
  test(`${machineName}: NAUTILUS_NOISE_PARAMETERS are exactly the entries the Nautilus noise reads`, () => {
    const machine = new NoiseKeeper({ sim: new Simulation({ seed: "noise-params" }), machine: machineName, streamPrefix: "nautilus" });
    const kernel = new NautilusKernel(machine);
    const noiseFor = machine.attached;
    assert.ok(noiseFor, "the kernel attaches noise");
    let draws = 0;
    const read = entriesRead(() => {
      for (const cpu of [0, 1, machine.cpuCount - 1]) {
        for (const source of noiseFor!(cpu, machine)) {
          for (let i = 0; i < 20; i++, draws++) {
            source.nextArrival();
            source.duration();
          }
        }
      }
    });
    assert.ok(draws > 0, "the noise has sources to draw");
    const others = [...read.keys()].filter((t) => t !== kernel.costs && t !== machine.costs);
    assert.is(others.length, 0, "the noise reads only the kernel's and the machine's tables");
    const check = (scope: string, got: Set<string> | undefined, listed: readonly string[]): void => {
      const used = sorted(got ?? []);
      const missing = used.filter((n) => !listed.includes(n));
      const unused = listed.filter((n) => !used.includes(n));
      assert.equal(missing, [], `${scope} entries the noise reads, missing from NAUTILUS_NOISE_PARAMETERS`);
      assert.equal(unused, [], `${scope} entries in NAUTILUS_NOISE_PARAMETERS the noise never reads`);
    };
    check("nautilus", read.get(kernel.costs), NAUTILUS_NOISE_PARAMETERS.kernel);
    check(machineName, read.get(machine.costs), NAUTILUS_NOISE_PARAMETERS.hardware);
  });
}

test("the watch sees a read: an entry drawn outside the noise is counted, one not touched is not", () => {
  const machine = new NoiseKeeper({ sim: new Simulation({ seed: "watch" }), machine: "x64", streamPrefix: "nautilus" });
  const kernel = new NautilusKernel(machine);
  const rng = machine.sim.streams.get("watch");
  const read = entriesRead(() => {
    kernel.costs.draw("rq.op", rng);
    kernel.costs.bind("malloc");
  });
  assert.equal(sorted(read.get(kernel.costs) ?? []), ["malloc", "rq.op"]);
  assert.is(read.get(machine.costs), undefined);
});

test.run();
