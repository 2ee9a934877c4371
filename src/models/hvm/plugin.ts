/**
 * The `hvm` plug-in: the Palacios Hybrid Virtual Machine with a Nautilus HRT and a Linux ROS
 * on the x64 profile (hvm.md), the hvm-ros harness and its what-ifs (experiments.ts), step
 * breakdowns (explain.ts) and every cost parameter with its source.
 */

import { Simulation } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import { machineProfile } from "../hardware/profile.js";
import { kernelCosts } from "../kernel/costs.js";
import { kernelConfigProblems } from "../kernel/registry.js";
import { linuxData } from "../linux/kernel.js";
import { PROCESS_PARAMETERS } from "../linux/process.js";
import { nautilusData } from "../nautilus/kernel.js";
import { describeFile } from "../hardware/overrides.js";
import { cpuCount } from "../hardware/profile.js";
import type { ConstraintProblem, MetricInfo, ModelPlugin } from "../plugin.js";
import { HRT_BOOT_PARAMETERS, costOverrideProblems, hvmCosts, hvmDataFile } from "./costs.js";
import { EXPERIMENTS, Observations } from "./experiments.js";
import { explainOp } from "./explain.js";
import { HvmParams, resolveParams } from "./params.js";

const METRICS: readonly MetricInfo[] = [
  { name: "cycles", unit: "cycles", description: "latency of one operation (a loop's total ÷ n, or one boot) per trial", labels: ["op", "trial"] },
  { name: "usec", unit: "µs", description: "the same latency at the x64 clock (2.1 GHz)", labels: ["op", "trial"] },
  { name: "vmExits", unit: "exits/op", description: "VM exits per operation on the caller's (ros) or the HRT's cores", labels: ["op", "trial", "side"] },
  { name: "cyclesPerExit", unit: "cycles", description: "latency ÷ the caller's VM exits per operation", labels: ["op", "trial"] },
  { name: "polls", unit: "polls/op", description: "0xf polls per operation until the state changed", labels: ["op", "trial"] },
  { name: "lockWaitCycles", unit: "cycles/op", description: "cycles spent queued on the VM-wide hypercall lock per operation (all cores)", labels: ["op", "trial"] },
  { name: "hung", unit: "0/1", description: "1 if the trial's operation never completed (a 0x2f rejected because the state was set after the IPI loop: paper-era race without the lock); the run ends there", labels: ["op", "trial"] },
  { name: "rejectedRequests", unit: "count", description: "requests the HVM state machine rejected during the run", labels: ["op"] },
];

