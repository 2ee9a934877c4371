/**
 * The ROS side of the HVM (the hvm-ros user library): hypercalls from a Linux process on a
 * ROS vcore, the 0xf polling loop (one VM exit per poll) that also services events the HRT
 * forwards, and the synchronous channel (shared memory, no VMM per call).
 */
import type { Gen } from "../kernel/types.js";
import { HC, REJECTED, STATES, type Hvm, type HrtFunction, type HvmState } from "./hvm.js";
import type { VCore } from "./vmm.js";

export interface OpResult {
  readonly ok: boolean;
  /** 0xf polls until the state was reached. */
  readonly polls: number;
  /** The state never came back (a lost completion): the simulated harness gave up polling. */
  readonly hung?: boolean;
}

/**
 * Polls after which the simulated harness gives up (the real hvm-ros loop would spin forever):
 * far above any completing operation's count, so only a state machine stuck for good reaches it.
 */
export const POLL_LIMIT = 10_000;

/** Polls 0xf until the state is `target` (or POLL_LIMIT polls: returns -1), performing any event the HRT forwarded meanwhile. */
function* pollUntil(hvm: Hvm, core: VCore, target: HvmState): Gen<number> {
  let polls = 0;
  for (;;) {
    if (polls >= POLL_LIMIT) return -1;
    yield* hvm.vmm.guest(core, "hvm-ros poll loop iteration", hvm.c("ros.pollLoop", core));
    const code = yield* hvm.hcall(core, HC.GET_STATE);
    polls++;
    const ev = hvm.delivered;
    if (ev !== null) {
      hvm.delivered = null;
      if (ev.kind === "pagefault") yield* hvm.vmm.guest(core, "ROS: touch the faulting address (Linux page fault; nested paging: no exit)", hvm.lx("pagefault", core));
      else yield* hvm.vmm.guest(core, "ROS: perform the forwarded system call", hvm.lx("syscall.entry", core) + hvm.c("baseline.getppidBody", core) + hvm.lx("syscall.exit", core));
      yield* hvm.hcall(core, HC.EVENT_DONE);
    }
    if (STATES[code] === target) return polls;
  }
}

/** A request, then polling until the HVM is back in `until` (IDLE for calls and merges). */
function* requestAndPoll(hvm: Hvm, core: VCore, cmd: number, arg: unknown, until: HvmState): Gen<OpResult> {
  const rax = yield* hvm.hcall(core, cmd, arg);
  if (rax === REJECTED) return { ok: false, polls: 0 };
  const polls = yield* pollUntil(hvm, core, until);
  return polls < 0 ? { ok: false, polls: POLL_LIMIT, hung: true } : { ok: true, polls };
}

/** Asynchronous invocation (0x20) or parallel invocation on every HRT core (0x21). */
export function invoke(hvm: Hvm, core: VCore, fn: HrtFunction, parallel = false): Gen<OpResult> {
  return requestAndPoll(hvm, core, parallel ? HC.INVOKE_PARALLEL : HC.INVOKE, fn, "IDLE");
}

export function merge(hvm: Hvm, core: VCore): Gen<OpResult> {
  return requestAndPoll(hvm, core, HC.MERGE, undefined, "IDLE");
}

export function unmerge(hvm: Hvm, core: VCore): Gen<OpResult> {
  return requestAndPoll(hvm, core, HC.UNMERGE, undefined, "IDLE");
}

export function syncSetup(hvm: Hvm, core: VCore): Gen<OpResult> {
  return requestAndPoll(hvm, core, HC.SYNC_SETUP, undefined, "SYNC");
}

export function syncTeardown(hvm: Hvm, core: VCore): Gen<OpResult> {
  return requestAndPoll(hvm, core, HC.SYNC_TEARDOWN, undefined, "IDLE");
}

/** One synchronous call: write the argument and bump the issue count, spin for the completion. */
export function* syncCall(hvm: Hvm, core: VCore): Gen<boolean> {
  if (hvm.state !== "SYNC") return false;
  const s = hvm.sync;
  const n = s.issue.value + 1;
  // v3_hvm_ros_invoke_hrt_sync (hvm-ros, 4e43946f): sync_proto[2]=buf; sync_proto[0]++; spin while sync_proto[1] != sync_proto[0].
  yield* hvm.vmm.guest(core, "ROS: call invoke_hrt_sync, write the argument, bump the issue count", hvm.nk("call", core) + hvm.c("ros.syncLoop", core) + hvm.hw("store", core));
  yield* hvm.vmm.guest(core, `ROS: the stores need the line: upgrade, invalidating the HRT's copy (cpu${core.pcpu}↔cpu${hvm.hrt[0]!.pcpu})`, hvm.syncUpgrade(core, hvm.hrt[0]!));
  s.issue.publish(core, n);
  yield* s.completion.spinUntil(core, (v) => v === n);
  yield* hvm.vmm.guest(core, "ROS: compare the counts, return", hvm.hw("cacheLine.sameCpu", core));
  return true;
}

/** The trivial function of the harness: a call and a return on the HRT core. */
export const trivial: HrtFunction = function* (hvm, core) {
  yield* hvm.vmm.guest(core, "HRT: call the function (call + ret)", hvm.nk("call", core));
};

/** A function that forwards one event (page fault or system call) to the ROS and waits for it. */
export function forwarding(kind: "pagefault" | "syscall"): HrtFunction {
  return function* (hvm, core) {
    const start = hvm.machine.sim.now;
    const rax = yield* hvm.hcall(core, HC.EVENT_POST, { kind });
    if (rax === REJECTED) return;
    yield* hvm.eventDone.spinUntil(core, (v) => v === 1);
    yield* hvm.hcall(core, HC.EVENT_ACK);
    hvm.forwardLatencies.push(hvm.machine.sim.now - start);
  };
}

/** A function that raises a signal to the registered ROS handler. */
export const raiseSignal: HrtFunction = function* (hvm, core) {
  yield* hvm.hcall(core, HC.SIGNAL_RAISE);
};
