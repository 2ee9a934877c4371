/**
 * The `microbench` model: the authors' Nautilus-vs-Linux microbenchmarks (experiments.md),
 * replicated stamp for stamp on a modeled machine running a modeled kernel.
 */
import { kernelConfigProblems, kernelCostTable, kernelParameterSpace } from "../kernel/registry.js";
import { condvarRaceHint } from "../nautilus/condvar.js";
import { ModelRunError, failOnRunEnd, userParameters, type Breakdown, type ExperimentInfo, type ModelPlugin, type ModelRunInput, type ParameterRow } from "../plugin.js";
import { ipiOneway, ipiRoundtrip, ipiSend, nemoBroadcast, nemoNotify } from "./events.js";
import { Harness, MicrobenchParams } from "./harness.js";
import { condvar, condvarBroadcast, spinlock, syncEvent } from "./sync.js";
import { ctxSwitch, threadBoth, threadCreate, threadRun, threadsLong } from "./threads.js";

const LINUX_NONE = " Linux: nothing is emitted (no user-space IPI or Nemo primitive; the authors' Linux build does not run it).";
const LINUX_NOT_RUN = " Linux: nothing is emitted: benchmark.c's Linux main() (__USER) does not run it.";

/** What benchmark.c's Linux main() runs (b512503 src/test/benchmark.c, #ifdef __USER). */
export const LINUX_BUILD_EXPERIMENTS: ReadonlySet<string> = new Set([
  "thread-create", "threads-long", "thread-run", "thread-both", "condvar", "condvar-bcast", "ctx-switch",
]);

const DELAY = " DELAY is the build's macro: udelay (busy TSC loop) on Nautilus, usleep on Linux.";
const CPUS = " Remote CPUs 1..63 on both machines (benchmark.c's NUM_THREADS = 64).";

const EXPERIMENTS: ReadonlyArray<ExperimentInfo & { readonly run: (h: Harness) => void; readonly perCore: boolean }> = [
  { name: "thread-create", perCore: false, run: threadCreate, description: "100 trials: create a thread bound to CPU 1, stamps around the create call (creator-side cost only), DELAY(10 ms), join. Linux: pthread_create with an affinity attribute." + DELAY },
  { name: "threads-long", perCore: false, run: threadsLong, description: "k in {2,4,...,64} (Phi: ...,128,228); 100 trials: serial creation of k-1 threads, thread j on CPU j, then DELAY(10 ms), join all, DELAY(10 ms); label core = k. Linux: pthread_create(NULL) then pthread_setaffinity_np (the child may run elsewhere first and is migrated)." + DELAY },
  { name: "thread-run", perCore: false, run: threadRun, description: "Create on CPU 1; from after create returns until the creator sees the child's flag (kick, dispatch, first switch, flag line); DELAY(100 us), join." + DELAY },
  { name: "thread-both", perCore: false, run: threadBoth, description: "As thread-run, from before the create call: create + launch." + DELAY },
  { name: "ctx-switch", perCore: false, run: ctxSwitch, description: "Two threads on CPU 1 set ready, yield-poll 'go', then yield 100 times each; the creator DELAY(10 ms)s, waits for both ready flags, sets go, stamps; window until both 'done' flags are seen, value = total / 200. Linux: pthread_create(NULL) then pthread_setaffinity_np." + DELAY },
  { name: "condvar", perCore: true, run: condvar, description: "Per remote CPU j, 100 trials: create a signaller on j (DELAY(100 us), signal without the mutex, then stamp); the waiter on CPU 0 locks, waits, stamps holding the mutex; value = waiter's stamp − signaller's (the signal call itself is excluded). Linux: the signaller is created with NULL attributes then pthread_setaffinity_np'd; the main thread is not pinned." + CPUS + DELAY + " Guard, outside the window: a waiter not yet counted in the wait when the signaller's delay ends would miss the signal and hang the authors' harness; the signaller then waits for it and delays again (metric lateWaiters, 0 or 1 per trial)." },
  { name: "condvar-bcast", perCore: true, run: condvarBroadcast, description: "100 trials with fresh threads: a waiter per CPU 1..63 (barrier, DELAY(10 us), lock, wait, stamp); CPU 0 passes the barrier, DELAY(1 ms), stamps, broadcasts, waits for every waiter's bit, joins; per waiter: its stamp − CPU 0's. Nautilus: spinning barrier, serial wake-all + spinlock hand-off; Linux: waiters created with NULL attributes then pthread_setaffinity_np, pthread barrier, FUTEX_CMP_REQUEUE then futex mutex hand-off." + DELAY + " Guard, outside the window: waiters still queued on the mutex when the 1 ms delay ends (the hand-off convoy after the barrier, slowed by idle-state exits, can outlast it) would miss the broadcast and hang the authors' harness; CPU 0 then waits until all are counted in the wait and delays 1 ms again (metric lateWaiters per trial)." },
  { name: "spinlock", perCore: false, run: spinlock, description: "1000 trials of lock + unlock on CPU 0, stamp overhead subtracted." + LINUX_NOT_RUN },
  { name: "ipi-send", perCore: false, run: ipiSend, description: "100 trials: stamps around the ICR write (send-side cost)." + LINUX_NONE },
  { name: "ipi-oneway", perCore: true, run: ipiOneway, description: "Per remote CPU: 100 warm-up + 100 trials; from after the send to the remote handler's stamp." + LINUX_NONE },
  { name: "ipi-roundtrip", perCore: true, run: ipiRoundtrip, description: "Per remote CPU: 100 warm-up + 100 trials; from after the send until the handler's 'done' store is seen." + LINUX_NONE },
  { name: "nemo-notify", perCore: true, run: nemoNotify, description: "Per remote CPU, 100 trials: from before the Nemo notify to the action's stamp in interrupt context on the remote CPU." + CPUS + LINUX_NONE },
  { name: "nemo-bcast", perCore: true, run: nemoBroadcast, description: "100 trials: one all-but-self IPI; per receiving CPU, its action's stamp minus the stamp before the broadcast." + CPUS + LINUX_NONE },
  { name: "sync-event", perCore: true, run: syncEvent, description: "Per remote CPU j, 100 trials: start a thread on j spinning on a flag, DELAY(100 ms), stamp, set the flag; the remote stamps when it sees it (the cache-line hardware limit)." + CPUS + LINUX_NOT_RUN },
].map((e) => ({ ...e, metrics: e.name === "condvar" || e.name === "condvar-bcast" ? ["cycles", "lateWaiters"] : ["cycles"] }));

