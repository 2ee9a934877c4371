/**
 * The `microbench` model: the authors' Nautilus-vs-Linux microbenchmarks (experiments.md),
 * replicated stamp for stamp on a modeled machine running a modeled kernel.
 */
import { Simulation, describeDeadlock } from "../../engine/index.js";
import { Machine } from "../hardware/machine.js";
import { kernelCosts } from "../kernel/costs.js";
import { LINUX_PARAMETERS, linuxData } from "../linux/kernel.js";
import { NAUTILUS_PARAMETERS, nautilusData } from "../nautilus/kernel.js";
import { ModelRunError, type Breakdown, type ExperimentInfo, type ModelPlugin, type ModelRunInput, type ParameterRow } from "../plugin.js";
import { ipiOneway, ipiRoundtrip, ipiSend, nemoBroadcast, nemoNotify } from "./events.js";
import { Harness, MicrobenchParams } from "./harness.js";
import { condvar, condvarBroadcast, spinlock, syncEvent } from "./sync.js";
import { ctxSwitch, threadBoth, threadCreate, threadRun, threadsLong } from "./threads.js";

const LINUX_NONE = " Linux: nothing is emitted (no user-space IPI or Nemo primitive; the authors' Linux build does not run it).";

const EXPERIMENTS: ReadonlyArray<ExperimentInfo & { readonly run: (h: Harness) => void; readonly perCore: boolean }> = [
  { name: "thread-create", perCore: false, run: threadCreate, description: "100 trials: create a thread bound to CPU 1, stamps around the create call (creator-side cost only), 10 ms delay, join. Linux: pthread_create with an affinity attribute." },
  { name: "threads-long", perCore: false, run: threadsLong, description: "k in {2,4,...,64} (Phi: ...,128,228); 100 trials: serial creation of k-1 threads, thread j on CPU j; label core = k." },
  { name: "thread-run", perCore: false, run: threadRun, description: "Create on CPU 1; from after create returns until the creator sees the child's flag (kick, dispatch, first switch, flag line)." },
  { name: "thread-both", perCore: false, run: threadBoth, description: "As thread-run, from before the create call: create + launch." },
  { name: "ctx-switch", perCore: false, run: ctxSwitch, description: "Two threads on CPU 1 yield 100 times each after 'go'; window until both 'done' flags are seen, value = total / 200." },
  { name: "condvar", perCore: true, run: condvar, description: "Per remote CPU j, 100 trials: waiter on CPU 0; signaller on j delays 100 us, signals, then stamps; end = waiter's stamp after wake-up holding the mutex (so the signal call itself is excluded). Deviation outside the window: the signaller starts its delay once the waiter has announced it is about to wait, so noise cannot make it miss the signal and hang." },
  { name: "condvar-bcast", perCore: true, run: condvarBroadcast, description: "100 trials; one waiter per CPU 1..n-1 (barrier, then wait); CPU 0 delays 1 ms, stamps, broadcasts; per waiter: its stamp after the wait returns. Nautilus: serial wake-all + spinlock hand-off; Linux: FUTEX_CMP_REQUEUE then futex mutex hand-off. Deviation outside the window: CPU 0 starts its 1 ms delay once every waiter has counted itself in, so slow hand-offs cannot make one miss the broadcast." },
  { name: "spinlock", perCore: false, run: spinlock, description: "1000 trials of lock + unlock on CPU 0, stamp overhead subtracted. Linux: pthread_spin_lock (the same xchg loop in user space)." },
  { name: "ipi-send", perCore: false, run: ipiSend, description: "100 trials: stamps around the ICR write (send-side cost)." + LINUX_NONE },
  { name: "ipi-oneway", perCore: true, run: ipiOneway, description: "Per remote CPU: 100 warm-up + 100 trials; from after the send to the remote handler's stamp." + LINUX_NONE },
  { name: "ipi-roundtrip", perCore: true, run: ipiRoundtrip, description: "Per remote CPU: 100 warm-up + 100 trials; from after the send until the handler's 'done' store is seen." + LINUX_NONE },
  { name: "nemo-notify", perCore: true, run: nemoNotify, description: "Per remote CPU, 100 trials: from before the Nemo notify to the action's stamp in interrupt context on the remote CPU." + LINUX_NONE },
  { name: "nemo-bcast", perCore: true, run: nemoBroadcast, description: "100 trials: one all-but-self IPI; per receiving CPU, its action's stamp minus the stamp before the broadcast." + LINUX_NONE },
  { name: "sync-event", perCore: true, run: syncEvent, description: "Per remote CPU, 100 trials: remote thread spins on a flag; from before setting it until the remote sees it (the cache-line hardware limit); the remote announces it spins before the first trial. Plain shared memory: Linux runs it too." },
].map((e) => ({ ...e, metrics: ["cycles"] }));

