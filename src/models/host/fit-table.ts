/**
 * Which host parameter comes from which measurement: the calibration's table, in fitting
 * order (a fit is conditional on the ones before it). Everything not listed keeps its x64
 * value. Experiments in HELD_OUT are never read by the fit; they only check it.
 */
import type { Experiment } from "./measurements.js";

export type ParamFile = "hardware" | "linux";

export interface ParamRef {
  readonly file: ParamFile;
  readonly name: string;
}

/**
 * A path fit: the parameters on one modeled code path are scaled by one common factor
 * (their x64 shapes and split kept) until the model's median of `experiment` equals the
 * measured median. The measurement determines the path's total, not how it splits.
 */
export interface PathFit {
  readonly id: string;
  readonly experiment: Experiment;
  readonly parameters: readonly ParamRef[];
  /** What the measurement determines (table text and sources). */
  readonly what: string;
  /** Simulated trials per model evaluation while inverting. */
  readonly trials: number;
  /** Fitted only if the set has the experiment (later harness versions); otherwise the parameters keep their values. */
  readonly optional?: true;
  /**
   * The same path measured warm (harness version ≥ 2): fitted on instead when the set has it, and
   * `experiment` is then held out — the fit gets the path's own cost, and what a longer idle adds
   * before it is left for the model to explain.
   */
  readonly warm?: Experiment;
}

const hw = (name: string): ParamRef => ({ file: "hardware", name });
const lx = (name: string): ParamRef => ({ file: "linux", name });

export const PATH_FITS: readonly PathFit[] = [
  {
    id: "system call", experiment: "syscall", parameters: [lx("syscall.entry"), lx("syscall.exit")], trials: 2000,
    what: "system call entry + exit (getppid's few loads included): the getppid round trip minus one stamp",
  },
  {
    id: "atomic", experiment: "spinlock", parameters: [hw("atomic")], trials: 2000,
    what: "a locked xchg on a line the CPU owns (pthread_spin_lock + unlock minus the unlock store)",
  },
  {
    id: "cache line", experiment: "sync-event", parameters: [hw("cacheLine.sameDie")], trials: 200,
    what: "a cache-line transfer between two of the host's CPUs (flag store seen by a spinning remote CPU)",
  },
  {
    id: "context switch", experiment: "ctx-switch", parameters: [lx("sched.yieldTask"), lx("sched.schedule"), lx("switch.contextSwitch")], trials: 10,
    what: "the sched_yield switch path between two threads of one process (yield_task_fair, __schedule, context_switch)",
  },
  {
    id: "cross-CPU wake-up", experiment: "condvar",
    parameters: [hw("apic.accept"), hw("idle.haltExit"), hw("irq.entry"), hw("apic.eoi"), hw("irq.exit"), lx("sched.ipiHandler"), lx("futex.waitReturn")],
    trials: 200,
    what: "the waiter side of a futex wake-up on another CPU: reschedule IPI delivery, leaving hlt (in a VM: the hypervisor resuming the vCPU), the IPI handler, return from futex_wait",
  },
  {
    id: "thread creation", experiment: "thread-create", warm: "thread-create-sleep100us",
    parameters: [lx("glibc.stackCacheHit"), lx("glibc.threadSetup"), lx("clone.copyProcess"), lx("clone.wakeUpNewTask"), lx("sched.setaffinity")],
    trials: 200,
    what: "the creator side of pthread_create with an affinity attribute (stack, descriptor, clone's copy_process and wake_up_new_task, sched_setaffinity)",
  },
  {
    id: "sleeping vCPU's wake-up", experiment: "condvar-sleep1ms", parameters: [hw("vm.worldSwitch")], trials: 200, optional: true,
    what: "the VM entry that ends the host's wake-up of a vCPU thread asleep past the halt-poll window (the condvar path with the waiter idle ~1 ms instead of ~150 µs; the host trip's other steps take the fitted costs)",
  },
];

