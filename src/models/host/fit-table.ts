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
    id: "thread creation", experiment: "thread-create",
    parameters: [lx("glibc.stackCacheHit"), lx("glibc.threadSetup"), lx("clone.copyProcess"), lx("clone.wakeUpNewTask"), lx("sched.setaffinity")],
    trials: 200,
    what: "the creator side of pthread_create with an affinity attribute (stack, descriptor, clone's copy_process and wake_up_new_task, sched_setaffinity)",
  },
];

/** Interference (noise) is fitted from the tail of this experiment (see calibration.ts). */
export const NOISE_EXPERIMENT: Experiment = "syscall";

/** Not read by the fit: they check it. */
export const HELD_OUT: readonly Experiment[] = ["thread-run", "thread-both", "threads-long", "condvar-bcast", "sync-roundtrip", "fork-exec"];

export type Role = "fitted" | "held out" | "not modeled";

export function roleOf(e: Experiment, modeled: boolean): Role {
  if (!modeled) return "not modeled";
  return HELD_OUT.includes(e) ? "held out" : "fitted";
}

/** The experiments the fit reads (path fits and the noise fit). */
export function fittedExperiments(): Experiment[] {
  return [...new Set([NOISE_EXPERIMENT, ...PATH_FITS.map((f) => f.experiment)])];
}
