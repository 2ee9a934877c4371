/**
 * What the callback-style barrier rounds of both kernels share (nk-rounds.ts for Nautilus,
 * linux/futex-rounds.ts for glibc's futex barrier): a state machine that takes each action of
 * compute + barrierWait at the instant its step ends, and hands the thread back to its process
 * where the process must act (a preemption point, a preempted spin, the last round left).
 */
import type { SimEvent } from "../../engine/index.js";
import type { Machine } from "../hardware/machine.js";
import type { Thread } from "./objects.js";
import type { BarrierRounds } from "./types.js";

/** Why the callbacks hand the thread back to its process. */
export const LEFT = 0;
export const AT_PREEMPTION_POINT = 1;
export const SPIN_PREEMPTED = 2;
export type HandBack = typeof LEFT | typeof AT_PREEMPTION_POINT | typeof SPIN_PREEMPTED;

/** The first state of every round: its compute step. */
export const START = 0;

/** What every kernel lends its rounds (each kernel's own ops add its mechanisms). */
export interface RoundOps {
  readonly machine: Machine;
  /** Whether the preemption point after a step would act (then the process passes it). */
  preemptionPointActs(t: Thread): boolean;
}

export abstract class CallbackRounds<B, O extends RoundOps> {
  protected round = 1;
  protected next = START;
  protected done: SimEvent<HandBack> | null = null;
  private readonly stepEnded = (): void => {
    if (this.ops.preemptionPointActs(this.thread)) this.done!.succeed(AT_PREEMPTION_POINT);
    else this.act(this.next);
  };

  constructor(
    protected readonly ops: O,
    readonly thread: Thread,
    protected readonly r: BarrierRounds,
    protected b: B,
  ) {}

  /** Goes on from where it stopped; `done` succeeds when the process must take over. */
  resume(done: SimEvent<HandBack>): void {
    this.done = done;
    this.act(this.next);
  }

  /** Takes the action `what` (a state of the subclass's machine). */
  protected abstract act(what: number): void;

  /** One step of `cycles` on the thread's CPU, then `then`; a zero-cycle step is the process's (as `steps` runs it). */
  protected step(name: string, cycles: number, then: number): void {
    this.next = then;
    if (cycles <= 0) this.done!.succeed(AT_PREEMPTION_POINT);
    else this.ops.machine.cpu(this.thread.cpu).exec(cycles, name, this.stepEnded);
  }

  /** The round is left: the next round's compute, or back to the process after the last. */
  protected leave(): void {
    this.r.left(this.round);
    if (++this.round > this.r.count) {
      this.done!.succeed(LEFT);
      return;
    }
    this.b = this.r.barrier(this.round) as B;
    this.act(START);
  }
}
