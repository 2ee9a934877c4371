/**
 * The kernel interface: the plug-in point shared by the Nautilus and Linux models, used by the
 * microbenchmark harness and by runtimes built on the kernels. (The HVM model does not run a
 * Kernel: it charges its HRT and ROS steps from Nautilus's and Linux's parameter files.) Every primitive is a generator run by the calling thread's process; it executes named
 * steps on specific CPUs, each with a cost drawn from the kernel's parameter file, so any
 * execution can be broken down step by step. Kernels are built by name with
 * `createKernel` (registry.ts).
 */
import type { SimEvent, Yieldable } from "../../engine/index.js";
import type { InterruptStep } from "../hardware/cpu.js";
import type { Machine } from "../hardware/machine.js";
import type { CostTable } from "../hardware/params.js";

/** What kernel primitives are: generators yielding engine delays/events, returning T. */
export type Gen<T = void> = Generator<Yieldable, T, any>;

export const KERNELS = ["nautilus", "linux"] as const;
export type KernelName = (typeof KERNELS)[number];

export type ThreadState = "new" | "ready" | "running" | "blocked" | "exited";

/** A thread body: runs on the thread's CPU once dispatched; returning exits the thread. */
export type ThreadBody = (self: ThreadRef) => Gen<unknown>;

/** The parts of a thread a model may read. */
export interface ThreadRef {
  readonly id: number;
  readonly name: string;
  /** The CPU the thread is bound to. */
  readonly cpu: number;
  readonly state: ThreadState;
  /** How many times the thread began running (first dispatch); exactly 1 for every created thread. */
  readonly starts: number;
  /** Succeeds (with the exit time) when the thread has exited. */
  readonly exited: SimEvent<number>;
}

export interface ThreadSpec {
  readonly name: string;
  /** CPU to bind the thread to. */
  readonly cpu: number;
  readonly body: ThreadBody;
  /**
   * How the creator binds the thread to `cpu` (Linux; a Nautilus thread is created bound):
   * "attribute" (default) — pthread_attr_setaffinity_np, glibc starts the child stopped and sets
   * its affinity before it runs; "after" — pthread_create(NULL) then pthread_setaffinity_np, so
   * the child may already run elsewhere and is migrated (benchmark.c's threads-long, condvar,
   * condvar-bcast and ctx-switch).
   */
  readonly affinity?: "attribute" | "after";
  /**
   * Whether the thread stays on `cpu` (default true). An unpinned Linux thread is placed again at
   * each wake-up (its previous CPU if idle, else an idle CPU sharing its last-level cache); only
   * `boot` honours it (benchmark.c's condvar main thread is not pinned under Linux).
   */
  readonly pinned?: boolean;
}

/** Opaque synchronisation objects; create them through the kernel. */
export interface SpinLockRef { readonly name: string }
export interface MutexRef { readonly name: string }
export interface CondVarRef { readonly name: string }
export interface BarrierRef { readonly name: string; readonly parties: number }
/** A word of shared memory (one cache line) that threads write and spin on. */
export interface FlagRef { readonly name: string; readonly value: number }

/** Work an interrupt handler does on its CPU (after IRQ entry, before EOI/exit). */
export interface HandlerBody {
  readonly steps: readonly InterruptStep[];
}

/** Kernel-mode event and IPI primitives (Nautilus); absent where user code cannot send IPIs. */
export interface EventApi {
  /** Writes the ICR to send one IPI; `handler` gives the remote handler's body on arrival. */
  sendIpi(self: ThreadRef, cpu: number, handler: (cpu: number) => HandlerBody): Gen<void>;
  /** Nemo: notify `cpu`; the registered action runs in interrupt context there. */
  notify(self: ThreadRef, cpu: number, action: (cpu: number) => HandlerBody): Gen<void>;
  /** Nemo broadcast: one all-but-self IPI; the action runs on every other CPU. */
  broadcast(self: ThreadRef, action: (cpu: number) => HandlerBody): Gen<void>;
}

export interface Kernel {
  readonly name: KernelName;
  readonly machine: Machine;
  /** The kernel's cost parameters for this machine (hardware ones are in machine.costs). */
  readonly costs: CostTable;

