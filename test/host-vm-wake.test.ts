/**
 * The VM mechanisms of the host model (linux/idle.ts hostWake): a vCPU idle for longer
 * than KVM's halt-poll window sleeps on the host, and its wake-up adds the host scheduler's
 * trip (ttwu, IPI handling, schedule + switch, VM entry). Shown on the model's own replicas of
 * the harness with the interference sources off, so each trial's idle period is the harness's.
 */
import { median } from "d3-array";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ParameterFile } from "../src/models/hardware/params.js";
import { simulateHost, type HostModelData } from "../src/models/host/simulate.js";
import type { Experiment } from "../src/models/host/measurements.js";
import { hostCalibrationDir, readCalibration } from "../src/scenarios/host-files.js";

type Entry = ParameterFile["parameters"][string];

function withParams<T extends { readonly parameters: ParameterFile["parameters"] }>(file: T, values: Record<string, Entry["value"]>): T {
  const parameters = { ...file.parameters };
  for (const [name, value] of Object.entries(values)) parameters[name] = { ...parameters[name]!, value };
  return { ...file, parameters };
}

/** The calibration with interference off (no noise arrival resets an idle period) and the window set. */
async function quiet(windowUs: number): Promise<HostModelData> {
  const data = (await readCalibration(hostCalibrationDir()))!;
  return {
    hardware: withParams(data.hardware, { "vm.haltPollWindow": windowUs }),
    linux: withParams(data.linux, { "noise.daemon.rate": 0, "noise.kthread.rate": 0, "noise.deviceIrq.rate": 0 }),
  };
}

const med = (d: HostModelData, e: Experiment, trials: number) => median(simulateHost(d, e, trials, `vm-wake/${e}`))!;

/** Mean cycles of one host wake-up trip, from the same data (ns → cycles at the host's clock). */
function tripMean(d: HostModelData): number {
  const mean = (file: { readonly parameters: ParameterFile["parameters"] }, name: string) => {
    const v = file.parameters[name]!.value;
    return typeof v === "number" ? v : (v as { mean: number }).mean;
  };
  const lx = (n: string) => mean(d.linux, n);
  const hw = (n: string) => mean(d.hardware, n);
  const ghz = d.hardware.clockGHz.value;
  return lx("sched.ttwu") + hw("irq.entry") + lx("sched.ipiHandler") + hw("apic.eoi") + hw("irq.exit") +
    lx("sched.schedule") + lx("switch.contextSwitch") + hw("vm.worldSwitch") * ghz;
}

test("the calibration of a VM carries the halt-poll window and the world switch, with sources and ranges", async () => {
  const data = (await readCalibration(hostCalibrationDir()))!;
  for (const name of ["vm.haltPollWindow", "vm.worldSwitch"]) {
    const e = data.hardware.parameters[name];
    assert.ok(e !== undefined, `${name} missing`);
    assert.ok(e.range !== undefined && e.source.length > 40, `${name}: source and range`);
  }
  assert.match(data.hardware.parameters["vm.haltPollWindow"]!.source, /KVM_HALT_POLL_NS_DEFAULT/);
});

test("condvar-bcast (waiter idle ~1 ms, past the window): the median drops by about one host trip when the window covers it", async () => {
  const slept = await quiet(200);
  const polled = await quiet(1e6);
  const trip = tripMean(slept);
  const drop = med(slept, "condvar-bcast", 200) - med(polled, "condvar-bcast", 200);
  assert.ok(trip > 3000 && trip < 12000, `trip ${trip}`);
  assert.ok(Math.abs(drop - trip) < 0.2 * trip, `median dropped by ${drop}, one trip is ${trip}`);
});

test("condvar (waiter idle ~150 µs, inside the window) does not change with a wider window; a window of 0 adds the trip", async () => {
  const inside = med(await quiet(200), "condvar", 200);
  assert.is(med(await quiet(1e6), "condvar", 200), inside);
  const none = await quiet(0);
  const added = med(none, "condvar", 200) - inside;
  assert.ok(Math.abs(added - tripMean(none)) < 0.2 * tripMean(none), `window 0 added ${added}`);
});

test("bare metal (no VM parameters) has no host trip: x64 Linux runs unchanged", async () => {
  const data = await quiet(200);
  const params = { ...data.hardware.parameters };
  delete params["vm.haltPollWindow"];
  delete params["vm.worldSwitch"];
  const bare = { ...data, hardware: { ...data.hardware, parameters: params } };
  assert.is(med(bare, "condvar-bcast", 100), med(await quiet(1e6), "condvar-bcast", 100));
});

test.run();