function experiment(name: string) {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (e === undefined) throw new ModelRunError("model", `microbench has no experiment '${name}' (known: ${EXPERIMENTS.map((x) => x.name).join(", ")})`);
  return e;
}

function simulate(input: ModelRunInput<MicrobenchParams>, record: boolean): Harness {
  const h = new Harness(input.params, input.seed, record);
  experiment(input.experiment).run(h);
  const report = h.sim.run(input.limits);
  if (report.reason === "deadlock") throw new ModelRunError("deadlock", describeDeadlock(report));
  if (report.reason !== "empty") {
    throw new ModelRunError("limit", `stopped by the ${report.reason === "until" ? "simulated-time" : "event"} limit at t=${report.now} after ${report.events} events`);
  }
  return h;
}

export const microbenchModel: ModelPlugin<MicrobenchParams> = {
  name: "microbench",
  description: "Nautilus Aerokernel vs Linux primitives on a modeled 64-core x64 or Xeon Phi: the authors' microbenchmarks, from mechanisms and sourced costs",
  paramsSchema: MicrobenchParams,
  experiments: EXPERIMENTS.map(({ name, description, metrics }) => ({ name, description, metrics })),
  metrics: [{ name: "cycles", unit: "cycles", description: "measured interval in TSC cycles, stamps as in the authors' harness", labels: ["core"] }],

  run(input) {
    const h = simulate(input, false);
    return { observations: h.observations, fingerprint: h.sim.fingerprint.toString(), events: h.sim.fingerprint.count, simTime: h.sim.now };
  },

  explain(input) {
    const h = simulate({ ...input, params: { ...input.params, trials: input.params.trials ?? 1, warmup: input.params.warmup ?? 0 } }, true);
    const rec = h.machine.recorder!;
    const firsts = [...h.firstByCore.entries()].sort((a, b) => a[0] - b[0]);
    const picked = firsts.length <= 2 ? firsts : [firsts[0]!, firsts[firsts.length - 1]!];
    const out: Breakdown[] = picked.map(([core, m]) => {
      const what = experiment(input.experiment).perCore ? `core ${core}` : input.experiment === "threads-long" ? `k = ${core}` : "";
      const scaled = m.value !== undefined && m.value !== m.end - m.start ? ` (whole window; the emitted value is ${m.value})` : "";
      return rec.criticalPath(`${input.experiment} on ${input.params.kernel}/${input.params.machine}${what ? `, ${what}` : ""}: first trial${scaled}`, m.endStep, m.start, m.end);
    });
    return out;
  },

  parameters(params): ParameterRow[] {
    const machine = new Machine({ sim: new Simulation(), machine: params.machine, streamPrefix: "params", costScale: params.costScale ?? 1 });
    const kernel = params.kernel === "nautilus"
      ? kernelCosts("nautilus", machine, nautilusData(params.machine), NAUTILUS_PARAMETERS)
      : kernelCosts("linux", machine, linuxData(params.machine), LINUX_PARAMETERS);
    const topo = machine.profile.topology;
    return [
      { name: "hardware.clockGHz", value: String(machine.clockGHz), source: machine.profile.clockGHz.source },
      { name: "hardware.topology", value: JSON.stringify({ ...topo, source: undefined }), source: topo.source },
      ...machine.costs.rows("hardware."),
      ...kernel.rows(`${params.kernel}.`),
    ];
  },
};
