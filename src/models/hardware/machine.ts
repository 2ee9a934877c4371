/**
 * A modeled machine: CPUs (timelines), topology distances, and the APIC and cache mechanisms
 * kernels build on. Costs come from the machine's profile (data/<machine>.json).
 */
import type { RandomStream, Simulation } from "../../engine/index.js";
import { Cpu, type InterruptStep, type NoiseSource } from "./cpu.js";
import { applyOverrides, type ParameterOverrides } from "./overrides.js";
import { TraceNoise } from "./noise.js";
import { CostTable, type BoundCost } from "./params.js";
import { cpuCount, distanceClass, machineProfile, requiredHardwareParameters, type MachineName, type MachineProfile } from "./profile.js";
import { StepRecorder } from "./recorder.js";

/** The ring's distance class: its transfer is two parameters (base + hops × per hop). */
const RING = "ring" as const;

export interface MachineOptions {
  readonly sim: Simulation;
  readonly machine: MachineName | MachineProfile;
  /** Multiplies every time quantity (integer ≥ 1); see CostTable. */
  readonly costScale?: number;
  /** Prefix of the named random streams, e.g. "nautilus" → "nautilus/cpu3". */
  readonly streamPrefix: string;
  /** Interfering activity per CPU (ticks, kernel threads, device interrupts). */
  readonly noiseFor?: (cpu: number, machine: Machine) => NoiseSource[];
  /** Record steps for breakdowns (slower). */
  readonly record?: boolean;
  /** User overrides by dotted path (`x64.apic.accept`); kernels and the HVM read theirs from here too. */
  readonly overrides?: ParameterOverrides;
}

export class Machine {
  readonly profile: MachineProfile;
  readonly name: string;
  readonly clockGHz: number;
  readonly cpuCount: number;
  readonly costs: CostTable;
  readonly sim: Simulation;
  readonly recorder: StepRecorder | null;
  readonly scale: number;
  readonly overrides: ParameterOverrides | undefined;
  private readonly cpuList: Cpu[] = [];
  private readonly options: MachineOptions;
  private noiseFor: ((cpu: number, machine: Machine) => NoiseSource[]) | undefined;

  constructor(options: MachineOptions) {
    this.options = options;
    this.profile = typeof options.machine === "string" ? machineProfile(options.machine) : options.machine;
    this.name = this.profile.machine;
    this.clockGHz = this.profile.clockGHz.value;
    this.cpuCount = cpuCount(this.profile.topology);
    this.scale = options.costScale ?? 1;
    this.overrides = options.overrides;
    const label = `hardware/data/${this.name}.json`;
    this.costs = new CostTable(`hardware ${this.name}`, [{ file: applyOverrides(this.profile, this.name, this.overrides, label), label }], this.clockGHz, this.scale);
    this.costs.requireAll(requiredHardwareParameters(this.profile.topology));
    this.sim = options.sim;
    this.recorder = options.record ? new StepRecorder() : null;
    this.noiseFor = options.noiseFor;
  }

  /** Sets the per-CPU noise sources (a kernel does this when it boots, before any CPU is used). */
  attachNoise(noiseFor: (cpu: number, machine: Machine) => NoiseSource[]): void {
    if (this.cpuList.length > 0) throw new Error(`${this.name}: noise must be attached before any CPU is used`);
    this.noiseFor = noiseFor;
  }

  /** Adds per-CPU noise sources to those attached (e.g. an application's interference). */
  addNoise(extra: (cpu: number, machine: Machine) => NoiseSource[]): void {
    if (this.cpuList.length > 0) throw new Error(`${this.name}: noise must be added before any CPU is used`);
    const base = this.noiseFor;
    this.noiseFor = (cpu, m) => [...(base?.(cpu, m) ?? []), ...extra(cpu, m)];
  }