export const hvmModel: ModelPlugin<HvmParams> = {
  name: "hvm",
  description: "Palacios Hybrid Virtual Machine on AMD SVM (x64): HRT boot, ROS↔HRT calls and merges against Linux baselines",
  paramsSchema: HvmParams,
  nameMaps: ["costs"], // keyed by dotted names (a sweep key costs.svm.vmexit sets "svm.vmexit")
  experiments: Object.entries(EXPERIMENTS).map(([name, e]) => ({ name, description: e.description, metrics: e.metrics })),
  metrics: METRICS,
  run({ params, experiment, seed, limits, overrides }) {
    const e = EXPERIMENTS[experiment];
    if (e === undefined) throw new Error(`hvm: unknown experiment '${experiment}' (known: ${Object.keys(EXPERIMENTS).join(", ")})`);
    const p = resolveParams(params, overrides);
    const obs = new Observations(machineProfile("x64").clockGHz.value); // the HVM runs on the x64 profile only
    const parts = e.run(p, seed, limits, obs);
    return {
      observations: obs.list,
      fingerprint: combine(parts.map((x) => x.fingerprint)),
      events: parts.reduce((s, x) => s + x.events, 0),
      simTime: parts.reduce((s, x) => s + x.simTime, 0),
    };
  },
  explain({ params, experiment, seed, overrides }) {
    return explainOp(resolveParams(params, overrides), seed, experiment).breakdowns;
  },
  parameters(params, overrides) {
    const p = resolveParams(params, overrides);
    const machine = new Machine({ sim: new Simulation(), machine: "x64", costScale: p.costScale, streamPrefix: "hvm", overrides: p.overrides });
    const nautilus = kernelCosts("nautilus", machine, nautilusData("x64"), ["call", ...HRT_BOOT_PARAMETERS]);
    const linux = kernelCosts("linux", machine, linuxData("x64"), ["syscall.entry", "syscall.exit", "pagefault", ...PROCESS_PARAMETERS]);
    const pick = new Set<string>(["call", ...HRT_BOOT_PARAMETERS, "syscall.entry", "syscall.exit", "pagefault", ...PROCESS_PARAMETERS]);
    return [
      ...hvmCosts(machine, p.costs).rows("hvm."),
      ...nautilus.rows("nautilus.").filter((r) => pick.has(r.name.slice("nautilus.".length))),
      ...linux.rows("linux.").filter((r) => pick.has(r.name.slice("linux.".length))),
      ...machine.costs.rows("x64."),
      { name: "linux.*", value: "(the Linux model's full file)", source: "the Linux baselines (syscall, thread creation, fork) run the hrtsim Linux model with all of its parameters: see the linux model's parameter list" },
    ];
  },
  parameterSpace() {
    const machine = new Machine({ sim: new Simulation(), machine: "x64", streamPrefix: "hvm" });
    const nautilus = describeFile("nautilus", nautilusData("x64")).filter((e) => NAUTILUS_USED.has(e.name));
    return [...describeFile("x64", machine.profile), ...describeFile("hvm", hvmDataFile()), ...nautilus, ...describeFile("linux", linuxData("x64"))];
  },
  constraints(params, overrides, file) {
    if (file !== undefined) return [{ path: "machineFile", message: "the hvm model runs on the x64 profile only (AMD SVM)", expected: "no machineFile", found: JSON.stringify(file.machine) }];
    const p = resolveParams(params);
    const cpus = cpuCount(machineProfile("x64").topology);
    const hrtEnd = p.hrtFirstPcpu + p.hrtCores;
    const problems: ConstraintProblem[] = [];
    const where = `ROS on CPUs 0..${p.rosCores - 1}, HRT on CPUs ${p.hrtFirstPcpu}..${hrtEnd - 1}`;
    if (hrtEnd > cpus) problems.push({ path: "hrtCores", message: "more HRT cores than the machine has CPUs after hrtFirstPcpu", expected: `hrtFirstPcpu + hrtCores ≤ ${cpus} (x64 has ${cpus} CPUs)`, found: where });
    else if (p.hrtFirstPcpu < p.rosCores) problems.push({ path: "hrtFirstPcpu", message: "HRT cores overlap the ROS cores", expected: `hrtFirstPcpu ≥ rosCores (${p.rosCores})`, found: where });
    // The same check the run applies to `costs` (hvmCosts), so a bad what-if is found here.
    for (const c of costOverrideProblems(p.costs)) problems.push({ path: `costs.${c.name}`, message: `${c.message} in costs`, expected: c.expected, found: c.found });
    // The Linux baselines (thread creation, process start-up) run with Linux's noise.
    return [...problems, ...kernelConfigProblems("x64", ["linux"], overrides)];
  },
};

/** The Nautilus entries the HVM model uses (the HRT's function call and boot path). */
const NAUTILUS_USED: ReadonlySet<string> = new Set(["call", ...HRT_BOOT_PARAMETERS]);

/** FNV-1a over the parts' fingerprints: one run = several simulations. */
function combine(parts: readonly string[]): string {
  if (parts.length === 1) return parts[0]!;
  let h = 0xcbf29ce484222325n;
  for (const ch of parts.join("|")) {
    h ^= BigInt(ch.codePointAt(0)!);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}