/** Interference (noise) is fitted from the tail of this experiment (see calibration.ts) when the set has no detour trace. */
export const NOISE_EXPERIMENT: Experiment = "syscall";

/** A detour trace (harness version ≥ 2): taken as the interference itself (interference.ts), not compared. */
export const TRACE_EXPERIMENTS: readonly Experiment[] = ["detour", "detour-start"];

/**
 * Never read by any fit: they check it. thread-create-sleep1ms differs from thread-create only in
 * the creator's idle before each trial (1 ms instead of 10 ms; both past KVM's halt-poll window).
 * Which others are held out depends on the set (a path fitted on its warm variant holds out its
 * cold one): see `fitSources`.
 */
export const HELD_OUT: readonly Experiment[] = ["thread-run", "thread-both", "threads-long", "condvar-bcast", "sync-roundtrip", "fork-exec", "thread-create-sleep1ms"];

export type Role = "fitted" | "held out" | "not modeled" | "input";

/** `fitted`: the experiments this calibration read (fitSources of its set). */
export function roleOf(e: Experiment, modeled: boolean, fitted: ReadonlySet<Experiment>): Role {
  if (TRACE_EXPERIMENTS.includes(e)) return "input";
  if (!modeled) return "not modeled";
  return fitted.has(e) ? "fitted" : "held out";
}

/** The experiment each path fit reads from a set that has `present` (its warm variant if there). */
export function fitExperiment(fit: PathFit, present: ReadonlySet<Experiment>): Experiment {
  return fit.warm !== undefined && present.has(fit.warm) ? fit.warm : fit.experiment;
}

/** Every experiment a fit may read (path fits with their warm variants, the noise fit, a detour trace). */
export function fittedExperiments(): Experiment[] {
  return [...new Set([NOISE_EXPERIMENT, ...PATH_FITS.flatMap((f) => [f.experiment, ...(f.warm ? [f.warm] : [])]), ...TRACE_EXPERIMENTS])];
}

/** The noise fit drops the first, cold trial, so it needs a second one; every other fit reads a median of any count. */
export const MIN_NOISE_SAMPLES = 2;

/** Samples a fit of experiment `e` needs. */
export const minSamples = (e: Experiment): number => (e === NOISE_EXPERIMENT ? MIN_NOISE_SAMPLES : 1);

/**
 * What a set with these samples and CPUs lacks for a calibration, or []:
 * every experiment the fits read, at least 2 samples of the noise fit's, and a second CPU
 * (the harness's remote-CPU experiments run on CPU 1).
 */
export function calibrationInputProblems(samples: ReadonlyArray<{ readonly experiment: Experiment }>, onlineCpus: number): Array<{ expected: string; found: string }> {
  const count = new Map<Experiment, number>();
  for (const s of samples) count.set(s.experiment, (count.get(s.experiment) ?? 0) + 1);
  const present = new Set(count.keys());
  const problems = [...fitSources(present)]
    .filter((e) => (count.get(e) ?? 0) < minSamples(e))
    .map((e) => ({ expected: `at least ${minSamples(e)} sample(s) of "${e}" in samples.csv`, found: `${count.get(e) ?? 0}` }));
  if (onlineCpus < 2) problems.push({ expected: "onlineCpus ≥ 2 in machine.json (the remote-CPU experiments run on CPU 1)", found: `${onlineCpus}` });
  return problems;
}

/** The experiments a calibration of a set with `present` reads (what is "fitted" in its comparison). */
export function fitSources(present: ReadonlySet<Experiment>): Set<Experiment> {
  const trace = TRACE_EXPERIMENTS.every((e) => present.has(e));
  return new Set([...(trace ? [] : [NOISE_EXPERIMENT]), ...PATH_FITS.filter((f) => !f.optional || present.has(f.experiment)).map((f) => fitExperiment(f, present))]);
}
