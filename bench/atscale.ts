/**
 * Benchmarks of the issue-11 models (`npm run bench`, or alone: `node dist/bench/atscale.js
 * [--json] [--only bsp|ranks] [--bsp-steps N] | --curve`): a 228-thread BSP run of 10,000 supersteps (targets < 10 s), 65,536 ranks ×
 * 100 collectives (< 60 s) and 1,048,576 ranks × 10 collectives (within 4 GB). Reports wall and
 * CPU seconds (the machine is shared), events/s, messages/s, bytes per rank (typed arrays of the
 * noisy run) and the process's peak resident memory.
 */
import { fileURLToPath } from "node:url";
import { runAtScale } from "../src/models/atscale/plugin.js";
import { runSupersteps } from "../src/models/bsp/superstep.js";

interface Timing { readonly wallSec: number; readonly cpuSec: number }

function timed<T>(f: () => T): T & Timing {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  return { ...r, wallSec: (performance.now() - t0) / 1e3, cpuSec: (c.user + c.system) / 1e6 };
}

export function bspBench(kernel: "nautilus" | "linux", barrier: "kernel" | "ideal", supersteps: number) {
  const r = timed(() => runSupersteps({ machine: "phi", kernel, threads: 228, supersteps, work: 110_000, barrier }, "bench", {}));
  return {
    bench: "bsp-phi-228", kernel, barrier, supersteps, events: r.events, wallSec: r.wallSec, cpuSec: r.cpuSec,
    eventsPerCpuSec: r.events / r.cpuSec, targetSec: 10, reason: r.reason,
  };
}

export function ranksBench(ranks: number, collectives: number, targetSec: number | null) {
  const r = timed(() => runAtScale({ ranks, collective: "dissemination", collectives, workUs: 1000, noise: { kind: "kernel", kernel: "linux", machine: "x64" } }, "bench"));
  const maxRssMB = process.resourceUsage().maxRSS / 1024; // peak of the whole process so far
  return {
    bench: "atscale-ranks", ranks, collectives, slowdown: r.makespanNs / r.baselineNs,
    events: r.events, messages: r.messages, wallSec: r.wallSec, cpuSec: r.cpuSec,
    messagesPerCpuSec: (2 * r.messages) / r.cpuSec, // the noiseless baseline sends as many again
    arrayBytesPerRank: r.bytesPerRank, maxRssMB,
    ...(targetSec === null ? { memoryLimitMB: 4096 } : { targetSec }),
  };
}

/**
 * The slowdown curve from 2^10 to 2^20 ranks per noise profile (10 iterations of 1 ms work +
 * dissemination barrier): the large-scale results checked in as bench/results/atscale-curve.jsonl
 * (`node dist/bench/atscale.js --curve > bench/results/atscale-curve.jsonl`).
 */
export function slowdownCurve(json: boolean): void {
  const profiles = [
    { name: "linux-x64", noise: { kind: "kernel", kernel: "linux", machine: "x64" } },
    { name: "nautilus-x64", noise: { kind: "kernel", kernel: "nautilus", machine: "x64" } },
    { name: "injected-10Hz-2.5%", noise: { kind: "periodic", hz: 10, netNoise: 0.025 } },
    { name: "injected-1kHz-2.5%", noise: { kind: "periodic", hz: 1000, netNoise: 0.025 } },
  ] as const;
  for (const p of profiles) {
    for (let log2 = 10; log2 <= 20; log2 += 2) {
      const r = timed(() => runAtScale({ ranks: 2 ** log2, collective: "dissemination", collectives: 10, workUs: 1000, noise: p.noise }, "curve"));
      print(json, { bench: "atscale-curve", profile: p.name, ranks: 2 ** log2, slowdown: r.makespanNs / r.baselineNs, netNoise: r.netNoise, cpuSec: r.cpuSec });
    }
  }
}

function print(json: boolean, r: Record<string, unknown>): void {
  if (json) console.log(JSON.stringify(r));
  else console.log(Object.entries(r).map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(4) : v}`).join(" "));
}

/**
 * The kernels' own barriers cost O(threads) random draws per spinlock hand-off (kernel/base.ts
 * draws a line transfer per spinner), so they run 1,000 supersteps by default; `--bsp-steps N`
 * sets their count. The ideal barrier runs the full 10,000.
 */
export function runAll(json: boolean, only?: string, kernelBarrierSteps = 1_000): void {
  if (only === undefined || only === "bsp") {
    for (const k of ["nautilus", "linux"] as const) {
      print(json, bspBench(k, "ideal", 10_000));
      print(json, bspBench(k, "kernel", kernelBarrierSteps));
    }
  }
  if (only === undefined || only === "ranks") {
    print(json, ranksBench(65_536, 100, 60));
    print(json, ranksBench(1_048_576, 10, null));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const steps = value("--bsp-steps");
  if (args.includes("--curve")) slowdownCurve(true);
  else runAll(args.includes("--json"), value("--only"), steps === undefined ? undefined : Number(steps));
}
