/**
 * The Linux version a machine ran, where the model's paths differ between versions
 * (`config.linux2638` in the data files). The x64 follows the 3.19–4.4 code of 2015–16
 * distribution kernels; the paper-era Xeon Phi ran Intel MPSS 3.x, whose card OS reports
 * "Coprocessor OS Version: 2.6.38.8+mpss3.N" (micinfo, MPSS 3.2–3.8). Read for 2.6.38:
 * kernel/sched.c and kernel/sched_fair.c of nosnilwar/linux-raw-gov-2.6.38 (a 2.6.38 tree with
 * RTAI/ipipe hooks, which do not touch the lines below) and include/linux/topology.h of the
 * 2.6.3x era (SD_SIBLING/SD_MC/SD_CPU_INIT: SD_BALANCE_FORK, forkexec_idx 0, no SD_PREFER_LOCAL).
 * What differs on a path the model takes:
 * - set_cpus_allowed_ptr: 2.6.38's migrate_task() is `p->se.on_rq || task_running(rq, p)`, so a
 *   queued task is moved like a running one, by stop_one_cpu(migration_cpu_stop) with the caller
 *   waiting for completion; 3.19 moves a queued task itself (move_queued_task).
 * - find_idlest_cpu: 2.6.38 takes the least loaded CPU of the group (`load < min_load`, the first
 *   on ties); 3.19 prefers the idle CPU in the shallowest idle state, then the latest idled.
 * - the reschedule IPI: 2.6.38's smp_reschedule_interrupt only acks the APIC and counts
 *   (arch/x86/kernel/smp.c before 3.0's "sched: Add scheduler_ipi()"); 3.x runs scheduler_ipi
 *   (irq_enter, sched_ttwu_pending, irq_exit).
 * The rest of fork placement (find_idlest_group, the walk down the domains) and try_to_wake_up's
 * path as modelled (the waker takes the wakee's run-queue lock, enqueues, check_preempt_curr,
 * reschedule IPI to a CPU that does not poll) are the same in both.
 */
import type { CostTable } from "../hardware/params.js";
import type { CpuView } from "./fork-balance.js";

/** find_idlest_cpu over CPUs [from, to) of the idlest group. */
export type IdlestCpuRule = (from: number, to: number, view: CpuView) => number;

export interface LinuxEra {
  readonly kernel: string;
  /** sched_setaffinity moves a queued task through the migration stopper too (the caller sleeps). */
  readonly stopperMovesQueued: boolean;
  /** find_idlest_cpu of this version, or undefined for the default (3.19's, fork-balance.ts). */
  readonly idlestCpu: IdlestCpuRule | undefined;
  /** The reschedule IPI's handler: its step name and cost parameter. */
  readonly reschedHandler: { readonly step: string; readonly cost: string };
}

/** 2.6.38 kernel/sched_fair.c find_idlest_cpu: `if (load < min_load || (load == min_load && i == this_cpu))` over weighted_cpuload (this_cpu is never in the group it is given: find_idlest_group skips the local group). */
export function leastLoadedCpu(from: number, to: number, view: CpuView): number {
  let idlest = from, minLoad = Infinity;
  for (let i = from; i < to; i++) {
    const load = view.load(i);
    if (load < minLoad) { minLoad = load; idlest = i; }
  }
  return idlest;
}

const V3_19: LinuxEra = {
  kernel: "3.19–4.4", stopperMovesQueued: false, idlestCpu: undefined,
  reschedHandler: { step: "scheduler_ipi", cost: "sched.ipiHandler" },
};
const V2_6_38: LinuxEra = {
  kernel: "2.6.38", stopperMovesQueued: true, idlestCpu: leastLoadedCpu,
  reschedHandler: { step: "smp_reschedule_interrupt (ack, irq_resched_count)", cost: "sched.reschedAck" },
};

/** The era of a kernel whose `config.linux2638` setting is `flag`. */
export function linuxEra(flag: number): LinuxEra {
  return flag === 1 ? V2_6_38 : V3_19;
}

/**
 * Options a file may leave out, with the value that means "as the x64 file's 3.x kernel": the
 * Phi's file sets them for the MPSS uOS (2.6.38, highres=off); the x64 file has none, so its
 * parameter data — and the stored analyses that hash it — stay as they were. `sched.reschedAck`
 * is needed only where `config.linux2638` = 1.
 */
export const LINUX_OPTIONAL_SETTINGS = { "config.linux2638": 0, "config.highres": 1 } as const;

export function linuxSetting(costs: CostTable, name: keyof typeof LINUX_OPTIONAL_SETTINGS): number {
  return costs.has(name) ? costs.setting(name) : LINUX_OPTIONAL_SETTINGS[name];
}