function experiment(name: string) {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (e === undefined) throw new ModelRunError("model", `microbench has no experiment '${name}' (known: ${EXPERIMENTS.map((x) => x.name).join(", ")})`);
  return e;
}

function simulate(input: ModelRunInput<MicrobenchParams>, record: boolean): Harness {
  const h = new Harness(input.params, input.seed, record, undefined, userParameters(input));
  if (input.params.kernel !== "linux" || LINUX_BUILD_EXPERIMENTS.has(input.experiment)) experiment(input.experiment).run(h);
  const report = h.sim.run(input.limits);
  // The waiters of the Nautilus condvar experiments can be stranded by the modeled race: a result, named as such.
  failOnRunEnd(report, { deadlockHint: condvarRaceHint(h.kernel.lostWakeups, "", "a waiter") });
  return h;
}

/** The kernel configuration in force, e.g. "kicks=0 haltWhileIdle=0 … hz=100". */
function configText(h: Harness): string {
  return Object.entries(h.kernel.configuration ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
}

export const microbenchModel: ModelPlugin<MicrobenchParams> = {
  name: "microbench",
  description: "Nautilus Aerokernel vs Linux primitives on a modeled 64-core x64 or Xeon Phi: the authors' microbenchmarks, from mechanisms and sourced costs",
  paramsSchema: MicrobenchParams,
  experiments: EXPERIMENTS.map(({ name, description, metrics }) => ({ name, description, metrics })),
  metrics: [
    { name: "cycles", unit: "cycles", description: "measured interval in TSC cycles, stamps as in the authors' harness", labels: ["core"] },
    { name: "lateWaiters", unit: "waiters", description: "per trial: waiters not yet counted in the wait when the harness's delay ended (the authors' harness would hang; the simulator waited for them, outside the window)", labels: ["core"] },
  ],

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
      return rec.criticalPath(`${input.experiment} on ${input.params.kernel}/${input.params.machine}${what ? `, ${what}` : ""}: first trial${scaled} [config ${configText(h)}]`, m.endStep, m.start, m.end);
    });
    return out;
  },

  parameters(params, overrides, file): ParameterRow[] {
    const h = new Harness({ ...params, trials: 1 }, "params", false, undefined, userParameters({ overrides, machine: file }));
    const machine = h.machine;
    const kernel = kernelCostTable(params.kernel, machine);
    const topo = machine.profile.topology;
    // What the run uses after the scenario's options (kicks, deepIdle), beside the files' entries.
    const inForce = Object.entries(h.kernel.configuration ?? {}).map(([k, v]) => ({
      name: `in force: ${params.kernel}.config.${k}`, value: String(v),
      source: `configuration in force for this run: the data file's config entry${params.kicks !== undefined || params.deepIdle !== undefined ? ", after the scenario's kicks/deepIdle options" : ""}`,
    }));
    return [
      { name: `${machine.name}.clockGHz`, value: String(machine.clockGHz), source: machine.profile.clockGHz.source },
      { name: `${machine.name}.topology`, value: JSON.stringify({ ...topo, source: undefined }), source: topo.source },
      ...machine.costs.rows(`${machine.name}.`),
      ...kernel.rows(`${params.kernel}.`),
      ...inForce,
    ];
  },

  constraints(params, overrides, file) {
    return kernelConfigProblems(file ?? params.machine, [params.kernel], overrides, params.linuxNoise ?? true);
  },

  parameterSpace(params, file) {
    return kernelParameterSpace(file ?? params.machine, [params.kernel]);
  },
};