  /** CPU `i`, created on first use (with its noise sources and its cost stream). */
  cpu(i: number): Cpu {
    let c = this.cpuList[i];
    if (c === undefined) {
      if (!(Number.isInteger(i) && i >= 0 && i < this.cpuCount)) throw new RangeError(`${this.name} has CPUs 0..${this.cpuCount - 1}, not ${i}`);
      const rng = this.sim.streams.get(`${this.options.streamPrefix}/cpu${i}`);
      c = new Cpu(i, this.sim, rng, [...(this.noiseFor?.(i, this) ?? []), ...this.smiNoise(), ...this.interferenceNoise(i)], this.recorder, this.scale);
      this.cpuList[i] = c;
    }
    return c;
  }

  /**
   * System-management interrupts (optional: `smi.rate` > 0 in the profile): the firmware stops
   * every CPU at once, so all CPUs share one arrival sequence and one duration per SMI (stream
   * `<prefix>/smi`). With no rate, nothing is drawn.
   */
  private smiNoise(): NoiseSource[] {
    if (!this.costs.has("smi.rate") || !(this.costs.setting("smi.rate") > 0)) return [];
    if (this.smis === undefined) {
      const rng = this.sim.streams.get(`${this.options.streamPrefix}/smi`);
      const gap = (this.clockGHz * 1e9) / this.costs.setting("smi.rate");
      const list: { at: number; cycles: number }[] = [];
      let t = 0;
      this.smis = (k) => {
        while (list.length <= k) {
          t += Math.max(1, Math.round(-gap * Math.log(rng.uniformPositive()))) * this.scale;
          list.push({ at: t, cycles: this.costs.draw("smi.duration", rng) });
        }
        return list[k]!;
      };
    }
    const smis = this.smis;
    let k = -1;
    return [{ name: "SMI", onlyWhenBusy: false, nextArrival: () => smis(++k).at, duration: () => smis(k).cycles }];
  }

  private smis: ((k: number) => { at: number; cycles: number }) | undefined;

  /** The mean share of every CPU that SMIs take (rate × mean drawn duration; 0 without a rate): validate's noise checks add it. */
  smiShare(): number {
    if (!this.costs.has("smi.rate") || !(this.costs.setting("smi.rate") > 0)) return 0;
    return (this.costs.setting("smi.rate") * this.costs.meanDrawCycles("smi.duration")) / this.scale / (this.clockGHz * 1e9);
  }

  /**
   * Measured interference (profile `interference`, e.g. a VM's host taking the vCPU): CPU i
   * replays trace i mod n from a point drawn on stream `<prefix>/interference/cpu<i>`, durations
   * times `interference.scale` (0: none, nothing drawn). Profiles without a trace: nothing.
   */
  private interferenceNoise(i: number): NoiseSource[] {
    const traces = this.profile.interference?.traces;
    if (traces === undefined) return [];
    const scale = this.costs.has("interference.scale") ? this.costs.setting("interference.scale") : 1;
    if (!(scale > 0)) return [];
    const trace = traces[i % traces.length]!;
    const offset = this.sim.streams.get(`${this.options.streamPrefix}/interference/cpu${i}`).integer(0, Math.ceil(trace.length) - 1);
    return [new TraceNoise("measured interference", trace.detours, trace.length, offset, this.scale, scale)];
  }

  /** One draw of a hardware cost on CPU `cpu`'s stream. */
  draw(name: string, cpu: number): number {
    return this.costs.draw(name, this.cpu(cpu).rng);
  }

  /** Cycles for a cache line last written on `from` to reach a reader on `to`. */
  lineTransfer(from: number, to: number, rng: RandomStream = this.cpu(to).rng): number {
    const code = (this.lineRows[from] ?? this.lineRow(from))[to]!;
    const ref = this.lineRefs[code >>> 16]!;
    if (ref === RING) {
      const ring = (this.ringCosts ??= [this.costs.bind("cacheLine.ringBase"), this.costs.bind("cacheLine.ringPerHop")]);
      return ring[0].draw(rng) + (code & 0xffff) * ring[1].draw(rng);
    }
    return ref.draw(rng);
  }

