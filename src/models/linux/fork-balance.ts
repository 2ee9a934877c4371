/**
 * Fork balancing as Linux 3.19–4.4 does it for a task whose CPU mask allows every CPU
 * (select_task_rq_fair with SD_BALANCE_FORK, kernel/sched/fair.c; the same kernels as the
 * model's move_queued_task): from the top scheduling domain down, find_idlest_group moves to the
 * least loaded other group unless the local group's load is within the level's imbalance margin,
 * and find_idlest_cpu picks in that group the idle CPU in the shallowest idle state, the most
 * recently idled on ties, or if none idles the least loaded CPU; balancing then goes on one level
 * below, from the chosen CPU. Load counts runnable tasks (all nice 0). On an idle machine this
 * sends a child away from its parent at every level, because an all-zero comparison
 * (100·0 < imbalance·0) never keeps the local group. 2.6.38 (the Phi's uOS) walks the domains
 * the same way but picks the CPU by load alone (era.ts).
 */
import type { Topology } from "../hardware/profile.js";

interface Level {
  /** CPUs in the domain at this level, and in each of its groups. */
  readonly span: number;
  readonly group: number;
  /** 100 + (imbalance_pct − 100)/2: 110 → 105 for SMT siblings (AMD compute-unit modules, Phi threads), 125 → 112 above. */
  readonly imbalance: number;
}

export function forkDomains(t: Topology, cpuCount: number): Level[] {
  const sizes = t.kind === "ring"
    ? [cpuCount, t.threadsPerCore, 1]
    : [cpuCount, t.cpusPerModule * t.modulesPerDie * t.diesPerSocket, t.cpusPerModule * t.modulesPerDie, t.cpusPerModule, 1];
  const smtGroup = t.kind === "ring" ? t.threadsPerCore : t.cpusPerModule;
  const levels: Level[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (sizes[i] === sizes[i + 1]) continue; // a level with one group is no domain
    levels.push({ span: sizes[i]!, group: sizes[i + 1]!, imbalance: sizes[i] === smtGroup ? 105 : 112 });
  }
  return levels;
}

/** What fork balancing sees of a CPU: its runnable tasks, and of an idle one its state. */
export interface CpuView {
  /** Runnable tasks (0 when idle). */
  load(cpu: number): number;
  /** Of an idle CPU: the exit latency of the idle state it sits in, and when it went idle. */
  idle(cpu: number): { readonly exitLatency: number; readonly idleSince: number };
}

/** find_idlest_cpu (3.19–4.4): the shallowest idle CPU (latest idled on ties), else the least loaded. */
export function shallowestIdleCpu(from: number, to: number, view: CpuView): number {
  let shallowest = -1, minExit = Infinity, latest = -Infinity;
  let leastLoaded = from, minLoad = Infinity;
  for (let i = from; i < to; i++) {
    const load = view.load(i);
    if (load === 0) {
      const v = view.idle(i);
      if (v.exitLatency < minExit || (v.exitLatency === minExit && v.idleSince > latest)) {
        minExit = v.exitLatency;
        latest = v.idleSince;
        shallowest = i;
      }
    } else if (shallowest < 0 && load < minLoad) {
      minLoad = load;
      leastLoaded = i;
    }
  }
  return shallowest >= 0 ? shallowest : leastLoaded;
}

/** The CPU a new task of `parent`'s is woken on; `idlestCpu` is the kernel version's find_idlest_cpu (era.ts). */
export function findIdlestCpu(
  levels: readonly Level[], parent: number, view: CpuView,
  idlestCpu: (from: number, to: number, view: CpuView) => number = shallowestIdleCpu,
): number {
  let cpu = parent;
  for (const { span, group, imbalance } of levels) {
    const base = Math.floor(cpu / span) * span;
    const groups = span / group;
    const local = Math.floor((cpu - base) / group);
    const avg = (g: number) => {
      let sum = 0;
      for (let i = base + g * group; i < base + (g + 1) * group; i++) sum += view.load(i);
      return sum / group;
    };
    const thisLoad = avg(local);
    let idlest = -1;
    let minLoad = Infinity;
    for (let k = 1; k < groups; k++) { // sd->groups: the local group first, then on round the ring
      const g = (local + k) % groups;
      const a = avg(g);
      if (a < minLoad) { minLoad = a; idlest = g; }
    }
    if (idlest < 0 || 100 * thisLoad < imbalance * minLoad) continue; // stay, balance one level down
    cpu = idlestCpu(base + idlest * group, base + (idlest + 1) * group, view);
  }
  return cpu;
}