  /** Starts the harness's initial thread on `cpu` (no creation cost is charged). */
  boot(spec: ThreadSpec): ThreadRef;
  /** Creates a thread bound to spec.cpu; returns when the creating call returns. */
  threadCreate(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef>;
  /** Waits until `t` has exited and reaps it. */
  threadJoin(self: ThreadRef, t: ThreadRef): Gen<void>;
  /** Gives the CPU to the next ready thread on it, if any. */
  yield(self: ThreadRef): Gen<void>;
  /** Nautilus nk_thread_fork (child returns into `childBody`); Linux fork() of a process. */
  fork(self: ThreadRef, spec: ThreadSpec): Gen<ThreadRef>;

  newSpinLock(name: string): SpinLockRef;
  spinLock(self: ThreadRef, lock: SpinLockRef): Gen<void>;
  spinUnlock(self: ThreadRef, lock: SpinLockRef): Gen<void>;
  /** The mutex of the authors' harness: a spinlock on Nautilus, a futex mutex on Linux. */
  newMutex(name: string): MutexRef;
  mutexLock(self: ThreadRef, m: MutexRef): Gen<void>;
  mutexUnlock(self: ThreadRef, m: MutexRef): Gen<void>;
  newCondVar(name: string): CondVarRef;
  /** Wake-ups its condition variables lost to a modeled race so far (Nautilus's paper-era condvar; 0 on Linux). */
  readonly lostWakeups: number;
  condWait(self: ThreadRef, cv: CondVarRef, m: MutexRef): Gen<void>;
  condSignal(self: ThreadRef, cv: CondVarRef): Gen<void>;
  condBroadcast(self: ThreadRef, cv: CondVarRef): Gen<void>;
  /**
   * Simulator introspection, no kernel call and no cost: threads counted in `cv`'s wait and not
   * yet signalled. Harnesses use it only to avoid the hang a wait begun after its signal causes.
   */
  registeredWaiters(cv: CondVarRef): number;
  newBarrier(name: string, parties: number): BarrierRef;
  /** Whether one barrier serves any number of rounds (glibc) or must be re-created per use (Nautilus b512503). */
  readonly barrierReusable: boolean;
  barrierWait(self: ThreadRef, b: BarrierRef): Gen<void>;
  /** Rounds of `compute` then `barrierWait` (a kernel may run them with fewer engine events). */
  computeBarrierRounds(self: ThreadRef, rounds: BarrierRounds): Gen<void>;

  /** Busy-waits `cycles` (the harness's delay loop on the TSC). */
  delay(self: ThreadRef, cycles: number): Gen<void>;
  /**
   * Plain computation of `cycles` on the thread's CPU: interrupts and noise stretch it (unlike
   * `delay`, a TSC deadline), and it ends at a preemption point.
   */
  compute(self: ThreadRef, name: string, cycles: number): Gen<void>;
  /** Blocks for `cycles`, woken by the timer. */
  sleep(self: ThreadRef, cycles: number): Gen<void>;
  /** Reads the TSC: the value is the time at which the read completes. */
  stamp(self: ThreadRef): Gen<number>;

  newFlag(name: string, initial?: number): FlagRef;
  /** Stores to a shared word; spinners on other CPUs see it one cache-line transfer later. */
  write(self: ThreadRef, flag: FlagRef, value: number): Gen<void>;
  /** A store by an interrupt handler on `cpu` completing at time `at` (≥ now). */
  storeFromHandler(cpu: number, flag: FlagRef, value: number, at: number, step: number): void;
  /** Spins until pred(value) holds; returns the time it was seen. */
  spinUntil(self: ThreadRef, flag: FlagRef, pred: (v: number) => boolean): Gen<number>;

  /** A system call with `body` cycles of kernel work (Nautilus: a plain function call). */
  syscall(self: ThreadRef, name: string, body: number): Gen<void>;

  /** Kernel-mode IPIs and Nemo events, where the caller can use them. */
  readonly events: EventApi | undefined;

  /** The kernel configuration in force (`config.*` entries after options), e.g. { kicks: 0, hz: 100 }. */
  readonly configuration?: Readonly<Record<string, number>>;
}

/** Bulk-synchronous rounds 1..count: compute `work(round)` cycles, then wait at `barrier(round)`. */
export interface BarrierRounds {
  readonly count: number;
  /** Step name of the compute. */
  readonly name: string;
  /** Drawn when the round's compute starts. */
  work(round: number): number;
  /** Asked for when the round's compute starts. */
  barrier(round: number): BarrierRef;
  /** Called at the instant the thread leaves the round's barrier. */
  left(round: number): void;
}