  /**
   * distanceClass(from, ·) once per source CPU, not once per transfer (the futex barrier moves
   * lines on every step): per destination, the index of its parameter in `lineParams` × 2^16 + hops.
   */
  private lineRow(from: number): Int32Array {
    const row = new Int32Array(this.cpuCount);
    for (let to = 0; to < this.cpuCount; to++) {
      const d = distanceClass(this.profile.topology, from, to);
      const param = d.cls === "ring" ? RING : `cacheLine.${d.cls}`;
      let i = this.lineParams.indexOf(param);
      if (i < 0) {
        i = this.lineParams.push(param) - 1;
        this.lineRefs.push(param === RING ? RING : this.costs.bind(param));
      }
      row[to] = i * 0x10000 + d.hops;
    }
    this.lineRows[from] = row;
    return row;
  }

  private readonly lineRows: Int32Array[] = [];
  private readonly lineParams: string[] = [];
  private readonly lineRefs: (BoundCost | typeof RING)[] = [];
  private ringCosts: readonly [BoundCost, BoundCost] | undefined;

  /**
   * Per CPU `to`, 1 / the mean cycles of `lineTransfer(from, to)` (at least 1): how often a
   * spinner on `to` re-reads a line `from` writes, relative to the others (spinlock hand-offs).
   */
  transferRates(from: number): Float64Array {
    let row = this.rates[from];
    if (row === undefined) {
      row = new Float64Array(this.cpuCount);
      for (let to = 0; to < this.cpuCount; to++) {
        const d = distanceClass(this.profile.topology, from, to);
        const mean = d.cls === "ring"
          ? this.costs.meanCycles("cacheLine.ringBase") + d.hops * this.costs.meanCycles("cacheLine.ringPerHop")
          : this.costs.meanCycles(`cacheLine.${d.cls}`);
        row[to] = 1 / Math.max(1, mean);
      }
      this.rates[from] = row;
    }
    return row;
  }

  private readonly rates: Float64Array[] = [];
  private acceptCost: BoundCost | undefined;

  /** Wire latency of an IPI from the ICR write on `from` until `to` takes the interrupt. */
  ipiLatency(from: number, to: number): number {
    if (from === to) return this.draw("apic.selfIpi", from);
    // The message crosses the same fabric as a cache line, then the target APIC accepts it.
    const rng = this.cpu(to).rng;
    return this.lineTransfer(from, to, rng) + (this.acceptCost ??= this.costs.bind("apic.accept")).draw(rng);
  }

  /**
   * Delivers an IPI sent now from `from`: after the wire latency, `handler()` (evaluated on
   * arrival, so it may depend on the target's state then) gives the handler's steps, which run
   * as an interrupt on the target; `onEnd` runs when the handler returns.
   */
  deliverIpi(
    from: number, to: number, vector: string,
    handler: (arrival: number) => InterruptStep[],
    onEnd?: (end: number, lastStep: number) => void,
    sendStep = -1,
  ): void {
    const latency = this.ipiLatency(from, to);
    const sentAt = this.sim.now;
    this.sim.schedule(latency, () => {
      let prev = sendStep;
      if (this.recorder !== null) prev = this.recorder.record(to, `IPI ${vector} in flight cpu${from}→cpu${to}`, sentAt, this.sim.now, sendStep, 0);
      const target = this.cpu(to);
      let last = prev;
      const r = target.interrupt(`IPI ${vector}`, handler(this.sim.now), onEnd && ((end) => onEnd(end, last)), prev);
      last = r.lastStep;
    }, undefined, to);
  }

  /** Standard interrupt prologue/epilogue around a handler body (entry, body, EOI, exit). */
  irqSteps(cpu: number, vector: string, body: readonly InterruptStep[]): InterruptStep[] {
    return [
      { step: `IRQ entry (${vector})`, cycles: this.draw("irq.entry", cpu) },
      ...body,
      { step: "EOI write", cycles: this.draw("apic.eoi", cpu) },
      { step: "IRQ exit (iretq)", cycles: this.draw("irq.exit", cpu) },
    ];
  }
}
